#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# SARIF output against Microsoft's SARIF Multitool `validate` (the SARIF rules and the GitHub
# Advanced Security rules, --rule-kind "Sarif;Ghas"), and against the captures themselves: each
# result's region must hold the offending message's bytes (pcap and pcapng).
# Usage: check_sarif.sh SIPLINT SOURCE_DIR MKPCAP
# The Multitool is a test dependency: npm ci --prefix tests/sarif. Without it: exit 77 (skip).
set -u
sl=$1
src=$2
mkpcap=$3
mt=$src/tests/sarif/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
if [ ! -x "$mt" ]; then
    echo "SKIP: SARIF Multitool not installed; run: npm ci --prefix tests/sarif"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }

# a pcapng twin of the demo capture (big-endian: byte-swapped block lengths), from its layout
ln -s "$src/captures/crafted/demo" "$tmp/demo"
{ printf "format pcapng-be\ninterface ethernet\n"
  grep -v '^linktype' "$src/captures/crafted/demo.layout" | sed 's/^\(udp .*\)$/\1 if=0/'; } > "$tmp/demo-ng.layout"
if "$mkpcap" "$tmp/demo-ng.layout" "$tmp/demo-ng.pcapng" > "$tmp/mk.log" 2>&1; then :; else
    ko "mkpcap could not write the pcapng twin: $(cat "$tmp/mk.log")"; fi

