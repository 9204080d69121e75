#!/usr/bin/env bash
# Builds every release artefact of one version into a directory:
#
#   wpservice-VERSION-windows-amd64.exe        the Windows engine (cgo via mingw-w64)
#   wpservice-VERSION-windows-amd64-setup.exe  its per-user NSIS installer
#   wpservice-VERSION-linux-amd64.tar.gz       the Linux engine, its user unit and man page
#   wpservice_DEBVERSION_amd64.deb             the Debian package
#   SHA256SUMS                                 the checksum of each of them
#
# usage: installer/dist.sh VERSION OUTDIR [windows|linux]...
#
# With targets named, only their artefacts are built (windows: the engine and its
# installer; linux: the tarball and the .deb); without, all of them.
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
trap 'rm -rf "$work"' EXIT
cd "$root"

go=${GO:-go}
name=wpservice-$version
ldflags="-s -w -X main.version=$version"

# Windows DLLs the engine may import: they ship with every Windows 10 and later.
system_dlls='^(KERNEL32|msvcrt|ADVAPI32|WS2_32|WINMM|ole32|USER32|SHELL32|bcrypt|CRYPT32|IPHLPAPI|ntdll)\.dll$'

step() { echo "dist: $*"; }

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

build_windows() {
	step "windows engine"
	local exe=$out/$name-windows-amd64.exe
	local clibs=build/clibs/x86_64-w64-mingw32
	./scripts/clibs.sh x86_64-w64-mingw32 "$clibs"
	PKG_CONFIG_LIBDIR=$(realpath "$clibs")/lib/pkgconfig \
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

build_linux() {
	step "linux engine"
	mkdir -p "$work/linux"
	CGO_ENABLED=1 "$go" build -trimpath -ldflags "$ldflags" -o "$work/linux/wpservice" ./cmd/wpservice
}

build_tarball() {
	step "linux tarball"
	local dir=$work/tar/$name-linux-amd64
	mkdir -p "$dir"
	install -m 0755 "$work/linux/wpservice" "$dir/wpservice"
	install -m 0644 installer/linux/wpservice.service installer/linux/wpservice.1 "$dir/"
	tar -C "$work/tar" --owner=0 --group=0 --numeric-owner --sort=name \
		-czf "$out/$name-linux-amd64.tar.gz" "$name-linux-amd64"
}

build_deb() {
	local debver
	debver=$(debian_version "$version")
	step "debian package $debver"
	local pkg=$work/deb
	install -D -m 0755 "$work/linux/wpservice" "$pkg/usr/bin/wpservice"
	install -D -m 0644 installer/linux/wpservice.service "$pkg/usr/lib/systemd/user/wpservice.service"
	# The machine config's directory, with a README and an example the engine does
	# not read; config.json itself is the administrator's, never the package's.
	install -D -m 0644 installer/linux/etc/README "$pkg/etc/wpservice/README"
	install -m 0644 installer/linux/etc/config.json.example "$pkg/etc/wpservice/"
	install -d "$pkg/usr/share/man/man1"
	gzip -9n <installer/linux/wpservice.1 >"$pkg/usr/share/man/man1/wpservice.1.gz"
	chmod 0644 "$pkg/usr/share/man/man1/wpservice.1.gz"
	install -d "$pkg/DEBIAN"
	install -m 0755 installer/linux/postinst installer/linux/prerm installer/linux/postrm "$pkg/DEBIAN/"
	local size
	size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
	cat >"$pkg/DEBIAN/control" <<-EOF
		Package: wpservice
		Version: $debver
		Architecture: amd64
		Maintainer: wpservice developers <wpservice@users.noreply.github.com>
		Installed-Size: $size
		Depends: libc6 (>= 2.34)
		Recommends: libasound2, libpulse0 | pipewire-pulse
		Section: comm
		Priority: optional
		Homepage: https://github.com/wpservice/wpservice
		Description: softphone engine driven by web pages
		 A SIP/RTP phone with local audio, driven by web pages through a JSON
		 WebSocket on 127.0.0.1. A systemd user unit starts it in every user
		 session; it never runs as root.
	EOF
	(cd "$pkg" && find etc -type f -printf '/%p\n' | sort >DEBIAN/conffiles)
	(cd "$pkg" && find usr -type f -exec md5sum {} + | sort -k2 >DEBIAN/md5sums)
	dpkg-deb --root-owner-group -Zxz --build "$pkg" "$out/wpservice_${debver}_amd64.deb" >/dev/null
}

checksums() {
	step "SHA256SUMS"
	(cd "$out" && rm -f SHA256SUMS && sha256sum -- wpservice[-_]* >SHA256SUMS)
}

for target in "${targets[@]}"; do
	case $target in
	windows)
		build_windows
		build_installer
		;;
	linux)
		build_linux
		build_tarball
		build_deb
		;;
	*)
		echo "dist: unknown target $target (windows, linux)" >&2
		exit 2
		;;
	esac
done
checksums
step "done: $out"
