#!/usr/bin/env bash
# Idle footprint: resident memory (VmRSS) and CPU time of wpservice and of baresip, each
# started headless on 127.0.0.1 with null audio and no account, in the same run: the
# CPU time from start-up to the end, and the CPU time of the idle window alone (the
# last `seconds`, after a 2 s settling time). CPU time is utime+stime from
# /proc/PID/stat, in clock ticks (10 ms each on Linux). RSS is split into anonymous
# memory (the process's own) and file pages (its executable and libraries, shared
# with the page cache); PSS (from /proc/PID/smaps_rollup) divides each page shared
# with other processes among them.
# Usage: scripts/bench-footprint.sh [seconds]   (WPSERVICE=path: measure that binary)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT

if [[ -n ${WPSERVICE:-} ]]; then cp "$WPSERVICE" "$dir/wpservice"; else go build -o "$dir/wpservice" ./cmd/wpservice; fi
cat >"$dir/config.json" <<JSON
{"control":{"port":0,"fallbackPorts":[]},"sip":{"listenIP":"127.0.0.1"},
 "audio":{"backend":"null","input":"null","output":"null"},"log":{"level":"warn"},"dataDir":"$dir/data"}
JSON
"$dir/wpservice" run --config "$dir/config.json" 2>"$dir/wps.log" &
pids+=($!); wps=$!

mkdir -p "$dir/baresip"
cat >"$dir/baresip/config" <<CFG
poll_method		epoll
sip_listen		127.0.0.1:0
net_interface		127.0.0.1
dns_server		127.0.0.1:53
audio_player		alsa,null
audio_source		alsa,null
audio_alert		alsa,null
module_path		/usr/lib/baresip/modules
module			g711.so
module			alsa.so
module_tmp		account.so
CFG
echo "<sip:bench@127.0.0.1>;regint=0" >"$dir/baresip/accounts"
baresip -f "$dir/baresip" </dev/null >"$dir/baresip.log" 2>&1 &
pids+=($!); bsp=$!

ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
ms() { echo $(($1 * 1000 / $(getconf CLK_TCK))); }
sleep 2 # settle: both have started and opened their sockets
wps0=$(ticks "$wps") bsp0=$(ticks "$bsp")
sleep "$secs"
report() { # name pid ticks-at-window-start
	local rss anon file pss total
	read -r rss anon file < <(awk '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2} /^RssFile/ {f=$2} END {print r, a, f}' "/proc/$2/status")
	pss=$(awk '/^Pss:/ {print $2}' "/proc/$2/smaps_rollup")
	total=$(ticks "$2")
	printf '%-10s idle RSS %6d KiB (anon %5d, file %5d) PSS %6d KiB   CPU %4d ms since start, %4d ms in the last %ss\n' \
		"$1" "$rss" "$anon" "$file" "$pss" "$(ms "$total")" "$(ms $((total - $3)))" "$secs"
}
report wpservice "$wps" "$wps0"
report baresip "$bsp" "$bsp0"
