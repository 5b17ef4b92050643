#!/bin/sh
# Runs every fuzz target for FUZZTIME each (default 60s), one after the
# other, with PARALLEL workers (default 2), and prints one line per target:
# the executions, the new corpus entries and whether it failed. Crashers
# land in the package's testdata/fuzz/<Target>/ (commit them with the fix).
# docs/reliability.md reports the runs.
set -u
cd "$(dirname "$0")/.."
FUZZTIME="${FUZZTIME:-60s}"
PARALLEL="${PARALLEL:-2}"
targets="
common/stream FuzzReader
common/stream FuzzFrameContent
common/batch FuzzDecode
common/ndjson FuzzDecode
common/hist FuzzUnmarshalBinary
common/timerange FuzzParseDuration
common/timerange FuzzParseSize
common/timerange FuzzParseTime
common/timerange FuzzResolve
common/adhoc FuzzGuard
common/annotate FuzzCoverage
ingero-mcp FuzzToolArguments
ingero-dashboard FuzzAPIParameters
"
status=0
echo "$targets" | while read -r dir target; do
	[ -n "$dir" ] || continue
	log="${OUT:-/tmp}/fuzz-$(basename "$dir")-$target.log"
	start=$(date +%s)
	# CPU time of the whole run: the build, the coordinator, the workers.
	(cd "$dir" && /usr/bin/time -f '%U %S' -o "$log.cpu" go test -run '^$' -fuzz "^$target\$" \
		-fuzztime "$FUZZTIME" -parallel "$PARALLEL" . >"$log" 2>&1)
	rc=$?
	cpu=$(awk '{printf "%.0f", $1 + $2}' "$log.cpu")
	execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1)
	new=$(grep -o 'new interesting: [0-9]*' "$log" | tail -1)
	echo "$dir $target: rc=$rc ${execs:-execs: ?} ${new:-} wall=$(($(date +%s) - start))s cpu=${cpu}s"
done
