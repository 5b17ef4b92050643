package trace

import (
	"errors"
	"os/user"
	"strconv"
)

// knownUser accepts a user name the host knows or any numeric uid: a
// container's processes often run as a uid with no passwd entry, and
// those are exactly the ones a name lookup would wrongly refuse.
func knownUser(name string) error {
	if _, err := strconv.ParseUint(name, 10, 32); err == nil {
		return nil
	}
	if _, err := user.Lookup(name); err != nil {
		var unknown user.UnknownUserError
		if errors.As(err, &unknown) {
			return errors.New("no such user on this host (give a user name from /etc/passwd or a numeric uid)")
		}
		return err
	}
	return nil
}
