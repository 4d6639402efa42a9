#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A long fuzzing campaign (docs/robustness.md): each harness of a SIPLINT_FUZZ build for
# SECONDS, at most two at a time, niced, in libFuzzer fork mode so that a crash is recorded and
# the run goes on. Usage:
#   tests/fuzz/campaign.sh BUILD_DIR OUT_DIR [SECONDS [HARNESS...]]
# BUILD_DIR: a build configured with -DCMAKE_C_COMPILER=clang -DSIPLINT_FUZZ=ON.
# OUT_DIR gets bin/ (copies of the harnesses, so that rebuilding does not change a running
# campaign), corpus/<h>/, artifacts/<h>/ (crash-*, timeout-*, oom-*) and <h>.log. The final
# figures are the last "#N ... cov: ... ft: ..." line of each log and its "Done"/stat lines.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
out=$2
secs=${3:-3600}
shift $(( $# < 3 ? $# : 3 ))
harnesses=("${@:-parse capture frame engine}")
read -r -a harnesses <<< "${harnesses[*]}"
mkdir -p "$out/bin"
out=$(cd "$out" && pwd)

seeds() {
    local t=$src/tests/torture
    case $1 in
    parse)   echo "$t/rfc4475 $t/rfc5118 $t/rfc5118-crlf $src/tests/cli/data $src/tests/fuzz/seeds/engine" ;;
    frame)   echo "$src/tests/fuzz/seeds/frame $t/rfc4475 $t/rfc5118-crlf" ;;
    capture) echo "$src/captures $src/tests/unit/data" ;;
    engine)  echo "$src/tests/fuzz/seeds/engine $t/rfc4475 $t/rfc5118-crlf" ;;
    esac
}

one() {
    local h=$1 dict=$src/tests/fuzz/sip.dict maxlen=16384
    if [ "$h" = capture ]; then
        cat "$src/tests/fuzz/pcap.dict" "$src/tests/fuzz/sip.dict" > "$out/capture.dict"
        dict=$out/capture.dict
        maxlen=65536
    fi
    cp "$build/tests/fuzz/fuzz_$h" "$out/bin/"
    mkdir -p "$out/corpus/$h" "$out/artifacts/$h"
    # shellcheck disable=SC2046
    nice -n 19 "$out/bin/fuzz_$h" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=$maxlen \
        -dict="$dict" -artifact_prefix="$out/artifacts/$h/" -print_final_stats=1 \
        "$out/corpus/$h" $(seeds "$h") "$src/tests/fuzz/regress/$h" > "$out/$h.log" 2>&1 || true
    echo "$(date -u +%FT%TZ) $h done" >> "$out/campaign.log"
}

# two slots: the harnesses alternate between them
slot() {
    local i
    for ((i = $1; i < ${#harnesses[@]}; i += 2)); do
        echo "$(date -u +%FT%TZ) ${harnesses[$i]} start" >> "$out/campaign.log"
        one "${harnesses[$i]}"
    done
}
slot 0 &
slot 1 &
wait
