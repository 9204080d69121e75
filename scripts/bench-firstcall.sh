#!/usr/bin/env bash
# The first call of a fresh engine: the time from SIPp's INVITE to the engine's 180
# (if it sends one) and to its 200, for an engine that has been idle `idle` seconds
# since start-up (long enough to have trimmed its resident memory), and the engine's
# resident memory (VmRSS, anonymous + file, and PSS) before the call, right after it
# and once idle again (`idle` seconds later), and the minor page faults the call took (pages mapped back from the page cache, among
# others: what a trimmed engine pays on its first call).
# Each binary given is measured `runs` times, the binaries alternating, each run with
# a fresh engine and data directory; the median of each column is printed last.
# The engine runs headless on 127.0.0.1 with null audio and answers at once.
# Usage: scripts/bench-firstcall.sh [runs] [idle] [binary...]   (default: this tree)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5} idle=${2:-4}
shift 2 || shift $#
dir=$(mktemp -d)
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
bins=("$@")
if ((${#bins[@]} == 0)); then go build -o "$dir/wpservice" ./cmd/wpservice; bins=("$dir/wpservice"); fi

port=$((20000 + $$ % 20000)) sippPort=$((20000 + $$ % 20000 + 4))
cat >"$dir/config.json" <<JSON
{"control":{"port":0,"fallbackPorts":[]},"sip":{"listenIP":"127.0.0.1","udpPort":$port,"tcpPort":$port},
 "settings":{"autoAnswer":true,"rtpTimeout":0},
 "audio":{"backend":"null","input":"null","output":"null"},"log":{"level":"warn"},"dataDir":"$dir/data"}
JSON
# SIPp's built-in uac scenario, with response-time timers: 1 ends at the 180, 2 at the 200
sipp -sd uac >"$dir/uac.xml" || true # prints the built-in scenario, exits with 99
sed -e 's|<recv response="180" optional="true">|<recv response="180" optional="true" rtd="1">|' \
	-e 's|<recv response="200" rtd="true">|<recv response="200" rtd="2">|' "$dir/uac.xml" >"$dir/firstcall.xml"

memory() { # VmRSS anon file (KiB) and PSS (KiB) of $1
	echo "$(awk '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2} /^RssFile/ {f=$2} END {print r, a, f}' "/proc/$1/status") $(awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup")"
}
for ((i = 0; i < runs; i++)); do
	for bin in "${bins[@]}"; do
		rm -rf "$dir/data" "$dir"/firstcall_*_rtt.csv
		"$bin" run --config "$dir/config.json" 2>"$dir/wps.log" &
		pid=$!
		sleep "$idle"
		read -r rss anon file pss < <(memory "$pid")
		faults=$(awk '{print $10}' "/proc/$pid/stat")
		(cd "$dir" && sipp -sf firstcall.xml -s bench "127.0.0.1:$port" -i 127.0.0.1 -p "$sippPort" -m 1 \
			-timeout 10s -timeout_error -nostdin -trace_rtt -rtt_freq 1 >/dev/null 2>&1) ||
			{ echo "SIPp failed:" >&2; cat "$dir/wps.log" >&2; exit 1; }
		read -r rss2 anon2 file2 pss2 < <(memory "$pid")
		faults=$(($(awk '{print $10}' "/proc/$pid/stat") - faults))
		sleep "$idle"
		read -r rss3 anon3 file3 pss3 < <(memory "$pid")
		kill "$pid" && wait "$pid" 2>/dev/null || true
		pid=
		# the rtt file: date_ms;response_time_ms;rtd_no
		ringing=$(awk -F';' '$3 == 1 {print $2}' "$dir"/firstcall_*_rtt.csv | head -1)
		answer=$(awk -F';' '$3 == 2 {print $2}' "$dir"/firstcall_*_rtt.csv | head -1)
		printf '%s 180 %s ms  200 %s ms  before: rss %s KiB (anon %s, file %s) pss %s  after: rss %s KiB (anon %s, file %s) pss %s  faults %s  idle again: rss %s KiB (anon %s, file %s) pss %s\n' \
			"$(basename "$bin")" "${ringing:--}" "${answer:--}" "$rss" "$anon" "$file" "$pss" "$rss2" "$anon2" "$file2" "$pss2" "$faults" \
			"$rss3" "$anon3" "$file3" "$pss3"
	done
done | tee "$dir/all"
for bin in "${bins[@]}"; do
	grep "^$(basename "$bin") " "$dir/all" | awk -v who="$(basename "$bin")" '
		function med(col,   i, j, t, n, a) { n = 0; for (i = 1; i <= NR; i++) if (v[i, col] != "-") a[++n] = v[i, col];
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
			return n ? a[int((n + 1) / 2)] : "-" }
		{ for (c = 1; c <= NF; c++) v[NR, c] = $c }
		END { printf "median %s: 180 %s ms, 200 %s ms; rss before %s KiB, pss %s; rss after %s KiB, pss %s; %s minor faults; idle again: rss %s KiB, pss %s\n",
			who, med(3), med(6), med(10), med(17), med(20), med(27), med(29), med(33), med(40) }'
done
