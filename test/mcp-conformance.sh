#!/usr/bin/env bash
# Runs the official MCP conformance suite against `ingero mcp --http` on
# loopback, over HTTPS (self-signed, trusted as curl -k does) and over
# plain HTTP, and compares the failures with test/mcp-conformance-baseline.yml:
# exit 0 when exactly the scenarios listed there fail. The same check runs
# in `go test ./ingero-mcp -run Conformance`; this script shows the suite's
# whole report.
#
#   test/mcp-conformance.sh [RECORDING]   # default: a synthetic demo recording
set -euo pipefail
cd "$(dirname "$0")/.."

clients=$(test/mcp-clients.sh)
export PATH="$clients/node_modules/node/bin:$PATH" NODE_NO_WARNINGS=1
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

CGO_ENABLED=0 go build -o "$work/ingero-mcp" ./ingero-mcp/cmd/ingero-mcp
db="${1:-}"
if [ -z "$db" ]; then
	go build -o "$work/ingero" ./ingero
	db="$work/demo.db"
	"$work/ingero" demo --mode synthetic -d "$db" incident >/dev/null
fi

status=0
for mode in https http; do
	port=$((20000 + RANDOM % 20000))
	flags=()
	[ "$mode" = http ] && flags=(--no-tls)
	INGERO_MCP_TOKEN='' "$work/ingero-mcp" --http "127.0.0.1:$port" -d "$db" "${flags[@]}" 2>"$work/server-$mode.log" &
	pids+=($!)
	for _ in $(seq 50); do grep -q 'serving' "$work/server-$mode.log" && break; sleep 0.1; done
	echo "== conformance over $mode (port $port)"
	NODE_TLS_REJECT_UNAUTHORIZED=0 "$clients/node_modules/.bin/conformance" server \
		--url "$mode://127.0.0.1:$port/mcp" \
		--expected-failures test/mcp-conformance-baseline.yml || status=1
done
exit $status
