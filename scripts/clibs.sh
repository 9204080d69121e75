#!/usr/bin/env bash
# clibs.sh builds the C libraries the engine links through cgo (libopus and
# speexdsp) as static libraries for a cross target, so that the Windows engine
# (and other cross builds) carry them inside the executable with no DLL beside it.
# The native Linux build uses the distribution's -dev packages instead.
#
# usage: scripts/clibs.sh TRIPLET [PREFIX]
#   TRIPLET  the compiler prefix, e.g. x86_64-w64-mingw32 or aarch64-linux-gnu
#   PREFIX   where to install (default build/clibs/TRIPLET); cgo finds the
#            libraries through PKG_CONFIG_LIBDIR=PREFIX/lib/pkgconfig
#
# The sources are the upstream tarballs as Debian ships them (the same versions
# as the libopus-dev and libspeexdsp-dev packages the Linux build uses), checked
# against pinned SHA-256 sums and cached in build/clibs/src. A finished build
# leaves PREFIX/.done, so a second run costs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

triplet=${1:?usage: scripts/clibs.sh TRIPLET [PREFIX]}
prefix=$(realpath -m "${2:-build/clibs/$triplet}")
src=$(realpath -m build/clibs/src)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

# name version pool-path sha256: one line per library.
libs=(
	"opus 1.3.1 o/opus 65b58e1e25b2a114157014736a3d9dfeaad8d41be1c8179866f144a2fb44ff9d"
	"speexdsp 1.2.1 s/speexdsp 8c777343e4a6399569c72abc38a95b24db56882c83dbdb6c6424a5f4aeb54d3d"
)

stamp="$prefix/.done"
want="${libs[*]}"
if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
	exit 0
fi
command -v "$triplet-gcc" >/dev/null || {
	echo "clibs: $triplet-gcc is not installed (scripts/deps.sh installs it)" >&2
	exit 1
}

# fetch downloads one tarball into the cache unless it is there with the right sum.
fetch() { # name version pool sha256
	local file="$1_$2.orig.tar.gz"
	mkdir -p "$src"
	if ! echo "$4  $src/$file" | sha256sum --check --status 2>/dev/null; then
		echo "clibs: fetching $file" >&2
		curl -fsSL --retry 3 -o "$src/$file.part" "$mirror/pool/main/$3/$file"
		echo "$4  $src/$file.part" | sha256sum --check --quiet
		mv "$src/$file.part" "$src/$file"
	fi
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$prefix"
jobs=$(nproc 2>/dev/null || echo 2)

for lib in "${libs[@]}"; do
	read -r name version pool sum <<<"$lib"
	fetch "$name" "$version" "$pool" "$sum"
	tar -C "$work" -xzf "$src/${name}_$version.orig.tar.gz"
	# _FORTIFY_SOURCE=0: opus's configure turns fortification on, and mingw's
	# C runtime has no __memcpy_chk to link against.
	flags=(--host="$triplet" --prefix="$prefix" --enable-static --disable-shared
		CFLAGS="-O2 -D_FORTIFY_SOURCE=0")
	case $name in
	opus) flags+=(--disable-doc --disable-extra-programs) ;;
	speexdsp) flags+=(--disable-examples) ;;
	esac
	echo "clibs: building $name $version for $triplet" >&2
	(cd "$work/$name-$version" && ./configure -q "${flags[@]}" >/dev/null &&
		make -s -j"$jobs" >/dev/null 2>&1 && make -s install >/dev/null)
done

echo "$want" >"$stamp"
echo "clibs: $prefix" >&2
