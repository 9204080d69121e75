#!/usr/bin/env bash
# Builds the macOS installer package of one version, on a Mac with Xcode's command
# line tools (cgo and CoreAudio need Apple's SDK, so it cannot run elsewhere):
#
#   wpservice-VERSION-macos.pkg   the engine (amd64 and arm64 in one binary) in
#                                 /usr/local/bin and its LaunchAgent in
#                                 /Library/LaunchAgents, started for the console
#                                 user by postinstall
#
# usage: installer/macos/build-pkg.sh VERSION OUTDIR
#
# Signing, when the identities are in the keychain (docs/install.md):
#   WPSERVICE_CODESIGN_IDENTITY  "Developer ID Application: ..." signs the engine
#                                (hardened runtime, microphone entitlement)
#   WPSERVICE_PKGSIGN_IDENTITY   "Developer ID Installer: ..." signs the package
# Without them the package is unsigned. Notarisation is a separate step
# (xcrun notarytool), documented in docs/install.md.
set -euo pipefail

if (($# != 2)); then
	echo "usage: $0 VERSION OUTDIR" >&2
	exit 2
fi
if [[ $(uname -s) != Darwin ]]; then
	echo "build-pkg: needs macOS (cgo with Apple's SDK for CoreAudio)" >&2
	exit 1
fi
version=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"

go=${GO:-go}
identifier=com.github.wpservice.wpservice
pkg=$out/wpservice-$version-macos.pkg

step() { echo "build-pkg: $*"; }

step "engine (amd64, arm64)"
for arch in amd64 arm64; do
	GOOS=darwin GOARCH=$arch CGO_ENABLED=1 \
		"$go" build -trimpath -ldflags "-s -w -X main.version=$version" -o "$work/wpservice-$arch" ./cmd/wpservice
done
mkdir -p "$work/root/usr/local/bin" "$work/root/Library/LaunchAgents"
lipo -create -output "$work/root/usr/local/bin/wpservice" "$work/wpservice-amd64" "$work/wpservice-arm64"
install -m 0644 "$here/wpservice.plist" "$work/root/Library/LaunchAgents/wpservice.plist"
plutil -lint "$work/root/Library/LaunchAgents/wpservice.plist"

if [[ -n ${WPSERVICE_CODESIGN_IDENTITY:-} ]]; then
	step "signing the engine"
	codesign --force --timestamp --options runtime --entitlements "$here/entitlements.plist" \
		--identifier "$identifier" --sign "$WPSERVICE_CODESIGN_IDENTITY" "$work/root/usr/local/bin/wpservice"
fi

step "package $version"
pkgbuild --root "$work/root" --scripts "$here/scripts" --identifier "$identifier" \
	--version "$version" --install-location / "$work/component.pkg"
sign=()
[[ -n ${WPSERVICE_PKGSIGN_IDENTITY:-} ]] && sign=(--sign "$WPSERVICE_PKGSIGN_IDENTITY")
productbuild --package "$work/component.pkg" ${sign[@]+"${sign[@]}"} "$pkg"
(cd "$out" && shasum -a 256 "$(basename "$pkg")" >"$(basename "$pkg").sha256")
step "done: $pkg"
