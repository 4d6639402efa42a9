#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# siplint capture benchmark (issue 10). Not part of ctest. See bench/README.md.
#
#   bench/run.sh [--sizes 100,500,1000] [--runs 5] [--build DIR] [--out DIR] [--seconds S]
#                [--tshark-runs N] [--regen]
#
# 1. builds siplint, pcap_loop and pcap_repeat in DIR (default build-bench, configured Release:
#    -O3 -DNDEBUG) unless DIR already holds a configured build;
# 2. captures S seconds (default 20) of real sipp traffic into OUT/base.pcap (bench/gen.sh: needs
#    root, sipp, tcpdump, python3), unless it exists or --regen;
# 3. builds OUT/cap-<MB>.pcap of each size from time-shifted copies of it (pcap_repeat);
# 4. per size: reads the file once (page cache), then RUNS times alternately the bare libpcap
#    loop (pcap_loop) and `siplint --format jsonl -q --no-config FILE >/dev/null`, wall time and
#    peak RSS (/usr/bin/time) of each; then tshark -Y TSHARK_RUNS times (0: skip);
# 5. -j N (N = cores) on N copies of the smallest capture, against one copy;
# 6. start-up: siplint on a header-only pcap, 21 runs;
# 7. prints a Markdown table (also OUT/results.md): median and min-max, ratio to the loop's
#    median, MB/s and packets/s of siplint's median, peak RSS.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZES=100,500,1000
RUNS=5
BUILD=$ROOT/build-bench
OUT=$ROOT/bench/out
SECONDS_CAP=20
TSHARK_RUNS=1
REGEN=0
while [ $# -gt 0 ]; do
    case $1 in
    --sizes) SIZES=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    --build) BUILD=$(cd "$2" 2>/dev/null && pwd || echo "$2"); shift ;;
    --out) OUT=$2; shift ;;
    --seconds) SECONDS_CAP=$2; shift ;;
    --tshark-runs) TSHARK_RUNS=$2; shift ;;
    --regen) REGEN=1 ;;
    -h|--help) sed -n '3,20p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 3 ;;
    esac
    shift
done
die() { echo "run.sh: $*" >&2; exit 1; }
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DSIPLINT_TESTS=OFF >/dev/null || die "cmake failed"
fi
cmake --build "$BUILD" --target siplint pcap_loop pcap_repeat -j2 >/dev/null || die "build failed"
SIPLINT=$BUILD/siplint
LOOP=$BUILD/bench/pcap_loop
REPEAT=$BUILD/bench/pcap_repeat
BTYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD/CMakeCache.txt")

if [ $REGEN = 1 ] || [ ! -f "$OUT/base.pcap" ]; then
    "$ROOT/bench/gen.sh" "$OUT" "$SECONDS_CAP" || die "capture failed"
fi
head -c 24 "$OUT/base.pcap" >"$OUT/empty.pcap"

NICE=""
[ "$(id -u)" = 0 ] && NICE="nice -n -5"

# one timed run: prints "wall_microseconds maxrss_kib cpu_seconds" (cpu: user + system)
timed() { # OUTFILE CMD...
    local t0 t1 of=$1
    shift
    t0=$(date +%s%N)
    $NICE /usr/bin/time -f '%M %U %S' -o "$OUT/time.tmp" "$@" >"$of" 2>/dev/null
    t1=$(date +%s%N)
    echo "$(( (t1 - t0) / 1000 )) $(tail -n 1 "$OUT/time.tmp" | awk '{printf "%s %.2f", $1, $2 + $3}')"
}
# median, min, max of the first column (microseconds) -> seconds
stats() { sort -n | awk '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%.3f %.3f %.3f\n", m/1e6, v[1]/1e6, v[NR]/1e6}'; }
maxcol2() { awk 'BEGIN{m=0} $2>m{m=$2} END{print m}'; }
medcpu() { awk '{print $3 * 1e6}' | stats | cut -d' ' -f1; }

