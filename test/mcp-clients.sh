#!/usr/bin/env bash
# Installs the third-party MCP programs that ingero-mcp's tests drive: the
# official MCP Inspector (its CLI mode is a real MCP client) and the
# official conformance suite, with a Node new enough for them (>= 22.19;
# Debian's nodejs is 20, so npm's `node` package brings one).
#
# They go into a cache directory, once: a second run with the same pins
# returns at once. Prints the directory. The tests look there, or in
# $INGERO_MCP_CLIENTS.
#
#   test/mcp-clients.sh            # install if needed, print the directory
#   INGERO_MCP_CLIENTS=/opt/x test/mcp-clients.sh
set -euo pipefail

dir="${INGERO_MCP_CLIENTS:-${XDG_CACHE_HOME:-$HOME/.cache}/ingero/mcp-clients}"
pins="node@22.23.3 @modelcontextprotocol/inspector@2.12.0 @modelcontextprotocol/conformance@0.1.16"
stamp="$dir/.installed"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$pins" ] && [ -x "$dir/node_modules/node/bin/node" ]; then
	echo "$dir"
	exit 0
fi

if ! command -v npm >/dev/null; then
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	echo "installing npm with apt-get" >&2
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update >&2
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y npm >&2
fi

mkdir -p "$dir"
echo "installing into $dir: $pins" >&2
# shellcheck disable=SC2086 # the pins are separate words
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error $pins >&2
"$dir/node_modules/node/bin/node" --version >/dev/null
echo "$pins" >"$stamp"
echo "$dir"
