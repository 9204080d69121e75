#!/usr/bin/env bash
# Runs every Fuzz* target in the module for the given time each (default
# 20s), one after another, and stops at the first failure.
#
#   scripts/fuzz.sh 30s
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-20s}

# go test -list prints each package's matching names, then a line
# "ok <package> <time>"; a package that does not build fails the listing.
listing=$(go test -list '^Fuzz' ./...)

targets=()
names=()
while read -r first second _; do
	case $first in
	Fuzz*) names+=("$first") ;;
	ok)
		for name in "${names[@]}"; do
			targets+=("$second $name")
		done
		names=()
		;;
	esac
done <<<"$listing"

for target in "${targets[@]}"; do
	read -r pkg name <<<"$target"
	echo "fuzz: $pkg $name for $fuzztime"
	go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"
done
echo "fuzz: ${#targets[@]} targets passed"
