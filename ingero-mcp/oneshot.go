package mcp

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// newHTTPHandler serves MCP clients with sessions (initialize, then
// requests carrying Mcp-Session-Id, server-sent event streams) and also
// answers a lone JSON-RPC request without a session in plain JSON, the
// way `curl … -d '{"method":"tools/call",…}' | jq` expects: a script
// should not have to speak the session handshake to ask one question.
func newHTTPHandler(srv *mcp.Server) http.Handler {
	get := func(*http.Request) *mcp.Server { return srv }
	sessions := mcp.NewStreamableHTTPHandler(get, &mcp.StreamableHTTPOptions{
		SessionTimeout: sessionIdle,
		// httpsec's guard checks Host, with --allow-host; the SDK's own
		// check would refuse those names on a loopback connection.
		DisableLocalhostProtection: true,
	})
	oneShot := mcp.NewStreamableHTTPHandler(get, &mcp.StreamableHTTPOptions{
		Stateless:                  true,
		JSONResponse:               true,
		DisableLocalhostProtection: true,
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Mcp-Session-Id") != "" {
			sessions.ServeHTTP(w, r)
			return
		}
		// The guard has capped the body; read it to see the method.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "reading the request: "+err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		var msg struct {
			Method string `json:"method"`
		}
		if json.Unmarshal(body, &msg) == nil && msg.Method != "" && msg.Method != "initialize" {
			oneShot.ServeHTTP(w, r)
			return
		}
		sessions.ServeHTTP(w, r)
	})
}
