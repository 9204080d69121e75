#!/usr/bin/env bash
# CPU of calls with audio: SIPp's uac_pcap scenario calls wpservice, then baresip, the
# same way, in the same run. Each call plays pcap/g711a.pcap (about 7 s of G.711
# A-law) toward the callee, which answers at once and sends its own audio back for
# the whole call (8 s from the ACK to the BYE). Both callees run headless on
# 127.0.0.1 with no sound card and no account, each with an audio clock of 20 ms
# frames for every call: wpservice with null audio (its media clock mixes what it
# decodes into a discarding speaker and sends a silent microphone), baresip with its
# aubridge module (a paced thread that plays what the call decodes into the microphone
# it encodes: an echo). aubridge makes one such bridge per device name, so baresip
# gets one account per concurrent call, bench1 to benchN, each with a device of its
# own, and SIPp calls them in turn (its scenario with the callee's user taken from a
# list instead of -s). ALSA's null device is no fit: it does not pace, and baresip's
# ALSA thread spins on it; ausine only makes 48 kHz, which baresip 1.0 does not
# resample to G.711's 8 kHz.
#
# Two loads: `calls` calls one after the other (one call at a time), and `load`
# calls at once. For each, the callee's CPU time (utime+stime from /proc/PID/stat,
# 10 ms ticks) while SIPp runs, divided by the call-seconds it carried, is the share
# of one core a call costs. Each measurement is repeated `runs` times; the median is
# printed last.
# The engine takes at most 16 calls at once (settings.maxLines), so `load` is 16 at most,
# and it holds no call when it answers the next (settings.autoHold off): SIPp's scenario
# expects no re-INVITE.
# Usage: scripts/bench-call.sh [calls] [load] [runs]   (WPSERVICE=path: that binary)
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-3} load=${2:-16} runs=${3:-3}
if ((load < 1 || load > 16)); then
	echo "bench-call.sh: load must be 1..16, the engine's most lines (settings.maxLines)" >&2
	exit 2
fi
callSecs=8 # uac_pcap's pause between ACK and BYE
dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT

ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

if [[ -n ${WPSERVICE:-} ]]; then cp "$WPSERVICE" "$dir/wpservice"; else go build -o "$dir/wpservice" ./cmd/wpservice; fi
wpsPort=$((20000 + $$ % 20000)) bspPort=$((wpsPort + 2)) sippPort=$((wpsPort + 4))
cat >"$dir/config.json" <<JSON
{"control":{"port":0,"fallbackPorts":[]},"sip":{"listenIP":"127.0.0.1","udpPort":$wpsPort,"tcpPort":$wpsPort},
 "settings":{"autoAnswer":true,"autoHold":false,"maxLines":$load,"rtpTimeout":0},
 "audio":{"backend":"null","input":"null","output":"null"},"log":{"level":"warn"},"dataDir":"$dir/data"}
JSON
"$dir/wpservice" run --config "$dir/config.json" 2>"$dir/wps.log" &
pids+=($!); wps=$!

mkdir -p "$dir/baresip"
cat >"$dir/baresip/config" <<CFG
poll_method		epoll
sip_listen		127.0.0.1:$bspPort
net_interface		127.0.0.1
dns_server		127.0.0.1:53
call_max_calls		$load
audio_player		aubridge,none
audio_source		aubridge,none
audio_alert		aubridge,none
module_path		/usr/lib/baresip/modules
module			g711.so
module			aubridge.so
module_tmp		account.so
CFG
for ((i = 1; i <= load; i++)); do
	echo "<sip:bench$i@127.0.0.1>;regint=0;answermode=auto;audio_codecs=PCMA;audio_source=aubridge,bench$i;audio_player=aubridge,bench$i"
done >"$dir/baresip/accounts"
baresip -f "$dir/baresip" </dev/null >"$dir/baresip.log" 2>&1 &
pids+=($!); bsp=$!

mkdir -p "$dir/sipp" && ln -s /usr/share/sip-tester "$dir/sipp/pcap"
# uac_pcap, calling the users of users.csv in turn (bench1, bench2, ...) instead of -s.
sipp -sd uac_pcap >"$dir/sipp/uac_pcap.xml" || true # prints the built-in scenario, exits with 99
sed 's/\[service\]/[field0]/g' "$dir/sipp/uac_pcap.xml" >"$dir/sipp/uac_pcap_each.xml"
{ echo SEQUENTIAL; for ((i = 1; i <= load; i++)); do echo "bench$i"; done; } >"$dir/sipp/users.csv"
sleep 2 # both have started and opened their sockets

# call name pid port n: n calls of uac_pcap, at most `concurrent` at a time; prints
# the callee's CPU per call-second as a percentage of one core.
call() {
	local pid=$2 port=$3 n=$4 concurrent=$5 t0 t1
	t0=$(ticks "$pid")
	(cd "$dir/sipp" && sipp -sf uac_pcap_each.xml -inf users.csv "127.0.0.1:$port" -i 127.0.0.1 -p "$sippPort" \
		-m "$n" -l "$concurrent" -r "$concurrent" -timeout 120s -timeout_error -nostdin \
		-trace_err -error_file "$dir/sipp/$1.err" >/dev/null 2>&1) ||
		{ echo "$1: SIPp failed; see $dir/sipp/$1.err" >&2; tail -20 "$dir/sipp/$1.err" >&2; exit 1; }
	t1=$(ticks "$pid")
	awk -v t=$((t1 - t0)) -v hz="$hz" -v n="$n" -v s="$callSecs" 'BEGIN {printf "%.2f\n", 100 * t / hz / (n * s)}'
}

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

for load_case in "one $calls 1" "load $load $load"; do
	read -r label n concurrent <<<"$load_case"
	for who in wpservice baresip; do
		if [[ $who == wpservice ]]; then pid=$wps port=$wpsPort; else pid=$bsp port=$bspPort; fi
		results=()
		for ((i = 0; i < runs; i++)); do results+=("$(call "$who" "$pid" "$port" "$n" "$concurrent")"); done
		printf '%-10s %-4s %3d call(s) at a time: %% of a core per call: %s   median %s\n' \
			"$who" "$label" "$concurrent" "${results[*]}" "$(printf '%s\n' "${results[@]}" | median)"
	done
done
