#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build and run every test twice: the normal build, then a sanitizer build (AddressSanitizer,
# LeakSanitizer, UndefinedBehaviorSanitizer; clang with libFuzzer, so that it also builds the
# fuzz harnesses and fuzzes each for SIPLINT_FUZZ_SECONDS in the fuzz.smoke.* tests).
# ctest is the runner in both; both run even when the first fails; see docs/robustness.md.
#
# Usage (from anywhere): tests/run-all.sh
#   SIPLINT_BUILD=build        the normal build directory (configured if it is not yet)
#   SIPLINT_BUILD_ASAN=build-asan   the sanitizer build directory
#   SIPLINT_FUZZ_SECONDS=60    fuzzing time per harness in the sanitizer build
#   SIPLINT_NO_FUZZ=1          no clang/libFuzzer here: sanitizer build with the default
#                              compiler, seeds and regression inputs replayed, no fuzzing
set -euo pipefail
cd "$(dirname "$0")/.."
build=${SIPLINT_BUILD:-build}
asan=${SIPLINT_BUILD_ASAN:-build-asan}
secs=${SIPLINT_FUZZ_SECONDS:-60}

echo "::: run-all: normal build ($build)"
[ -f "$build/CMakeCache.txt" ] || cmake -S . -B "$build"
cmake --build "$build" -j2
failed=()
ctest --test-dir "$build" --output-on-failure || failed+=("$build")

have_libfuzzer() {
    command -v clang >/dev/null 2>&1 || return 1
    local t
    t=$(mktemp -d)
    printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\n%s\n' \
        'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return d && n; }' \
        > "$t/t.c"
    clang -fsanitize=fuzzer,address,undefined "$t/t.c" -o "$t/t" >/dev/null 2>&1
    local rc=$?
    rm -rf "$t"
    return $rc
}

if [ "${SIPLINT_NO_FUZZ:-0}" = 1 ]; then
    echo "::: run-all: sanitizer build ($asan), default compiler, no fuzzing (SIPLINT_NO_FUZZ=1)"
    cmake -S . -B "$asan" -DSIPLINT_SANITIZE=ON
elif have_libfuzzer; then
    echo "::: run-all: sanitizer + fuzz build ($asan), clang, ${secs} s per harness"
    cmake -S . -B "$asan" -DCMAKE_C_COMPILER=clang -DSIPLINT_FUZZ=ON -DSIPLINT_FUZZ_SECONDS="$secs"
else
    echo "run-all: clang with libFuzzer is missing (Debian: apt-get install clang libclang-rt-14-dev);" >&2
    echo "run-all: set SIPLINT_NO_FUZZ=1 to run the sanitizer suite without fuzzing" >&2
    exit 1
fi
cmake --build "$asan" -j2
# Two at a time: the fuzz smoke runs are bounded by their time, not by the CPU.
ctest --test-dir "$asan" --output-on-failure -j2 || failed+=("$asan")

if [ "${#failed[@]}" -gt 0 ]; then
    echo "::: run-all: tests failed in: ${failed[*]}" >&2
    exit 1
fi
echo "::: run-all: every test passed in $build and $asan"
