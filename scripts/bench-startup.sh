#!/usr/bin/env bash
# Start-up, wpservice beside baresip: the time from exec to the first answer to an
# OPTIONS on the SIP port (scripts/sipready), and the resident memory, CPU time and
# page faults at that moment. All start headless on 127.0.0.1 with no account
# (wpservice: null audio; baresip: ALSA's null device), `runs` times each, alternating;
# baresip three ways: with G.711 alone, with the modules of the config it writes for
# itself, and with the modules of wpservice's features (below); and go-floor
# (scripts/sipfloor), a Go program built with cgo that does nothing but answer: the
# floor of any Go engine. The median of each column is printed last.
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
	SIPREADY=$BENCH_RT_TMP/sipready SIPFLOOR=$BENCH_RT_TMP/sipfloor
	go build -o "$SIPREADY" ./scripts/sipready
	go build -o "$SIPFLOOR" ./scripts/sipfloor
	export WPSERVICE SIPREADY SIPFLOOR BENCH_RT_TMP
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
if [[ -n ${SIPFLOOR:-} ]]; then cp "$SIPFLOOR" "$dir/go-floor"; else go build -o "$dir/go-floor" ./scripts/sipfloor; fi
wpsPort=$((20000 + $$ % 20000)) bspPort=$((wpsPort + 2)) bsdPort=$((wpsPort + 4)) bsfPort=$((wpsPort + 6))
# baresip listens for SIP over TLS on its SIP port + 1: the control port is apart
ctrlPort=$((wpsPort + 9))
cat >"$dir/config.json" <<JSON
{"control":{"port":0,"fallbackPorts":[]},"sip":{"listenIP":"127.0.0.1","udpPort":$wpsPort,"tcpPort":$wpsPort},
 "audio":{"backend":"null","input":"null","output":"null"},"log":{"level":"warn"},"dataDir":"$dir/data"}
JSON
# baresip as the leanest phone it can be: G.711 and ALSA (the null device).
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
# baresip-default: the modules of the config baresip 1.0 writes for itself at its
# first run (stdio and the video loop included). baresip-full: a module for each
# feature of wpservice's that baresip has one for: the codecs (G.711, G.722, Opus),
# SRTP (SDES), STUN, concealment, noise suppression and gain control (speex_pp), call
# recording (sndfile), sound files for the ring (aufile), levels (vumeter), contacts,
# presence and BLF (contact, presence), voicemail (mwi), call control: hold,
# transfer, DTMF (menu), and a control API (ctrl_tcp, as the engine's WebSocket).
# Their contacts files are empty, so they subscribe to nobody, and each starts from
# a fresh copy of its directory every time, as wpservice does (both write files at a
# first start: baresip its UUID).
baresipDir() { # name port module...
	local name=$1 port=$2
	shift 2
	mkdir -p "$dir/$name.0"
	{
		sed "s/:$bspPort\$/:$port/" "$dir/baresip/config" | grep -v '^module'
		printf 'module_path\t\t/usr/lib/baresip/modules\n'
		for m in "$@"; do printf 'module\t\t\t%s.so\n' "$m"; done
		printf 'module_tmp\t\taccount.so\nctrl_tcp_listen\t\t127.0.0.1:%s\nsnd_path\t\t%s\n' "$ctrlPort" "$dir"
	} >"$dir/$name.0/config"
	cp "$dir/baresip/accounts" "$dir/$name.0/accounts"
	: >"$dir/$name.0/contacts"
}
baresipDir baresip-default "$bsdPort" stdio g711 alsa stun turn ice uuid auloop contact debug_cmd menu vidloop
baresipDir baresip-full "$bsfPort" g711 g722 opus alsa srtp stun plc speex_pp sndfile aufile vumeter contact presence mwi menu ctrl_tcp uuid

for ((i = 0; i < runs; i++)); do
	for name in "${names[@]}"; do
		rm -rf "$dir/data" # a first start each time: no token, no saved account
		"$dir/sipready" -port "$wpsPort" -- "$dir/$name" run --config "$dir/config.json" | sed "s/^/$name /"
	done
	"$dir/sipready" -port "$bspPort" -- baresip -f "$dir/baresip" | sed 's/^/baresip   /'
	for b in baresip-default:$bsdPort baresip-full:$bsfPort; do
		rm -rf "$dir/${b%:*}" && cp -r "$dir/${b%:*}.0" "$dir/${b%:*}"
		"$dir/sipready" -port "${b#*:}" -- baresip -f "$dir/${b%:*}" | sed "s/^/${b%:*} /"
	done
	"$dir/sipready" -port "$wpsPort" -- "$dir/go-floor" "$wpsPort" | sed 's/^/go-floor /'
done | tee "$dir/all"
# median of column $3 (ms), $6 (KiB), $9 (ms of CPU) and $12 (page faults) per program
for who in "${names[@]}" baresip baresip-default baresip-full go-floor; do
	{ grep "^$who " "$dir/all" || true; } | awk -v who="$who" '
		{ms[NR]=$3; rss[NR]=$6; cpu[NR]=$9; pf[NR]=$12}
		function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((n + 1) / 2)] }
		END { printf "median %-15s ready %5.1f ms  rss %6d KiB  cpu %3d ms  faults %4d\n", who, med(ms, NR), med(rss, NR), med(cpu, NR), med(pf, NR) }'
done
