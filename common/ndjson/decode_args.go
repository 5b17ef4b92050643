package ndjson

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

func decodeArgs(spec *argSpec, raw map[string]json.RawMessage) ([4]uint64, error) {
	var args [4]uint64
	var set [4]bool
	put := func(slot int, v uint64, key string) error {
		if set[slot] && spec[slot].kind != kindPorts && spec[slot].kind != kindRank {
			return fmt.Errorf("%s sets slot %d twice", key, slot)
		}
		set[slot] = true
		args[slot] |= v
		return nil
	}
	for key, val := range raw {
		slot, f := lookupArg(spec, key)
		if slot < 0 {
			continue // a name from a newer writer
		}
		v, err := parseArg(f, key, val)
		if err != nil {
			return args, fmt.Errorf("%s: %w", key, err)
		}
		if err := put(slot, v, key); err != nil {
			return args, err
		}
	}
	return args, nil
}

// lookupArg finds the slot a key fills and how its value is written.
func lookupArg(spec *argSpec, key string) (int, argField) {
	for i, n := range rawArgNames {
		if key == n {
			return i, argField{n, kindNum}
		}
	}
	for i, f := range spec {
		if f.name == "" {
			continue
		}
		if f.name == key || f.kind == kindPorts && (key == "sport" || key == "dport") || f.kind == kindRank && key == "nranks" {
			return i, f
		}
	}
	return -1, argField{}
}

func parseArg(f argField, key string, raw json.RawMessage) (uint64, error) {
	text := string(raw)
	switch f.kind {
	case kindNum:
		return strconv.ParseUint(text, 10, 64)
	case kindInt:
		v, err := strconv.ParseInt(text, 10, 64)
		return uint64(v), err
	case kindBool:
		switch text {
		case "true":
			return 1, nil
		case "false":
			return 0, nil
		}
		return 0, fmt.Errorf("want true or false, got %s", text)
	case kindPorts:
		v, err := strconv.ParseUint(text, 10, 16)
		if key == "sport" {
			v <<= 16
		}
		return v, err
	case kindRank:
		v, err := strconv.ParseUint(text, 10, 32)
		if key == "nranks" {
			v <<= 32
		}
		return v, err
	}
	s, err := unquote(raw)
	if err != nil {
		return 0, err
	}
	if f.kind == kindHex {
		return parseHex(s)
	}
	for i, name := range copyKinds {
		if s == name {
			return uint64(i), nil
		}
	}
	return 0, fmt.Errorf("unknown memcpy kind %q", s)
}

func parseHex(s string) (uint64, error) {
	digits, ok := strings.CutPrefix(s, "0x")
	if !ok {
		return 0, fmt.Errorf("want 0x-prefixed hex, got %q", s)
	}
	return strconv.ParseUint(digits, 16, 64)
}
