#!/usr/bin/env bash
# Checks that a result executable's summary is the same whether its runs are computed by one
# process or by N shard processes running at once and then merged.
# Usage: scripts/check-shards.sh RESULT [PROFILE] [N]   (e.g. scripts/check-shards.sh correlation quick 2)
set -euo pipefail
result=$1; profile=${2:-quick}; shards=${3:-2}
exe=.build/release/$result
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$exe" run --profile "$profile" --results "$work/whole" --quiet
for ((i = 0; i < shards; i++)); do
  "$exe" run --profile "$profile" --results "$work/sharded" --shard "$i/$shards" --jobs 1 --quiet &
done
wait
"$exe" merge --profile "$profile" --results "$work/sharded" --quiet

status=0
whole=$work/whole/$result/$profile
sharded=$work/sharded/$result/$profile
[ -d "$whole" ] && [ -d "$sharded" ] || { echo "no outputs in $whole or $sharded" >&2; exit 1; }
compared=0
# Every output except provenance (which records times and command lines) must match byte for byte.
while IFS= read -r file; do
  compared=$((compared + 1))
  if ! cmp -s "$whole/$file" "$sharded/$file"; then echo "differs: $file" >&2; status=1; fi
done < <(cd "$whole" && find . -maxdepth 1 -type f ! -name 'provenance.json' | sort)
if find "$work" -name '*.tmp' | grep -q .; then echo "temporary files left" >&2; status=1; fi
[ $compared -gt 0 ] || { echo "no outputs compared" >&2; exit 1; }
[ $status -eq 0 ] && echo "$result ($profile): $shards shards merged = one process ($compared files)"
exit $status
