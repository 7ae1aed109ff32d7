#!/usr/bin/env bash
# Ebb's benchmarks of the example servers (not timed tests). For each example app that is built:
#  1. throughput with Ebb vs -Debb.enabled=false: both JVMs up at once, wrk runs interleaved (ABBA order),
#     PAIRS pairs of DURATION each; the median of the per-pair ratios;
#  2. the time from the end of the last in-flight request to Ebb's STOPPED (RUNS runs, no deregistration delay);
#  3. the time to close IDLE idle keep-alive connections when DRAINING begins (SIGTERM with delay 0).
# Prints a table and writes BENCHMARKS.md at the repository root.
#   benchmarks/run.sh [app ...]        (default: every example with a jar; env: PAIRS, DURATION, RUNS, IDLE, BUILD=0)
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS="${PAIRS:-5}"; DURATION="${DURATION:-5s}"; RUNS="${RUNS:-10}"; IDLE="${IDLE:-10000}"
APPS=("$@"); [ ${#APPS[@]} -gt 0 ] || APPS=(jetty undertow netty spring-boot)
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
present=()
for a in "${APPS[@]}"; do [ -f "examples/$a/pom.xml" ] && present+=("$a"); done
[ ${#present[@]} -gt 0 ] || { echo "no example apps found" >&2; exit 2; }
if [ "${BUILD:-1}" != 0 ]; then
  mods=$(printf 'examples/%s,' "${present[@]}"); mods=${mods%,}
  echo "building $mods ..."
  mvn -B -q -DskipTests package -pl "$mods" -am
fi
JAVA_OPTS=(-XX:+UseSerialGC -Xmx256m)
unset EBB_E2E   # not a setting: Ebb ignores it, but the benchmark children get a clean environment (CI sets it for the e2e suite)
work=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
await_ready() { for _ in $(seq 1 900); do curl -fs "http://127.0.0.1:$1/ready" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
rps() { wrk -t2 -c32 -d"$2" "http://127.0.0.1:$1/work?ms=0" | awk '/Requests\/sec/ {print $2}'; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# This machine's floor for the idle-close figure, under the same client: a bare server closing its sockets in a loop.
floor=$(java benchmarks/scripts/DrainBench.java idle-close floor "$IDLE" | grep '^RESULT')
echo "floor: $floor"
rows=()
for app in "${present[@]}"; do
  jar="examples/$app/target/ebb-example-$app.jar"
  [ -f "$jar" ] || { echo "skip $app: no $jar"; continue; }
  echo "== $app"
  pe=$(free_port); java "${JAVA_OPTS[@]}" -jar "$jar" --port="$pe" >"$work/$app-ebb.log" 2>&1 & pids+=($!); ebb_pid=$!
  pp=$(free_port); java "${JAVA_OPTS[@]}" -Debb.enabled=false -jar "$jar" --port="$pp" >"$work/$app-plain.log" 2>&1 & pids+=($!); plain_pid=$!
  await_ready "$pe"; await_ready "$pp"
  rps "$pe" 10s >/dev/null; rps "$pp" 10s >/dev/null   # warm-up (JIT) of both
  ratios=(); ebbs=(); plains=()
  for i in $(seq 1 "$PAIRS"); do
    if [ $((i % 2)) -eq 1 ]; then e=$(rps "$pe" "$DURATION"); p=$(rps "$pp" "$DURATION");
    else p=$(rps "$pp" "$DURATION"); e=$(rps "$pe" "$DURATION"); fi
    r=$(awk -v e="$e" -v p="$p" 'BEGIN {printf "%.3f", e/p}')
    echo "   pair $i: with Ebb $e req/s, without $p req/s, ratio $r"
    ratios+=("$r"); ebbs+=("$e"); plains+=("$p")
  done
  kill "$ebb_pid" "$plain_pid" 2>/dev/null || true; wait "$ebb_pid" "$plain_pid" 2>/dev/null || true
  ratio=$(printf '%s\n' "${ratios[@]}" | median)
  ebb_med=$(printf '%s\n' "${ebbs[@]}" | median); plain_med=$(printf '%s\n' "${plains[@]}" | median)
  stop=$(java benchmarks/scripts/DrainBench.java stop-latency "$jar" "$RUNS" | grep '^RESULT')
  echo "   $stop"
  idle=$(java benchmarks/scripts/DrainBench.java idle-close "$jar" "$IDLE" | grep '^RESULT')
  echo "   $idle"
  kv() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }
  rows+=("| $app | $ebb_med | $plain_med | $ratio | $(kv to_stopped_median_ms "$stop") | $(kv to_stopped_max_ms "$stop") | $(kv to_exit_median_ms "$stop") | $(kv closed "$idle")/$IDLE in $(kv all_closed_ms "$idle") ms |")
done

header="| server | req/s with Ebb (median) | req/s without | median ratio ($PAIRS pairs) | last request end → STOPPED, median ms | max ms ($RUNS runs) | → JVM exit, median ms | idle keep-alive connections closed at DRAINING |
|---|---|---|---|---|---|---|---|"
table=$(printf '%s\n' "$header" "${rows[@]}")
echo; echo "$table"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs || true)
cat > BENCHMARKS.md <<MD
# Benchmarks

Measured by \`benchmarks/run.sh\` (command: \`PAIRS=$PAIRS DURATION=$DURATION RUNS=$RUNS IDLE=$IDLE benchmarks/run.sh ${APPS[*]}\`)
on $(date -u +%Y-%m-%d), $(nproc) cores ($cpu), $(java -version 2>&1 | head -1), the load generator (wrk) on the same machine.

$table

- **Throughput**: one JVM with Ebb and one with \`-Debb.enabled=false\` run at the same time; \`wrk -t2 -c32 -d$DURATION\`
  of \`GET /work?ms=0\` alternates between them (ABBA order) after a 10 s warm-up of each; the ratio is with/without per
  pair, and the table shows the median (target ≥ 0.98). Loopback and a shared 2-core machine: treat single figures
  as noisy, the ratio as the result.
- **Last request end → STOPPED**: a JVM with \`-Debb.deregistration-delay=0s\` gets SIGTERM while a 1.5 s request is in
  flight; the client notes the wall-clock time its response ends, and the app's \`ebb: STOPPED\` log line carries its
  own (millisecond) timestamp; the difference includes stopping the server. Target p99 ≤ 5 ms (with $RUNS runs the max
  stands in for the p99). "→ JVM exit" is the client's monotonic time to the process's exit (includes the JVM's exit).
- **Idle connections**: $IDLE keep-alive connections, each with one answered request, then SIGTERM with delay 0:
  from the app's \`ebb: DEREGISTERING\` log line (immediately before DRAINING with delay 0)
  to the moment the client has seen the last of them closed (EOF). The floor of this machine, measured by the same
  client against \`benchmarks/scripts/CloseFloor.java\` (no HTTP server, no Ebb: one thread closes the sockets in a
  loop) in this run: $(sed -n 's/.*all_closed_ms=\([0-9]*\).*/\1/p' <<<"$floor") ms.
MD
echo; echo "wrote BENCHMARKS.md"
