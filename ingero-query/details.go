package query

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// shownFields are the optional top-level fields of a trace --json line
// that the table shows after the args; the rest (node, cgroup_id) only
// --json carries.
var shownFields = map[string]bool{
	"preemptor_pid": true, "preemptor_comm": true,
	"peer_pid": true, "peer_comm": true,
	"gpu": true, "stack_id": true,
}

// details turns one line of trace --json into "name=value" pairs: the
// args, then the optional fields above. Taking them from the encoder's
// own line keeps the table's names those of docs/json.md.
func details(line []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var args, extra []string
	if _, err := dec.Token(); err != nil { // {
		return "", err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", err
		}
		key, _ := tok.(string)
		switch {
		case key == "args":
			if args, err = objectPairs(dec); err != nil {
				return "", err
			}
		case shownFields[key]:
			v, err := dec.Token()
			if err != nil {
				return "", err
			}
			extra = append(extra, key+"="+valueText(v))
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return "", err
			}
		}
	}
	return strings.Join(append(args, extra...), " "), nil
}

// objectPairs reads a flat JSON object as name=value pairs, in order.
func objectPairs(dec *json.Decoder) ([]string, error) {
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.Join(errors.New("args is not an object"), err)
	}
	var out []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		v, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := k.(string)
		out = append(out, name+"="+valueText(v))
	}
	_, err := dec.Token() // }
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return out, err
}

func valueText(v any) string {
	switch v := v.(type) {
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case string:
		if strings.ContainsAny(v, " =\"") {
			return strconv.Quote(v)
		}
		return printable(v)
	}
	return "?"
}

// printable escapes what would break a table row: control characters,
// invalid UTF-8 and other unprintable runes.
func printable(s string) string {
	for _, r := range s {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			q := strconv.Quote(s)
			return q[1 : len(q)-1]
		}
	}
	return s
}
