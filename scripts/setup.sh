#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the project builds against, if any is missing.
# As root it runs apt-get itself; otherwise it prints the exact command and stops.
# With --test it also needs a C compiler (the allocation counter, scripts/malloc-counter.c) and,
# as root, installs Slurm and munge for the one-node cluster test (that test needs root, so
# otherwise those packages are only suggested).
set -euo pipefail

packages=(libopenblas-dev liblapacke-dev libpng-dev zlib1g-dev libfreetype-dev
          libturbojpeg0-dev fonts-dejavu-core pkgconf)
test_packages=()
case "${1:-}" in
  "") ;;
  --test) packages+=(gcc libc6-dev); test_packages=(slurm-wlm munge) ;;
  *) echo "usage: scripts/setup.sh [--test]" >&2; exit 2 ;;
esac

if ! command -v swift >/dev/null 2>&1; then
  echo "error: the Swift toolchain (6.0 or newer) is not on PATH." >&2
  echo "       Install it from swift.org (or your distribution) and rerun." >&2
  exit 1
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "warning: not a Debian/Ubuntu system; make sure these are installed: ${packages[*]} ${test_packages[*]}" >&2
  exit 0
fi

missing_of() {  # the packages among "$@" that are not installed
  local p status
  for p in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == *"install ok installed"* ]] || echo "$p"
  done
}
mapfile -t missing < <(missing_of "${packages[@]}")
mapfile -t missing_test < <(missing_of "${test_packages[@]}")
[ $((${#missing[@]} + ${#missing_test[@]})) -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  all=("${missing[@]}" "${missing_test[@]}")
  echo "setup: installing ${all[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # munge and Slurm start their services on install where an init system runs; the cluster
  # test starts its own daemons, so service starts are denied for the install (policy-rc.d,
  # the Debian mechanism) unless the machine already has a policy.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${all[@]}" >/dev/null
elif [ ${#missing[@]} -gt 0 ]; then
  echo "error: missing system packages: ${missing[*]}" >&2
  echo "       run:  sudo apt-get install -y ${missing[*]} ${missing_test[*]}" >&2
  echo "       then rerun make." >&2
  exit 1
else
  echo "note: the Slurm cluster test needs root and ${missing_test[*]}; it is skipped (fails in CI)." >&2
  echo "      to run it: sudo apt-get install -y ${missing_test[*]}, then make test as root." >&2
fi
