#!/usr/bin/env bash
# Idle footprint: resident memory (VmRSS) and CPU time of wpservice and of baresip, each
# started headless on 127.0.0.1 with null audio and left idle for a few seconds, in the
# same run. Usage: scripts/bench-footprint.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT

go build -o "$dir/wpservice" ./cmd/wpservice
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

sleep "$secs"
report() { # name pid
	local rss ticks
	rss=$(awk '/^VmRSS/ {print $2}' "/proc/$2/status")
	ticks=$(awk '{print $14+$15}' "/proc/$2/stat")
	printf '%-10s idle RSS %6d KiB   CPU %4d ms over %ss\n' "$1" "$rss" $((ticks * 1000 / $(getconf CLK_TCK))) "$secs"
}
report wpservice "$wps"
report baresip "$bsp"
