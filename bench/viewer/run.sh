#!/usr/bin/env bash
# bench/viewer/run.sh — the viewer's figures for docs/PERFORMANCE.md, on
# loopback: build/rtmon-demo starts a swarm that keeps moving data,
# collectd with the plugin writing RRD files and serving unixsock, and the
# real build/rtmon-viewer; then
#   1. wrk against /json/live (100 connections, 2 threads), RUNS times:
#      requests/s and p99 latency, with their medians;
#   2. bench/viewer/sse: 0, 1, 100 and 1,000 live-page clients on /events,
#      each count held for INTERVALS intervals: the viewer's unixsock polls
#      per interval (from the snapshots' unixsock_polls), streams, clients
#      refused beyond the stream cap (they poll /json/live, as the page does);
#   3. go test -bench Render (viewer/graphs) and Graph (viewer/rrd), RUNS
#      times: a graph in process, by the rrdtool program, and from the cache.
# Everything lands in OUT (default: a new directory under /dev/shm), the
# figures in OUT/summary.txt. Needs `make build` and wrk (`make bench-deps`).
#
# Knobs (environment): RUNS (3), WRK_DURATION (20s), WRK_CONNECTIONS (100),
# SSE_CLIENTS (0,1,100,1000), MAX_STREAMS (1024: the viewer's -max-streams,
# so 1,000 clients are 1,000 streams; 256 is the default a user gets),
# INTERVALS (10), INTERVAL (1s), PORT (18042),
# BUILD (build), OUT. COMPARE_VIEWER=<another rtmon-viewer binary> starts it
# too, on PORT+1 against the same collectd, and alternates the wrk runs
# between the two (a before/after within one run).
set -euo pipefail
export PATH=/usr/local/go/bin:$PATH
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${RUNS:-3}
WRK_DURATION=${WRK_DURATION:-20s}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-100}
SSE_CLIENTS=${SSE_CLIENTS:-0,1,100,1000}
MAX_STREAMS=${MAX_STREAMS:-1024}
INTERVALS=${INTERVALS:-10}
INTERVAL=${INTERVAL:-1s}
PORT=${PORT:-18042}
BUILD=$(cd "${BUILD:-$ROOT/build}" && pwd)
OUT=${OUT:-$(mktemp -d /dev/shm/rtmon-viewer-bench.XXXXXX)}
mkdir -p "$OUT"
URL=http://127.0.0.1:$PORT

for b in wrk rrdtool; do
	command -v $b >/dev/null || { echo "bench/viewer: $b not found; run make bench-deps (wrk) or make deps" >&2; exit 1; }
done
for f in rtmon-demo rtmon-viewer rtorrent.so; do
	[ -x "$BUILD/$f" ] || [ -f "$BUILD/$f" ] || { echo "bench/viewer: $BUILD/$f missing; run make build" >&2; exit 1; }
done
if curl -s -o /dev/null "$URL/"; then
	echo "bench/viewer: something already listens on $URL; set PORT" >&2; exit 1
fi

# median of the numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print ""; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

log() { echo "bench/viewer: $*" | tee -a "$OUT/summary.txt"; }

"$BUILD/rtmon-demo" -dir "$OUT/stack" -snippets "$ROOT/collectd.conf.d" -build "$BUILD" \
	-listen "127.0.0.1:$PORT" -interval "$INTERVAL" -viewer-flags "-max-streams $MAX_STREAMS" >"$OUT/demo.log" 2>&1 &
DEMO=$!
trap 'kill -TERM $DEMO 2>/dev/null || true; wait $DEMO 2>/dev/null || true' EXIT
for _ in $(seq 240); do
	curl -sf -o /dev/null "$URL/json/live" && break
	kill -0 $DEMO 2>/dev/null || { cat "$OUT/demo.log" >&2; exit 1; }
	sleep 0.5
done
curl -sf -o /dev/null "$URL/json/live" || { echo "bench/viewer: the viewer did not come up; see $OUT/demo.log" >&2; exit 1; }
# The demo prints its summary (with the viewer's pid) once the viewer answers.
for _ in $(seq 100); do
	VIEWER_PID=$(sed -n 's/.*rtmon-viewer .*(pid \([0-9]*\),.*/\1/p' "$OUT/demo.log" | head -1)
	[ -n "$VIEWER_PID" ] && break
	sleep 0.1
done
log "stack in $OUT/stack (viewer pid ${VIEWER_PID:-?}, interval $INTERVAL); $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
sleep 5 # a few snapshots with rates in them

