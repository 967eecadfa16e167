#!/usr/bin/env bash
# Runs every result executable on one profile (resuming finished runs), then copies the
# figures into Figures/<result>/. Usage: scripts/reproduce.sh PROFILE JOBS RESULT...
set -euo pipefail
profile=$1; jobs=$2; shift 2
start=$(date +%s)
for result in "$@"; do
  echo "== $result ($profile)" >&2
  t0=$(date +%s)
  .build/release/"$result" run --profile "$profile" --jobs "$jobs"
  mkdir -p "Figures/$result"
  find "results/$result/$profile" -maxdepth 1 -name '*.png' -exec cp {} "Figures/$result/" \;
  echo "== $result done in $(( $(date +%s) - t0 )) s; figures in Figures/$result/" >&2
done
echo "== all done in $(( $(date +%s) - start )) s" >&2
