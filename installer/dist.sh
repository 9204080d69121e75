#!/usr/bin/env bash
# Builds every release artefact of one version into a directory:
#
#   wpservice-VERSION-windows-amd64.exe        the Windows engine (cgo via mingw-w64)
#   wpservice-VERSION-windows-amd64-setup.exe  its per-user NSIS installer
#   wpservice-VERSION-linux-ARCH.tar.gz        the Linux engine, its user unit and man page
#   wpservice_DEBVERSION_ARCH.deb              the Debian package (nfpm)
#   SHA256SUMS                                 the checksum of each of them
#
# where ARCH is amd64 and arm64 (cgo through gcc-aarch64-linux-gnu).
#
# usage: installer/dist.sh VERSION OUTDIR [windows|linux|linux-amd64|linux-arm64]...
#
# With targets named, only their artefacts are built (windows: the engine and its
# installer; linux-ARCH: that architecture's tarball and .deb; linux: both
# architectures'); without, all of them.
#
# The Windows engine links its C runtime statically; the build fails if it imports
# a DLL that Windows does not ship. When WPSERVICE_SIGN_PKCS12 names a code-signing
# certificate (PKCS#12, password in WPSERVICE_SIGN_PASSWORD, optional timestamp
# server in WPSERVICE_SIGN_TIMESTAMP), the engine and the installer are signed with
# osslsigncode (Authenticode); otherwise they are left unsigned.
set -euo pipefail