{
echo "# siplint capture benchmark"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "siplint: $BUILD ($BTYPE), $(gcc --version | head -1); $(tshark --version 2>/dev/null | head -1)"
echo "runs: $RUNS per size, siplint and the libpcap loop alternating; siplint --format jsonl -q --no-config FILE >/dev/null"
echo
echo "| capture | packets | libpcap loop s (min-max) | siplint s (min-max) | ratio | MB/s | packets/s | findings | siplint peak RSS MiB | loop peak RSS MiB | CPU s siplint / loop (ratio) | tshark -Y s | tshark RSS MiB |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} | tee "$OUT/results.md"

for s in ${SIZES//,/ }; do
    f=$OUT/cap-$s.pcap
    [ -f "$f" ] && [ "$f" -nt "$OUT/base.pcap" ] || "$REPEAT" "$OUT/base.pcap" "$f" "$s" >/dev/null || die "pcap_repeat failed"
    bytes=$(stat -c %s "$f")
    cat "$f" >/dev/null
    pkts=$("$LOOP" "$f" | cut -d' ' -f1)
    : >"$OUT/loop.t"; : >"$OUT/lint.t"
    for r in $(seq 1 "$RUNS"); do
        timed /dev/null "$LOOP" "$f" >>"$OUT/loop.t"
        timed /dev/null "$SIPLINT" --format jsonl -q --no-config "$f" >>"$OUT/lint.t"
    done
    findings=$("$SIPLINT" --format jsonl -q --no-config "$f" | grep -c '"type":"finding"')
    read -r lm lmin lmax < <(stats <"$OUT/loop.t")
    read -r sm smin smax < <(stats <"$OUT/lint.t")
    srss=$(maxcol2 <"$OUT/lint.t"); lrss=$(maxcol2 <"$OUT/loop.t")
    scpu=$(medcpu <"$OUT/lint.t"); lcpu=$(medcpu <"$OUT/loop.t")
    ts="-"; trss="-"
    if [ "$TSHARK_RUNS" -gt 0 ] && command -v tshark >/dev/null; then
        : >"$OUT/tshark.t"
        for r in $(seq 1 "$TSHARK_RUNS"); do
            timed /dev/null tshark -n -r "$f" -Y 'sip.Method == "MESSAGE" && frame.len > 1300' >>"$OUT/tshark.t"
        done
        read -r ts _ _ < <(stats <"$OUT/tshark.t")
        trss=$(awk '{printf "%.0f", $0/1024}' <<<"$(maxcol2 <"$OUT/tshark.t")")
    fi
    awk -v s="$s" -v b="$bytes" -v p="$pkts" -v lm="$lm" -v lmin="$lmin" -v lmax="$lmax" \
        -v sm="$sm" -v smin="$smin" -v smax="$smax" -v sr="$srss" -v lr="$lrss" -v n="$findings" \
        -v ts="$ts" -v tr="$trss" -v sc="$scpu" -v lc="$lcpu" 'BEGIN {
        printf "| %d MB | %d | %.3f (%.3f-%.3f) | %.3f (%.3f-%.3f) | %.2f | %.0f | %.2f M | %d | %.1f | %.1f | %.2f / %.2f (%s) | %s | %s |\n",
            b/1e6, p, lm, lmin, lmax, sm, smin, smax, sm/lm, b/1e6/sm, p/sm/1e6, n, sr/1024, lr/1024,
            sc, lc, (lc > 0 ? sprintf("%.1f", sc/lc) : "-"), ts, tr }' \
        | tee -a "$OUT/results.md"
done

# -j N (issue 10, "N captures on N cores take about as long as one"): the smallest size's capture
# once, then N copies of it with -j N (N = the number of cores), alternating, RUNS times each.
# With several inputs at once each job is one thread (no reader/writer pipeline), so the single
# input is also timed that way (SIPLINT_PIPELINE=0), which is the like-for-like comparison.
JN=$(nproc)
first=${SIZES%%,*}
jf=$OUT/cap-$first.pcap
if [ "$JN" -gt 1 ] && [ -f "$jf" ]; then
    jargs=()
    for i in $(seq 1 "$JN"); do jargs+=("$jf"); done
    : >"$OUT/j1.t"; : >"$OUT/j1p.t"; : >"$OUT/jn.t"
    for r in $(seq 1 "$RUNS"); do
        timed /dev/null "$SIPLINT" --format jsonl -q --no-config "$jf" >>"$OUT/j1p.t"
        timed /dev/null env SIPLINT_PIPELINE=0 "$SIPLINT" --format jsonl -q --no-config "$jf" >>"$OUT/j1.t"
        timed /dev/null "$SIPLINT" -j "$JN" --format jsonl -q --no-config "${jargs[@]}" >>"$OUT/jn.t"
    done
    read -r j1 _ _ < <(stats <"$OUT/j1.t")
    read -r j1p _ _ < <(stats <"$OUT/j1p.t")
    read -r jn jnmin jnmax < <(stats <"$OUT/jn.t")
    {
    echo
    echo "-j $JN on $JN copies of cap-$first.pcap: median $jn s ($jnmin-$jnmax), peak RSS $(awk '{printf "%.1f", $0/1024}' <<<"$(maxcol2 <"$OUT/jn.t")") MiB; one copy single-threaded (SIPLINT_PIPELINE=0): $j1 s; one copy with the pipeline: $j1p s; -j $JN / one single-threaded: $(awk -v a="$jn" -v b="$j1" 'BEGIN{printf "%.2f", a/b}')"
    } | tee -a "$OUT/results.md"
fi

: >"$OUT/start.t"; : >"$OUT/true.t"
for r in $(seq 1 21); do
    timed /dev/null "$SIPLINT" --format jsonl -q --no-config "$OUT/empty.pcap" >>"$OUT/start.t"
    timed /dev/null /bin/true >>"$OUT/true.t" # the harness's own cost (nice, time, fork, exec)
done
ms() { awk -v v="$1" 'BEGIN{printf "%.1f", v*1000}'; }
read -r stm stmin stmax < <(stats <"$OUT/start.t")
read -r trm trmin trmax < <(stats <"$OUT/true.t")
{
echo
echo "start-up (header-only pcap, 21 runs, wall time including fork/exec): median $(ms "$stm") ms (min $(ms "$stmin"), max $(ms "$stmax")); the same harness running /bin/true: median $(ms "$trm") ms (min $(ms "$trmin")); load after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$OUT/results.md"
rm -f "$OUT/time.tmp"
