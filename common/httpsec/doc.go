// Package httpsec is the one front door of ingero's HTTP servers (mcp
// --http and dashboard): TLS 1.3 only, a self-signed certificate when the
// operator brings none, a Host guard against DNS rebinding, an optional
// bearer token and a cap on request bodies.
//
// Both servers expose recordings that hold process names and arguments,
// so the defaults are the strict ones: loopback, TLS, no plain HTTP off
// the loopback interface.
package httpsec
