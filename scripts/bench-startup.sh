#!/usr/bin/env bash
# Start-up, wpservice beside baresip: the time from exec to the first answer to an
# OPTIONS on the SIP port (scripts/sipready), and the resident memory and CPU time at
# that moment. Both start headless on 127.0.0.1 with no account (wpservice: null
# audio; baresip: G.711 and ALSA's null device), `runs` times each, alternating; the
# median of each column is printed last.
# Usage: scripts/bench-startup.sh [runs]   (WPSERVICE=path: measure that binary;
# WPSERVICE="path1 path2": measure each, alternating, named by their file names)
#
# As root, the whole run is re-executed under real-time scheduling (chrt -f 50) so
# that the machine's other work does not wait in front of the starts being timed:
# the figures are those of a quiet machine. BENCH_RT=0 measures without it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${BENCH_RT:-1} != 0 && -z ${BENCH_RT_ON:-} && $(id -u) -eq 0 ]] && command -v chrt >/dev/null; then
	# Build first: a build under real-time priority would stall the machine.
	BENCH_RT_TMP=$(mktemp -d) # removed by the run below
	if [[ -z ${WPSERVICE:-} ]]; then
		WPSERVICE=$BENCH_RT_TMP/wpservice
		go build -o "$WPSERVICE" ./cmd/wpservice
	fi
	SIPREADY=$BENCH_RT_TMP/sipready
	go build -o "$SIPREADY" ./scripts/sipready
	export WPSERVICE SIPREADY BENCH_RT_TMP
	BENCH_RT_ON=1 exec chrt -f 50 "$0" "$@"
fi
runs=${1:-5}
dir=$(mktemp -d)
trap 'rm -rf "$dir" ${BENCH_RT_TMP:+"$BENCH_RT_TMP"}' EXIT

names=()
if [[ -n ${WPSERVICE:-} ]]; then
	for bin in $WPSERVICE; do cp "$bin" "$dir/$(basename "$bin")" && names+=("$(basename "$bin")"); done
else
	go build -o "$dir/wpservice" ./cmd/wpservice && names=(wpservice)
fi
if [[ -n ${SIPREADY:-} ]]; then cp "$SIPREADY" "$dir/sipready"; else go build -o "$dir/sipready" ./scripts/sipready; fi
wpsPort=$((20000 + $$ % 20000)) bspPort=$((wpsPort + 2))
cat >"$dir/config.json" <<JSON
{"control":{"port":0,"fallbackPorts":[]},"sip":{"listenIP":"127.0.0.1","udpPort":$wpsPort,"tcpPort":$wpsPort},
 "audio":{"backend":"null","input":"null","output":"null"},"log":{"level":"warn"},"dataDir":"$dir/data"}
JSON
mkdir -p "$dir/baresip"
cat >"$dir/baresip/config" <<CFG
poll_method		epoll
sip_listen		127.0.0.1:$bspPort
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

for ((i = 0; i < runs; i++)); do
	for name in "${names[@]}"; do
		rm -rf "$dir/data" # a first start each time: no token, no saved account
		"$dir/sipready" -port "$wpsPort" -- "$dir/$name" run --config "$dir/config.json" | sed "s/^/$name /"
	done
	"$dir/sipready" -port "$bspPort" -- baresip -f "$dir/baresip" | sed 's/^/baresip   /'
done | tee "$dir/all"
# median of column $3 (ms), $5 (KiB) and $8 (ms of CPU) per program
for who in "${names[@]}" baresip; do
	grep "^$who " "$dir/all" | awk -v who="$who" '
		{ms[NR]=$3; rss[NR]=$6; cpu[NR]=$9}
		function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((n + 1) / 2)] }
		END { printf "median %-10s ready %5.1f ms  rss %6d KiB  cpu %3d ms\n", who, med(ms, NR), med(rss, NR), med(cpu, NR) }'
done
