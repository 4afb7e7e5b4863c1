#!/usr/bin/env bash
# Exactly-once delivery at full scale: the scenarios of test/scale/mail-workers.test.ts (two workers
# with a server that holds some mails past the lease, four workers sharing the work, a worker
# killed with SIGKILL at a random moment) with thousands of recipients instead of hundreds, run
# BENCH_RUNS times. Each run asserts what the test asserts (every recipient exactly once; a
# duplicate only for a mail the killed worker had handed to the server, and then one) and prints
# its counts; the lines are collected in results/workers-latest.md.
#
#   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test bench/notify/workers.sh
#   BENCH_SUBSCRIBERS=5000 BENCH_RUNS=3 (the defaults)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$(.ci/node.sh):$PATH"
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
subscribers="${BENCH_SUBSCRIBERS:-5000}"
runs="${BENCH_RUNS:-3}"
out=bench/notify/results/workers-latest.md
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

{
  echo "# Mail delivery by several workers: $subscribers recipients, $runs runs"
  echo
  echo "$(date -u +%FT%TZ), $(nproc) CPUs, $(node --version), PostgreSQL at TEST_DATABASE_URL; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} >"$out"
failed=0
for run in $(seq 1 "$runs"); do
  if NO_COLOR=1 FORCE_COLOR=0 ATTEST_MAIL_WORKERS_SUBSCRIBERS="$subscribers" npx vitest run test/scale/mail-workers.test.ts >"$log" 2>&1; then
    result=passed
  else
    result=FAILED
    failed=1
  fi
  {
    [ "$run" -gt 1 ] && echo
    echo "## Run $run: $result"
    echo
    grep -E '^(2 workers|4 workers|kill -9)' "$log" | sed 's/^/- /' || true
  } >>"$out"
  [ "$result" = passed ] || tail -40 "$log"
done
cat "$out"
exit "$failed"
