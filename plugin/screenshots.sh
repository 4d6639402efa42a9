#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Screenshots of the real Wireshark GUI (wireshark-qt under Xvfb) with the siplint plugin, for
# docs/wireshark.md: the demo capture's SIP Lint subtree, and Analyze > Expert Information.
#
#   plugin/screenshots.sh [BUILD_DIR]        (default: build)
#
# Needs: wireshark-qt xvfb xdotool imagemagick (Debian packages). Writes docs/img/*.png.
# Runs Wireshark as nobody when started as root (Wireshark ignores personal plugins for root).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
for t in wireshark Xvfb xdotool import; do
    command -v "$t" >/dev/null || { echo "$0: $t is not installed (apt-get install wireshark-qt xvfb xdotool imagemagick)" >&2; exit 2; }
done

tmp=$(mktemp -d)
display=:$((90 + RANDOM % 9))
xvfb_pid=
ws_pid=
cleanup() {
    [ -n "$ws_pid" ] && kill "$ws_pid" 2>/dev/null || true
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/home" "$root/docs/img"
HOME=$tmp/home cmake --build "$root/$build" --target install-personal >/dev/null 2>&1
cp "$root/captures/crafted/demo.pcap" "$tmp/"
chmod -R a+rwX "$tmp"

Xvfb "$display" -screen 0 1400x900x24 -ac >/dev/null 2>&1 &
xvfb_pid=$!
export DISPLAY=$display
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.2; done

as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
# -g 3: select frame 3 (the oversize MESSAGE).
"${as_user[@]}" env HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp" DISPLAY="$display" \
    wireshark -r "$tmp/demo.pcap" -g 3 -o gui.ask_unsaved:FALSE >"$tmp/wireshark.log" 2>&1 &
ws_pid=$!

win=
for _ in $(seq 100); do
    win=$(xdotool search --name "demo.pcap" 2>/dev/null | head -1) && [ -n "$win" ] && break
    sleep 0.3
done
[ -n "$win" ] || { echo "$0: the Wireshark window did not appear" >&2; cat "$tmp/wireshark.log" >&2; exit 1; }
sleep 2
xdotool windowmove "$win" 0 0 windowsize "$win" 1400 900
sleep 1

# The packet details pane: click the SIP Lint row (the last top-level row of frame 3) and expand
# its subtrees (Shift+Right).
xdotool mousemove 170 580 click 1
sleep 0.5
xdotool key shift+Right
sleep 1
import -window root "$root/docs/img/wireshark-siplint-tree.png"

# Expert Information: the status bar's expert indicator opens it.
xdotool mousemove 16 888 click 1
for _ in $(seq 30); do
    ew=$(xdotool search --name "Expert Information" 2>/dev/null | head -1) && [ -n "$ew" ] && break
    sleep 0.3
done
[ -n "${ew:-}" ] || { echo "$0: the Expert Information dialog did not open" >&2; exit 1; }
xdotool windowmove "$ew" 0 0 windowsize "$ew" 1400 900
sleep 1
import -window root "$root/docs/img/wireshark-siplint-expert.png"
echo "wrote docs/img/wireshark-siplint-tree.png and docs/img/wireshark-siplint-expert.png"
