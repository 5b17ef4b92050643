package stream

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

func TestIsStream(t *testing.T) {
	s := buildSample(t, 1)
	tests := []struct {
		first []byte
		want  bool
	}{
		{s.data[:MagicLen], true},
		{s.data, true},
		{s.data[:MagicLen-1], false},
		{nil, false},
		{[]byte("SQLite format 3\x00"), false},
		{[]byte("\x28\xb5\x2f\xfd"), false}, // a bare zstd file
	}
	for _, tt := range tests {
		if got := IsStream(tt.first); got != tt.want {
			t.Errorf("IsStream(%q) = %v", tt.first, got)
		}
	}
}

func TestNotAStream(t *testing.T) {
	tests := []struct {
		input []byte
		want  string
	}{
		{nil, "empty"},
		{[]byte("SQLite format 3\x00\x10\x00\x01\x01"), "SQLite database"},
		{[]byte("{\"ts\":1}\n"), `starts with "{\"ts\":1}"`},
	}
	for _, tt := range tests {
		_, err := NewReader(bytes.NewReader(tt.input))
		if !errors.Is(err, ErrNotStream) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewReader(%q) = %v, want ErrNotStream saying %q", tt.input, err, tt.want)
		}
	}
}

func withVersion(data []byte, major, minor uint16) []byte {
	data = bytes.Clone(data)
	binary.LittleEndian.PutUint16(data[MagicLen:], major)
	binary.LittleEndian.PutUint16(data[MagicLen+2:], minor)
	return data
}

func TestVersions(t *testing.T) {
	s := buildSample(t, 10)
	for _, tt := range []struct {
		major, minor uint16
		want         string // "" means readable
	}{
		{VersionMajor, VersionMinor, ""},
		{VersionMajor, VersionMinor + 7, ""},
		{VersionMajor + 1, 0, "version 2.0 is newer than this reader supports (1.x)"},
		{0, 3, "version 0.3 is not a released version"},
	} {
		r, err := NewReader(bytes.NewReader(withVersion(s.data, tt.major, tt.minor)))
		var verr *VersionError
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%d.%d refused: %v", tt.major, tt.minor, err)
		case tt.want == "":
			if major, minor := r.Version(); major != tt.major || minor != tt.minor {
				t.Errorf("Version() = %d.%d", major, minor)
			}
		case !errors.As(err, &verr) || !strings.Contains(err.Error(), tt.want):
			t.Errorf("%d.%d: %v, want a VersionError saying %q", tt.major, tt.minor, err, tt.want)
		}
	}
}

// TestUnknownKindSkipped is the forward-compatibility promise: a frame
// kind added by a newer minor version is skipped, counted, not reported.
func TestUnknownKindSkipped(t *testing.T) {
	s := buildSample(t, 10)
	var future []byte
	for _, k := range []Kind{0, 99, 255} {
		start := len(future)
		future = appendFrameHeader(future, k)
		future = append(future, "whatever a newer writer puts here"...)
		future = finishFrame(future, start)
	}
	at := s.ends[1]
	data := append(append(bytes.Clone(s.data[:at]), future...), s.data[at:]...)
	r, _ := NewReader(bytes.NewReader(withVersion(data, VersionMajor, VersionMinor+1)))
	frames, bad := readAll(t, r)
	if len(bad) != 0 || len(frames) != len(s.frames) || r.Stats().UnknownFrames != 3 {
		t.Fatalf("%d frames, reports %v, stats %+v", len(frames), bad, r.Stats())
	}
}