if (($# < 2)); then
	echo "usage: $0 VERSION OUTDIR [windows|linux]..." >&2
	exit 2
fi
version=$1
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
targets=("${@:3}")
((${#targets[@]} > 0)) || targets=(windows linux)
work=$(mktemp -d)
# On the way out, the builds still running (an interrupt, or another's failure) are
# stopped before their directory goes.
trap 'kill $(jobs -p) 2>/dev/null || true; wait || true; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cd "$root"

go=${GO:-go}
name=wpservice-$version
ldflags="-s -w -X main.version=$version"

# Windows DLLs the engine may import: they ship with every Windows 10 and later.
system_dlls='^(KERNEL32|msvcrt|ADVAPI32|WS2_32|WINMM|ole32|USER32|SHELL32|bcrypt|CRYPT32|IPHLPAPI|ntdll)\.dll$'

# step reports a step and the seconds since the script started.
step() { echo "dist: $* (${SECONDS}s)"; }

sign() { # file
	[[ -n ${WPSERVICE_SIGN_PKCS12:-} ]] || return 0
	local args=(sign -pkcs12 "$WPSERVICE_SIGN_PKCS12" -pass "${WPSERVICE_SIGN_PASSWORD:-}" -n wpservice -h sha256)
	[[ -n ${WPSERVICE_SIGN_TIMESTAMP:-} ]] && args+=(-ts "$WPSERVICE_SIGN_TIMESTAMP")
	osslsigncode "${args[@]}" -in "$1" -out "$1.signed"
	mv "$1.signed" "$1"
	step "signed $(basename "$1")"
}

# debian_version turns a git describe into a Debian version: no leading "v", a
# digit first (0~ before a bare commit), "+" instead of "-".
debian_version() {
	local v=${1#v}
	[[ $v =~ ^[0-9] ]] || v=0~$v
	echo "${v//-/+}"
}

# cgo_ldflags PREFIX prints the CGO_LDFLAGS of a build that links the static C
# libraries under PREFIX: Go's defaults and the library directory once more. The
# -L is for the build cache, not the linker (pkg-config already gives it): under
# -trimpath a cgo package's cache key holds neither its directory nor pkg-config's
# answer, so without the path in CGO_LDFLAGS, which the key does hold, a checkout
# elsewhere would link against the first checkout's library directory, gone or not.
cgo_ldflags() {
	echo "-O2 -g -L$(realpath "$1")/lib"
}

build_windows() {
	step "windows engine"
	local exe=$out/$name-windows-amd64.exe
	local clibs=build/clibs/x86_64-w64-mingw32
	PKG_CONFIG_LIBDIR=$(realpath "$clibs")/lib/pkgconfig CGO_LDFLAGS=$(cgo_ldflags "$clibs") \
		GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc CGO_CFLAGS="-O2 -w" \
		"$go" build -trimpath -ldflags "$ldflags -H=windowsgui" -o "$exe" ./cmd/wpservice
	local dll bad=()
	while read -r dll; do
		[[ $dll =~ $system_dlls ]] || bad+=("$dll")
	done < <(x86_64-w64-mingw32-objdump -p "$exe" | sed -n 's/^\s*DLL Name: //p')
	if ((${#bad[@]} > 0)); then
		echo "dist: the Windows engine imports DLLs Windows does not ship: ${bad[*]}" >&2
		exit 1
	fi
	sign "$exe"
}

build_installer() {
	step "windows installer"
	local setup=$out/$name-windows-amd64-setup.exe
	makensis -V2 -DVERSION="$version" -DENGINE="$out/$name-windows-amd64.exe" \
		-DOUTFILE="$setup" installer/windows/wpservice.nsi
	sign "$setup"
}

# linux_env ARCH prints the cgo environment of the Linux engine for ARCH, one
# VAR=value a line. Each target has its own C compiler and its own pkg-config
# directory: a C library built from source for a target (as the Windows build's are)
# is added by pointing that target's PKG_CONFIG_LIBDIR at its prefix.
linux_env() {
	case $1 in
	amd64)
		echo "CC=${LINUX_AMD64_CC:-x86_64-linux-gnu-gcc}"
		[[ -z ${LINUX_AMD64_PKG_CONFIG_LIBDIR:-} ]] || echo "PKG_CONFIG_LIBDIR=$LINUX_AMD64_PKG_CONFIG_LIBDIR"
		;;
	arm64)
		echo "CC=${LINUX_ARM64_CC:-aarch64-linux-gnu-gcc}"
		local pc=${LINUX_ARM64_PKG_CONFIG_LIBDIR:-$(realpath build/clibs/aarch64-linux-gnu)/lib/pkgconfig}
		echo "PKG_CONFIG_LIBDIR=$pc"
		echo "CGO_LDFLAGS=$(cgo_ldflags "$pc/../..")"
		;;
	esac
}

build_linux() { # arch
	step "linux $1 engine"
	# libopus and speexdsp: the system's -dev packages for amd64, built from source
	# for arm64 (scripts/clibs.sh, before the builds start)
	local env
	mapfile -t env < <(linux_env "$1")
	mkdir -p "$work/linux-$1"
	env "${env[@]}" GOOS=linux GOARCH="$1" CGO_ENABLED=1 \
		"$go" build -trimpath -ldflags "$ldflags" -o "$work/linux-$1/wpservice" ./cmd/wpservice
}

build_tarball() { # arch
	step "linux $1 tarball"
	local dir=$work/tar-$1/$name-linux-$1
	mkdir -p "$dir"
	install -m 0755 "$work/linux-$1/wpservice" "$dir/wpservice"
	install -m 0644 installer/linux/wpservice.service installer/linux/wpservice.1 "$dir/"
	tar -C "$work/tar-$1" --owner=0 --group=0 --numeric-owner --sort=name \
		-czf "$out/$name-linux-$1.tar.gz" "$name-linux-$1"
}

# build_deb makes the Debian package of one architecture with nfpm, from
# installer/linux/nfpm.yaml; nfpm is the version pinned in installer/tools/go.mod
# (GOFLAGS cleared: a build flag meant for the engine is not nfpm's).
build_deb() { # arch
	local debver
	debver=$(debian_version "$version")
	step "debian package $debver $1"
	local pkg=$work/deb-$1
	install -D -m 0755 "$work/linux-$1/wpservice" "$pkg/usr/bin/wpservice"
	install -d "$pkg/usr/share/man/man1"
	gzip -9n <installer/linux/wpservice.1 >"$pkg/usr/share/man/man1/wpservice.1.gz"
	DEB_VERSION=$debver DEB_ARCH=$1 DEB_ROOT=$pkg GOFLAGS='' \
		"$go" tool -modfile=installer/tools/go.mod nfpm package --packager deb \
		--config installer/linux/nfpm.yaml --target "$out/wpservice_${debver}_$1.deb" >/dev/null
}

checksums() {
	step "SHA256SUMS"
	(cd "$out" && rm -f SHA256SUMS && sha256sum -- wpservice[-_]* >SHA256SUMS)
}

# The builds of the targets are independent: they run at once, each with its output
# in a log of its own, printed when it ends. While one links, runs a cgo step or
# compresses the installer on one core, the others compile. nfpm (built by go tool
# the first time) builds alongside; the Linux packages are made once it and the
# Linux engines are there.
jobs=() # job:pid
spawn() { # job command...
	local job=$1
	shift
	("$@") >"$work/$job.log" 2>&1 &
	jobs+=("$job:$!")
}

# await waits for every job spawned so far and prints its output; it fails if one
# failed.
await() {
	local job failed=()
	for job in ${jobs[@]+"${jobs[@]}"}; do
		wait "${job#*:}" || failed+=("${job%%:*}")
		cat "$work/${job%%:*}.log"
	done
	jobs=()
	if ((${#failed[@]} > 0)); then
		echo "dist: failed: ${failed[*]}" >&2
		exit 1
	fi
}

windows() {
	build_windows
	build_installer
}

nfpm() {
	step "nfpm"
	GOFLAGS='' "$go" tool -modfile=installer/tools/go.mod nfpm --version >/dev/null
}

package() { # arch
	build_tarball "$1"
	build_deb "$1"
}

want_windows=false arches=()
for target in "${targets[@]}"; do
	case $target in
	windows) want_windows=true ;;
	linux-amd64 | linux-arm64) arches+=("${target#linux-}") ;;
	linux) arches+=(amd64 arm64) ;;
	*)
		echo "dist: unknown target $target (windows, linux-amd64, linux-arm64, linux)" >&2
		exit 2
		;;
	esac
done
mapfile -t arches < <(printf '%s\n' ${arches[@]+"${arches[@]}"} | sort -u | sed '/^$/d')

# The static C libraries (scripts/clibs.sh: built once, at once when they are
# there), before the builds that link them start.
if $want_windows; then ./scripts/clibs.sh x86_64-w64-mingw32 build/clibs/x86_64-w64-mingw32; fi
for arch in ${arches[@]+"${arches[@]}"}; do
	[[ $arch == amd64 ]] || ./scripts/clibs.sh aarch64-linux-gnu build/clibs/aarch64-linux-gnu
done

if $want_windows; then spawn windows windows; fi
for arch in ${arches[@]+"${arches[@]}"}; do
	spawn "linux-$arch" build_linux "$arch"
done
((${#arches[@]} == 0)) || spawn nfpm nfpm
await
for arch in ${arches[@]+"${arches[@]}"}; do
	spawn "package-$arch" package "$arch"
done
await
checksums
step "done: $out"