inputs="$src/captures/crafted/demo.pcap $src/captures/crafted/truncated.pcap $tmp/demo-ng.pcapng \
$src/tests/cli/data/big-message.sip $src/tests/unit/data/pcapplusplus__sip_reqs.pcap"
# relative paths, as a CI job gives them (GitHub wants relative artifact URIs)
cd "$tmp" || exit 1
rel=""
for f in $inputs; do
    case "$f" in "$tmp"/*) rel="$rel ${f#"$tmp"/}" ;; *) cp "$f" "$tmp/" && rel="$rel $(basename "$f")" ;; esac
done
# shellcheck disable=SC2086
"$sl" -q -j 2 --fail-on note --format sarif:out.sarif --format jsonl:out.jsonl $rel missing.pcap
rc=$?
[ "$rc" = 2 ] && ok "exit 2 with a missing input among them" || ko "exit $rc, expected 2"

validate() { # validate FILE -> prints the problems (errors and warnings) the Multitool reports
    rm -f "$tmp/val.sarif"
    "$mt" validate --rule-kind "Sarif;Ghas" -o "$tmp/val.sarif" "$1" > "$tmp/val.log" 2>&1
    if [ ! -f "$tmp/val.sarif" ]; then echo "validator produced no log: $(cat "$tmp/val.log")"; return; fi
    # level absent = warning (SARIF 3.27.10). SARIF2005 (no informationUri) is tolerated until
    # siplint has a public home page to name.
    python3 - "$tmp/val.sarif" << 'PY'
import json, sys
log = json.load(open(sys.argv[1]))
for run in log["runs"]:
    for r in run.get("results", []):
        lvl = r.get("level", "warning")
        if lvl in ("error", "warning") and r["ruleId"] != "SARIF2005":
            print(r["ruleId"], lvl, r["message"].get("text", r["message"].get("arguments")))
PY
}

problems=$(validate out.sarif)
if [ -z "$problems" ]; then ok "Multitool validate (Sarif;Ghas rules): no errors or warnings"
else ko "Multitool validate reports:"; echo "$problems" | sed 's/^/    /'; fi

# the validator can fail: a result without locations and a message without text are rejected
python3 - out.sarif bad.sarif << 'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = d["runs"][0]["results"]
del r[0]["locations"]
r[1]["message"] = {"id": "nothing"}
json.dump(d, open(sys.argv[2], "w"))
PY
problems=$(validate bad.sarif)
if echo "$problems" | grep -q "GH"; then ok "a broken SARIF file fails validation (GitHub rules active)"
else ko "a broken SARIF file passed validation: $problems"; fi

# content: rules list, results, regions holding the message, fingerprints, logical locations
python3 - out.sarif out.jsonl << 'PY'
import json, sys
s = json.load(open(sys.argv[1]))
run = s["runs"][0]
drv = run["tool"]["driver"]
errs = []
if s["version"] != "2.1.0": errs.append("version")
if drv["name"] != "siplint" or not drv.get("version"): errs.append("driver")
rules = {r["id"]: r for r in drv["rules"]}
for r in drv["rules"]:
    if not r["help"]["text"] or "docs/rules/%s.md" % r["id"] not in r["help"]["text"]: errs.append("help " + r["id"])
    if r["defaultConfiguration"]["level"] not in ("error", "warning", "note"): errs.append("level " + r["id"])
findings = [json.loads(l) for l in open(sys.argv[2]) if '"type":"finding"' in l]
res = run["results"]
if len(res) != len(findings) or not res: errs.append("results %d vs jsonl findings %d" % (len(res), len(findings)))
arts = [a["location"]["uri"] for a in run["artifacts"]]
checked = 0
for r, f in zip(res, findings):
    if r["ruleId"] != f["rule"] or r["level"] != f["severity"]: errs.append("rule/level %s" % r["ruleId"])
    if drv["rules"][r["ruleIndex"]]["id"] != r["ruleId"]: errs.append("ruleIndex")
    loc = r["locations"][0]
    uri = loc["physicalLocation"]["artifactLocation"]["uri"]
    if arts[loc["physicalLocation"]["artifactLocation"]["index"]] != uri: errs.append("artifact index")
    if uri.startswith("/") or ":" in uri.split("/")[0]: errs.append("absolute uri " + uri)
    names = [l["name"] for l in loc["logicalLocations"]]
    if "frame %d" % f["frame"] not in names: errs.append("frame logical location")
    if f["call_id"] and f["call_id"] not in names: errs.append("call-id logical location")
    if r["partialFingerprints"]["siplintFingerprint/v1"] != f["fingerprint"]: errs.append("fingerprint")
    reg = loc["physicalLocation"].get("region")
    if reg is None: errs.append("no region for %s frame %d" % (f["rule"], f["frame"])); continue
    if f["start_line"] and "file_offset" in f:
        data = open(f["file"], "rb").read()
        got = data[reg["byteOffset"]:reg["byteOffset"] + reg["byteLength"]]
        if not got.startswith(f["start_line"].encode()) or reg["byteLength"] != f["file_length"]:
            errs.append("region of %s frame %d does not hold the message: %r" % (f["file"], f["frame"], got[:40]))
        checked += 1
ng = [f for f in findings if f["file"].endswith(".pcapng") and "file_offset" in f]
if not ng: errs.append("no pcapng finding with a file offset")
if checked < 10: errs.append("only %d regions checked" % checked)
if not run["invocations"][0].get("toolExecutionNotifications"): errs.append("missing input not notified")
print("\n".join(errs) if errs else "OK %d results, %d regions checked against the files" % (len(res), checked))
sys.exit(1 if errs else 0)
PY
[ $? = 0 ] && ok "results match the findings; regions hold the messages (pcap, pcapng, raw)" || ko "SARIF content"

# fingerprints are stable across runs and across renumbered frames (the same capture twice)
"$sl" -q --format sarif:again.sarif demo.pcap > /dev/null 2>&1
python3 - out.sarif again.sarif << 'PY'
import json, sys
fp = lambda p: sorted(r["partialFingerprints"]["siplintFingerprint/v1"] for r in json.load(open(p))["runs"][0]["results"]
                      if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "demo.pcap")
a, b = fp(sys.argv[1]), fp(sys.argv[2])
sys.exit(0 if a == b and a else 1)
PY
[ $? = 0 ] && ok "partialFingerprints stable across runs" || ko "partialFingerprints differ between runs"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
