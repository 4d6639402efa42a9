#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Wireshark plugin on corrupted captures: `editcap -E` copies of every capture in captures/
# and tests/unit/data, each read by tshark with the plugin (one pass and two passes). tshark may
# refuse a damaged file (exit 2) but must never die of a signal; a sample also runs under
# valgrind, and any error whose stack passes through siplint.so fails the test.
#
# usage: plugin_corrupt.sh BUILD_DIR SOURCE_DIR [COPIES [VALGRIND_SAMPLE]]
#   COPIES: corrupted copies per capture (default 4; ~40 captures -> ~160 files, 320 tshark runs)
#   VALGRIND_SAMPLE: how many of them also run under valgrind (default 3; 0 = none)
# Runs tshark as nobody when run as root (Wireshark ignores personal plugins for root), like
# tests/plugin/run_tshark_tests.sh. The corruption is seeded (-S), so a failure replays.
set -u
BUILD=${1:?usage: plugin_corrupt.sh BUILD_DIR SOURCE_DIR [COPIES [VALGRIND_SAMPLE]]}
SRC=${2:?}
COPIES=${3:-4}
VG=${4:-3}

command -v editcap >/dev/null || { echo "SKIP: editcap not found"; exit 77; }
command -v tshark >/dev/null || { echo "SKIP: tshark not found"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/siplint-corrupt.XXXXXX") || exit 2
if [ "${SIPLINT_KEEP_TMP:-0}" = 1 ]; then echo "# keeping $T"; else trap 'rm -rf "$T"' EXIT; fi
mkdir -p "$T/home" "$T/caps"

HOME="$T/home" cmake --build "$BUILD" --target install-personal >"$T/install.log" 2>&1 ||
    { cat "$T/install.log"; echo "FAIL: install-personal"; exit 1; }
if [ "$(id -u)" = 0 ] || [ "$(id -g)" = 0 ]; then
    AS_USER=(setpriv --reuid=65534 --regid=65534 --clear-groups)
else
    AS_USER=()
fi
ts() { (cd "$T" && env -i PATH="$PATH" HOME="$T/home" LANG=C.UTF-8 "${AS_USER[@]}" "$@"); }

# corrupted copies: editcap -E (error probability per byte), a different seed per copy
n=0
while IFS= read -r -d '' cap; do
    base=$(basename "$cap")
    for ((k = 1; k <= COPIES; k++)); do
        n=$((n + 1))
        # 1% .. 4% of the bytes changed; copies with more damage stop earlier
        prob=$(awk -v k="$k" 'BEGIN { printf "%.2f", 0.01 * k }')
        editcap -E "$prob" -S "$n" "$cap" "$T/caps/$n-$base" >/dev/null 2>&1 ||
            cp "$cap" "$T/caps/$n-$base"
    done
done < <(find "$SRC/captures" "$SRC/tests/unit/data" -type f \( -name '*.pcap' -o -name '*.pcapng' \) -print0 | sort -z)
chmod -R a+rX "$T"
if ! ts tshark -G plugins 2>/dev/null | grep -q 'siplint\.so'; then
    echo "FAIL: the plugin did not load"
    exit 1
fi

fail=0
runs=0
for f in "$T"/caps/*; do
    for pass in 1 2; do
        opt=()
        [ "$pass" = 2 ] && opt=(-2)
        ts tshark -n "${opt[@]}" -r "caps/$(basename "$f")" -T fields -e frame.number -e siplint.rule \
            >/dev/null 2>"$T/err"
        rc=$?
        runs=$((runs + 1))
        if [ "$rc" -gt 2 ]; then
            fail=$((fail + 1))
            echo "FAIL $(basename "$f") (pass $pass): tshark exit $rc"
            head -5 "$T/err"
        fi
    done
done
echo "$runs tshark runs over $n corrupted captures, $fail failed"

if [ "$VG" -gt 0 ] && command -v valgrind >/dev/null; then
    # the largest captures, one copy of each (the last, most damaged one): names are N-BASE
    for f in $(cd "$T/caps" && ls -S | awk -v vg="$VG" '
                   { n = substr($0, 1, index($0, "-") - 1) + 0; b = substr($0, index($0, "-") + 1) }
                   !(b in last) { order[++k] = b }
                   !(b in last) || n > num[b] { last[b] = $0; num[b] = n }
                   END { for (i = 1; i <= k && i <= vg; i++) print last[order[i]] }'); do
        ts valgrind -q --error-exitcode=99 --leak-check=no --num-callers=30 \
            tshark -n -2 -r "caps/$f" >/dev/null 2>"$T/vg"
        rc=$?
        if grep -q 'siplint' "$T/vg"; then
            fail=$((fail + 1))
            echo "FAIL valgrind $f: an error through siplint.so"
            grep -A30 '^==[0-9]*== [A-Z]' "$T/vg" | head -60
        else
            echo "ok   valgrind $f (exit $rc; no error through siplint.so)"
        fi
    done
fi
[ "$fail" -eq 0 ]