# 1. /json/live under wrk.
targets=("$URL")
if [ -n "${COMPARE_VIEWER:-}" ]; then
	"$COMPARE_VIEWER" -listen "127.0.0.1:$((PORT + 1))" -datadir "$OUT/stack/rrd" -socket "$OUT/stack/collectd.sock" \
		-hostname "$(hostname)" -disk-usage-path "$OUT/stack" -interval "$INTERVAL" >"$OUT/compare-viewer.log" 2>&1 &
	COMPARE=$!
	trap 'kill -TERM $COMPARE 2>/dev/null || true; kill -TERM $DEMO 2>/dev/null || true; wait $DEMO 2>/dev/null || true' EXIT
	for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$((PORT + 1))/json/live" && break; sleep 0.2; done
	targets+=("http://127.0.0.1:$((PORT + 1))")
	log "comparing with $COMPARE_VIEWER on port $((PORT + 1)) (wrk runs alternate)"
fi
bytes=$(curl -s "$URL/json/live" | wc -c)
log "/json/live: $bytes bytes a reply; wrk -c $WRK_CONNECTIONS -t 2 -d $WRK_DURATION --latency, $RUNS runs"
for t in "${!targets[@]}"; do : >"$OUT/wrk-$t.tsv"; done
for i in $(seq "$RUNS"); do
	for t in "${!targets[@]}"; do
		f="$OUT/wrk-$t-$i.txt"
		wrk -c "$WRK_CONNECTIONS" -t 2 -d "$WRK_DURATION" --latency "${targets[$t]}/json/live" >"$f"
		rps=$(awk '/^Requests\/sec:/ {print $2}' "$f")
		# wrk prints "99%  12.34ms" (us, ms or s) in its latency distribution.
		p99=$(awk '$1=="99%" {v=$2; u=v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
			if (u=="us") v/=1000; else if (u=="s") v*=1000; else if (u=="m") v*=60000; print v}' "$f")
		bad=$(awk '/Non-2xx/ {print $NF} /Socket errors/ {print}' "$f" | tr '\n' ' ')
		printf '%s\t%s\t%s\n' "$rps" "$p99" "$bad" >>"$OUT/wrk-$t.tsv"
		log "  run $i ${targets[$t]}: $rps requests/s, p99 ${p99} ms ${bad:+(errors: $bad)}"
	done
done
for t in "${!targets[@]}"; do
	log "  median ${targets[$t]}: $(cut -f1 "$OUT/wrk-$t.tsv" | median) requests/s, p99 $(cut -f2 "$OUT/wrk-$t.tsv" | median) ms (target: p99 < 20 ms)"
done
if [ -n "${COMPARE_VIEWER:-}" ]; then
	kill -TERM $COMPARE 2>/dev/null || true
	log "  ratio of medians, this viewer over $COMPARE_VIEWER: requests/s $(awk -v a="$(cut -f1 "$OUT/wrk-0.tsv" | median)" -v b="$(cut -f1 "$OUT/wrk-1.tsv" | median)" 'BEGIN {printf "%.2f", a/b}'), p99 $(awk -v a="$(cut -f2 "$OUT/wrk-0.tsv" | median)" -v b="$(cut -f2 "$OUT/wrk-1.tsv" | median)" 'BEGIN {printf "%.2f", a/b}')"
fi

# 2. Live-page clients and the viewer's unixsock polls.
go build -o "$OUT/sse" "$ROOT/bench/viewer/sse"
log "live-page clients on /events, each count held $INTERVALS intervals:"
"$OUT/sse" -url "$URL" -clients "$SSE_CLIENTS" -intervals "$INTERVALS" -pid "${VIEWER_PID:-0}" | tee "$OUT/sse.tsv" | sed 's/^/  /' | tee -a "$OUT/summary.txt"

# 3. Graph renders. Ratios are of the medians.
log "graph renders: go test -bench, -count $RUNS"
if ! (cd "$ROOT" && go test -run '^$' -bench 'Render' -count "$RUNS" ./viewer/graphs/ &&
	go test -run '^$' -bench 'Graph$' -count "$RUNS" ./viewer/rrd/) >"$OUT/render.txt" 2>&1; then
	log "  the render benchmarks failed; see $OUT/render.txt"
	exit 1
fi
# A benchmark's lines are "<name>-<GOMAXPROCS> <N> <ns> ns/op ...".
ms() { awk -v b="$1" '$1 ~ ("^" b "-[0-9]+$") {print $3}' "$OUT/render.txt" | median | awk '{printf "%.3f", $1/1e6}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
inproc=$(ms BenchmarkRender/in-process); proc=$(ms BenchmarkRender/rrdtool-process); cached=$(ms BenchmarkRender/cached)
log "  viewer graph (viewer/graphs BenchmarkRender): in process $inproc ms, rrdtool program $proc ms: $(ratio "$proc" "$inproc")x (target: >= 3x); cached $cached ms ($(ratio "$inproc" "$cached")x faster than in process)"
inproc=$(ms BenchmarkGraph/in-process); proc=$(ms BenchmarkGraph/rrdtool-process)
log "  librrd graph (viewer/rrd BenchmarkGraph): in process $inproc ms, rrdtool program $proc ms: $(ratio "$proc" "$inproc")x"
log "done; raw output in $OUT"
