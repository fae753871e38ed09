#!/usr/bin/env bash
# Prints the Debian packages that provide the shared libraries BINARY links to, one per line:
# what a runtime image (deploy/Dockerfile) must install, derived from the binary rather than kept
# by hand, so a new library dependency cannot be forgotten.
set -euo pipefail
binary=${1:?usage: runtime-packages.sh BINARY}
ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | while read -r lib; do
  real=$(readlink -f "$lib")
  pkg=$(dpkg-query -S "$lib" 2>/dev/null || dpkg-query -S "$real" 2>/dev/null || \
        dpkg-query -S "/usr$lib" 2>/dev/null || true)
  [[ -n "$pkg" ]] || { echo "runtime-packages: no package provides $lib" >&2; exit 1; }
  echo "${pkg%%:*}"
done | sort -u
