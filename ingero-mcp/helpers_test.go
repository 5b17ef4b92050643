package mcp

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// connect serves the recording at path in-process and returns a client
// session of the official SDK over an in-memory pipe: the same JSON-RPC
// frames as stdio.
func connect(t testing.TB, path string, tweak ...func(*server)) *mcp.ClientSession {
	t.Helper()
	src := &source{flag: path}
	t.Cleanup(func() { src.close() })
	s := newServer(src)
	for _, f := range tweak {
		f(s)
	}
	return connectServer(t, s.build())
}

func connectServer(t testing.TB, srv *mcp.Server) *mcp.ClientSession {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	client := mcp.NewClient(&mcp.Implementation{Name: "ingero-test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// reply is one tool call's result, decoded.
type reply struct {
	text       string         // the text content
	structured map[string]any // the structured content
	isError    bool
}

func call(t testing.TB, cs *mcp.ClientSession, name string, args map[string]any) reply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s(%v): protocol error: %v", name, args, err)
	}
	var r reply
	r.isError = res.IsError
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			r.text += tc.Text
		}
	}
	if res.StructuredContent != nil {
		raw, err := json.Marshal(res.StructuredContent)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &r.structured); err != nil {
			t.Fatalf("%s: structured content is not an object: %s", name, raw)
		}
	}
	return r
}

// ok calls a tool that must succeed.
func ok(t testing.TB, cs *mcp.ClientSession, name string, args map[string]any) reply {
	t.Helper()
	r := call(t, cs, name, args)
	if r.isError {
		t.Fatalf("%s(%v): tool error: %s", name, args, r.text)
	}
	return r
}

// fails calls a tool that must answer with a tool error containing want.
func fails(t testing.TB, cs *mcp.ClientSession, name string, args map[string]any, want string) reply {
	t.Helper()
	r := call(t, cs, name, args)
	if !r.isError {
		t.Fatalf("%s(%v): want a tool error, got: %.300s", name, args, r.text)
	}
	if !strings.Contains(r.text, want) {
		t.Errorf("%s(%v): error %q does not say %q", name, args, r.text, want)
	}
	return r
}

// path walks a decoded JSON value: keys for objects, ints for arrays.
func path(v any, steps ...any) any {
	for _, s := range steps {
		switch s := s.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[s]
		case int:
			a, _ := v.([]any)
			if s >= len(a) {
				return nil
			}
			v = a[s]
		}
	}
	return v
}

func verboseArgs(args map[string]any) map[string]any {
	out := map[string]any{"tsc": false}
	for k, v := range args {
		out[k] = v
	}
	return out
}
