#!/usr/bin/env bash
# Runs the test suite N times (default 3) with both cores saturated by two
# busy-loop node processes, stopped on exit (issue 25 part 5: the suite must
# pass on a busy machine). Prints each run's duration and verdict; exits
# non-zero when any run failed.
#
#   test/load.sh                 # npm test, 3 times, under load
#   test/load.sh 5               # 5 times
#   test/load.sh 2 npx jest __tests__/registry-batch.test.ts   # any command
#   LOAD_PROCS=4 test/load.sh    # more (or 0: no) busy loops
#
# Each run's output goes to $LOAD_LOG_DIR (default: a fresh temp dir), named
# run-<i>.log; the summary names the log of every failed run.
set -u
cd "$(dirname "$0")/.."

runs=${1:-3}
if ! [[ "$runs" =~ ^[0-9]+$ ]] || [ "$runs" -lt 1 ]; then
  echo "usage: test/load.sh [runs] [command...]" >&2
  exit 2
fi
shift $(( $# > 0 ? 1 : 0 ))
if [ $# -gt 0 ]; then cmd=("$@"); else cmd=(npm test); fi

procs=${LOAD_PROCS:-2}
logs=${LOAD_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/ipcflow-load.XXXXXX")}
mkdir -p "$logs"

# Job control: each background job (the busy loops, each run) gets its own
# process group, so stopping a run stops what it started (npm -> jest -> workers).
set -m
pids=()
run_pid=
stop_load() {
  if [ -n "$run_pid" ]; then kill -- "-$run_pid" 2>/dev/null; wait "$run_pid" 2>/dev/null; fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  pids=()
}
trap stop_load EXIT
trap 'exit 130' INT TERM HUP

for ((p = 0; p < procs; p++)); do
  node -e 'for(;;){}' &
  pids+=("$!")
done
echo "load: ${#pids[@]} busy loop(s) (pids ${pids[*]:-none}); command: ${cmd[*]}; logs in $logs"

failed=0
summary=()
for ((i = 1; i <= runs; i++)); do
  log="$logs/run-$i.log"
  start=$(date +%s.%N)
  # In the background and waited for, so a signal to this script stops the run at once.
  "${cmd[@]}" >"$log" 2>&1 </dev/null &
  run_pid=$!
  wait "$run_pid"
  rc=$?
  run_pid=
  end=$(date +%s.%N)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  if [ "$rc" -eq 0 ]; then verdict=PASS; else verdict="FAIL (exit $rc, see $log)"; failed=$((failed + 1)); fi
  line="run $i/$runs: ${secs} s, $verdict"
  # jest's own summary lines, when the command ran jest
  tests=$(grep -E '^Tests:' "$log" | tail -1)
  [ -n "$tests" ] && line="$line; $tests"
  echo "$line"
  summary+=("$line")
  if [ "$rc" -ne 0 ]; then grep -E '^\s*(●|FAIL) ' "$log" | sort -u | head -20; fi
done

echo "---"
printf '%s\n' "${summary[@]}"
echo "$((runs - failed)) of $runs passed under load"
[ "$failed" -eq 0 ]
