package mcp

import (
	"slices"

	"github.com/google/jsonschema-go/jsonschema"
)

// portable rewrites the schemas jsonschema.For derives so that clients
// mapping them onto a single-type dialect (Gemini's function declarations,
// OpenAPI 3.0) accept them: a type list ["null", X] becomes X where null
// never comes (an optional input, or a list or map the tools always fill
// with [] or {}), and an anyOf of single types where it does (a pointer
// that is written as null, such as window.from).
func portable(s *jsonschema.Schema, required bool) {
	if s == nil {
		return
	}
	if len(s.Types) == 2 && slices.Contains(s.Types, "null") {
		other := s.Types[0]
		if other == "null" {
			other = s.Types[1]
		}
		s.Types = nil
		if required && other != "array" && other != "object" {
			// Keep the contract: present, and possibly null.
			s.AnyOf = []*jsonschema.Schema{{Type: "null"}, {Type: other}}
		} else {
			s.Type = other
		}
	}
	for name, p := range s.Properties {
		portable(p, slices.Contains(s.Required, name))
	}
	portable(s.Items, false)
	portable(s.AdditionalProperties, false)
	for _, a := range s.AnyOf {
		portable(a, false)
	}
}

// sqlCell is what a cell of run_sql's rows may hold: a number, a string
// (BLOBs as "0x…") or null. Without it, []any derives the schema `true`,
// which says nothing.
var sqlCell = &jsonschema.Schema{AnyOf: []*jsonschema.Schema{{Type: "number"}, {Type: "string"}, {Type: "null"}}}

// schemasFor derives a tool's input and output schemas.
func schemasFor[In, Out any]() (in, out *jsonschema.Schema, err error) {
	if in, err = jsonschema.For[In](nil); err != nil {
		return nil, nil, err
	}
	if out, err = jsonschema.For[Out](nil); err != nil {
		return nil, nil, err
	}
	portable(in, false)
	portable(out, false)
	if rows := out.Properties["rows"]; rows != nil && rows.Items != nil && rows.Items.Items != nil {
		rows.Items.Items = sqlCell
	}
	return in, out, nil
}
