#!/usr/bin/env bash
# Installs what the tests need when it is missing: the real SIP peers
# (kamailio, baresip, SIPp), coturn as a STUN server, dnsmasq as a DNS server
# of NAPTR and SRV records, sox for audio checks,
# ip for the network namespaces that stand for other hosts, nft, conntrack
# and sysctl for the NAT router between them, pulseaudio and its pactl and
# parec for a private sound server (the engine's real audio backend), certutil and
# update-ca-certificates for the local CA, gnome-keyring and dbus for the
# Secret Service, Chromium and Node for the browser tests, gcc for the cgo
# audio backend, libopus and speexdsp (with pkg-config) for the codecs and the
# audio processing, opus-tools to check the Ogg Opus recordings as players read them,
# mingw-w64, make and curl for the Windows cross build that every
# change must keep green (scripts/clibs.sh builds its static C libraries), the
# aarch64 cross compiler and C library for the linux/arm64 build and qemu-user to run
# it, wine and NSIS to run the Windows engine and its installer,
# systemd-analyze to check the .deb's user unit, shellcheck for the installers'
# scripts, the Go modules and
# the npm packages.
# Idempotent and quick when everything is there.
#
# As root, missing Debian packages are installed with apt-get. Otherwise the
# script prints what is missing and how to install it, and fails only when
# CI=true (where the peer tests would fail rather than skip).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian package and a command it provides.
packages=(
	"kamailio:kamailio"
	"kamailio-tls-modules:kamailio-tls-modules"
	"kamailio-presence-modules:kamailio-presence-modules"
	"baresip-core:baresip"
	"sip-tester:sipp"
	"coturn:turnserver"
	"dnsmasq-base:dnsmasq"
	"sox:sox"
	"iproute2:ip"
	"nftables:nft"
	"conntrack:conntrack"
	"procps:sysctl"
	"pulseaudio:pulseaudio"
	"pulseaudio-utils:pactl"
	"libnss3-tools:certutil"
	"ca-certificates:update-ca-certificates"
	"gnome-keyring:gnome-keyring-daemon"
	"dbus-daemon:dbus-daemon"
	"chromium:chromium"
	"nodejs:node"
	"gcc-mingw-w64-x86-64:x86_64-w64-mingw32-gcc"
	"libopus-dev:libopus-dev"
	"opus-tools:opusinfo"
	"libspeexdsp-dev:libspeexdsp-dev"
	"pkg-config:pkg-config"
	"make:make"
	"curl:curl"
	"gcc-aarch64-linux-gnu:aarch64-linux-gnu-gcc"
	"libc6-dev-arm64-cross:/usr/aarch64-linux-gnu/lib/libc.so"
	"qemu-user-static:qemu-aarch64-static"
	"wine64:/usr/lib/wine/wine64"
	"wine:wine"
	"nsis:makensis"
	"systemd:systemd-analyze"
	"shellcheck:shellcheck"
)

installed() { # package command
	command -v "$2" >/dev/null 2>&1 ||
		dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for entry in "${packages[@]}"; do
	pkg=${entry%%:*} cmd=${entry##*:}
	if installed "$pkg" "$cmd"; then
		echo "deps: $pkg present ($(command -v "$cmd" || echo "$cmd"))"
	else
		missing+=("$pkg")
	fi
done

status=0
if ((${#missing[@]} > 0)); then
	if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
		echo "deps: apt-get update"
		apt-get update -qq </dev/null
		echo "deps: installing ${missing[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
		echo "deps: installed ${missing[*]}"
	else
		echo "deps: missing ${missing[*]}; install with:"
		echo "deps:   sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
		echo "deps: tests that need them are skipped (they fail under CI=true)"
		status=1
	fi
fi

if command -v gcc >/dev/null 2>&1; then
	echo "deps: gcc present ($(gcc -dumpversion)), cgo audio backend can build"
else
	echo "deps: gcc missing: the cgo audio backend (malgo) cannot build; install gcc (Debian: build-essential)"
	status=1
fi

echo "deps: go mod download"
go mod download
go mod download -modfile=installer/tools/go.mod # nfpm, for the .deb

# The browser tests: playwright-core, pinned in web/package-lock.json, driving
# the Debian chromium above. Reinstalled only when the lock file changed. They
# need Node 20.11 or newer (import.meta.dirname, the WebSocket client).
if command -v node >/dev/null 2>&1 && ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 11) ? 0 : 1)'; then
	echo "deps: node $(node --version) is too old for the browser tests: install Node 20.11 or newer"
	status=1
fi
if command -v npm >/dev/null 2>&1; then
	if [[ ! -f web/node_modules/.package-lock.json || web/package-lock.json -nt web/node_modules/.package-lock.json ]]; then
		echo "deps: npm ci (web)"
		npm ci --prefix web --no-audit --no-fund --loglevel=error </dev/null
	else
		echo "deps: web/node_modules up to date"
	fi
else
	echo "deps: npm missing: the browser tests cannot run; install nodejs"
	status=1
fi

if ((status != 0)) && [[ ${CI:-} == true ]]; then
	echo "deps: missing dependencies under CI=true" >&2
	exit 1
fi
exit 0
