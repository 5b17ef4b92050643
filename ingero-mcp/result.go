package mcp

import (
	"context"
	"errors"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Common are the inputs every tool takes.
type Common struct {
	Since string `json:"since,omitempty" jsonschema:"only the last part of the recording: a duration such as 90s, 5m, 1h30m or 2d, counted back from the recording's last event; empty means all of it"`
	TSC   *bool  `json:"tsc,omitempty" jsonschema:"compact output (default true): short keys and tables; false gives indented JSON with full key names"`
}

func (c Common) compact() bool { return c.TSC == nil || *c.TSC }

// maxResponse caps the text of one answer: an agent's context is the
// scarce resource, and a bigger answer is a question asked too broadly.
const maxResponse = 1 << 20

// errTooBig is wrapped when an answer would pass maxResponse.
var errTooBig = errors.New("answer too big")

// answer turns a tool's output into its result: the strings that came
// from the recording fenced (in the structured output too), and the text
// content in TSC or verbose JSON as the call asked.
func answer[Out any](c Common, out *Out) (*mcp.CallToolResult, error) {
	fenceValue(out)
	text, err := render(c, out)
	if err != nil {
		return nil, err
	}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(text)}}}, nil
}

func render(c Common, v any) ([]byte, error) {
	full, err := verbose(v)
	if err != nil {
		return nil, fmt.Errorf("encoding the answer: %w", err)
	}
	if len(full) > maxResponse {
		return nil, fmt.Errorf("%w: %d bytes, over the %d-byte cap; ask for less (a shorter since, a lower top_n or limit, fewer pids)", errTooBig, len(full), maxResponse)
	}
	if !c.compact() {
		return full, nil
	}
	return compact(v)
}

// handler adapts a tool's logic to the SDK: the logic returns its output
// and the Common inputs of the call; errors become tool errors (isError,
// one line the agent can act on) rather than protocol errors, so the
// session goes on.
func handler[In any, Out any](common func(In) Common, run func(context.Context, In) (*Out, error)) mcp.ToolHandlerFor[In, *Out] {
	return func(ctx context.Context, req *mcp.CallToolRequest, in In) (_ *mcp.CallToolResult, _ *Out, err error) {
		// SQLite (through its wasm build) panics when it runs out of
		// memory, which a crafted recording can make it do. One call
		// fails; the server and its other sessions go on.
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("%s failed: %v; the server goes on, but this recording needs a narrower question", req.Params.Name, p)
			}
		}()
		out, err := run(ctx, in)
		if err != nil {
			return nil, nil, err
		}
		res, err := answer(common(in), out)
		if err != nil {
			return nil, nil, err
		}
		return res, out, nil
	}
}
