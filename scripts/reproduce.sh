#!/usr/bin/env bash
# Runs every result executable on one profile, then copies the figures into Figures/.
# Usage: scripts/reproduce.sh PROFILE JOBS RESULT...
set -euo pipefail
profile=$1; jobs=$2; shift 2
for result in "$@"; do
  echo "== $result ($profile)" >&2
  .build/release/"$result" run --profile "$profile" --jobs "$jobs"
done
