#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The HTML report in a real browser: headless Chromium through puppeteer-core (check_browser.js).
# Usage: check_browser.sh SIPLINT SOURCE_DIR [SCREENSHOT_DIR]
# Needs node, Chromium (Debian: apt-get install chromium) and `npm ci --prefix tests/html`;
# skipped (77) without them.
set -u
sl=$1
src=$2
shots=${3:-}
chromium=${CHROMIUM:-/usr/bin/chromium}
if ! command -v node > /dev/null 2>&1 || [ ! -x "$chromium" ] || [ ! -d "$src/tests/html/node_modules/puppeteer-core" ]; then
    echo "skipped: needs node, $chromium and 'npm ci --prefix tests/html'"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src" || exit 1
"$sl" -q --no-config --format html:"$tmp/report.html" captures/crafted/demo.pcap captures/crafted/msg-ack.pcap \
    captures/real/bad-ack.pcap
rc=$?
if [ $rc -ne 1 ]; then
    echo "FAIL siplint exited $rc (expected 1: these captures hold errors)"
    exit 1
fi
HOME=$tmp CHROMIUM=$chromium NODE_PATH="$src/tests/html/node_modules" \
    timeout 120 node "$src/tests/html/check_browser.js" "$tmp/report.html" $shots
