#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the project builds against, if any is missing.
# As root it runs apt-get itself; otherwise it prints the exact command and stops.
set -euo pipefail

packages=(libopenblas-dev liblapacke-dev libpng-dev zlib1g-dev libfreetype-dev
          fonts-dejavu-core pkgconf)

if ! command -v swift >/dev/null 2>&1; then
  echo "error: the Swift toolchain (6.0 or newer) is not on PATH." >&2
  echo "       Install it from swift.org (or your distribution) and rerun." >&2
  exit 1
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "warning: not a Debian/Ubuntu system; make sure these are installed: ${packages[*]}" >&2
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == *"install ok installed"* ]] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "error: missing system packages: ${missing[*]}" >&2
  echo "       run:  sudo apt-get install -y ${missing[*]}" >&2
  echo "       then rerun make." >&2
  exit 1
fi
