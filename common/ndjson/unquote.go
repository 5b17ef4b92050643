package ndjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// unquote decodes a JSON string literal, mapping \u0080–\u00ff escapes
// back to the raw bytes the Encoder escaped. Absent and null give "".
func unquote(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", fmt.Errorf("want a string, got %.20s", raw)
	}
	s := raw[1 : len(raw)-1]
	if !strings.ContainsRune(string(s), '\\') {
		return string(s), nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			out = append(out, s[i])
			i++
			continue
		}
		if i+1 >= len(s) {
			return "", errors.New("dangling backslash")
		}
		c := s[i+1]
		i += 2
		switch c {
		case '"', '\\', '/':
			out = append(out, c)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(s[i:])
			if !ok {
				return "", errors.New("bad \\u escape")
			}
			i += 4
			switch {
			case r >= 0x80 && r <= 0xff:
				out = append(out, byte(r))
			case utf16.IsSurrogate(r):
				r2, ok := rune(0), false
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					r2, ok = hex4(s[i+2:])
				}
				if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
					out = utf8.AppendRune(out, dec)
					i += 6
				} else {
					out = utf8.AppendRune(out, utf8.RuneError)
				}
			default:
				out = utf8.AppendRune(out, r)
			}
		default:
			return "", fmt.Errorf("bad escape \\%c", c)
		}
	}
	return string(out), nil
}

func hex4(s []byte) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(s[:4]), 16, 16)
	return rune(v), err == nil
}
