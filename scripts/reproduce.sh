#!/usr/bin/env bash
# Runs every result executable on one profile (resuming finished runs), copies the figures
# into Figures/<result>/, regenerates REPRODUCE.md, then prints the summary table: per claim
# of the paper the measured numbers, the verdict (from results/<result>/<profile>/verdict.json),
# the figures, and each result's wall time in this invocation (the table is also written to
# results/reproduce-<profile>.md). REPRODUCE.md's opening summary of every claim under both
# algorithms is regenerated too (results/summary/<profile>/claims.md). A failing result does
# not stop the others; the script then exits with an error. The results named in $PUBLISHED
# (space-separated) also run with the published algorithm, into
# results/<result>/<profile>-published/, whose comparison.md sets the two algorithms' verdicts
# side by side. Usage: scripts/reproduce.sh PROFILE JOBS RESULT...
set -euo pipefail
profile=$1; jobs=$2; shift 2
start=$(date +%s)
report=()   # --seconds RESULT=S and --failed RESULT arguments of the report
failures=0
for result in "$@"; do
  echo "== $result ($profile)" >&2
  t0=$(date +%s)
  if ! .build/release/"$result" run --profile "$profile" --jobs "$jobs"; then
    report+=(--failed "$result")
    failures=$((failures + 1))
    echo "== $result FAILED" >&2
  fi
  seconds=$(( $(date +%s) - t0 ))
  report+=(--seconds "$result=$seconds")
  if [[ " ${PUBLISHED:-} " == *" $result "* ]]; then
    echo "== $result ($profile, published algorithm)" >&2
    t1=$(date +%s)
    if ! .build/release/"$result" run --profile "$profile" --jobs "$jobs" --algorithm published; then
      failures=$((failures + 1))
      echo "== $result (published) FAILED" >&2
    fi
    echo "== $result (published) done in $(( $(date +%s) - t1 )) s" >&2
  fi
  mkdir -p "Figures/$result"
  if [ -d "results/$result/$profile" ]; then
    find "results/$result/$profile" -maxdepth 1 -name '*.png' -exec cp {} "Figures/$result/" \;
  fi
  echo "== $result done in $seconds s; figures in Figures/$result/" >&2
done
# Only the blocks of the results run here are regenerated; the others keep their numbers.
for result in "$@"; do scripts/update-reproduce.sh "$profile" "$result"; done
echo "== all done in $(( $(date +%s) - start )) s" >&2
echo
# The table printed here covers the results of this invocation; the claims summary REPRODUCE.md
# opens with covers all six, from whatever verdicts this profile has.
.build/release/report --profile "$profile" --markdown "results/reproduce-$profile.md" \
  --summary "results/summary/$profile/claims.md" ${report[@]+"${report[@]}"} "$@"
scripts/update-reproduce.sh "$profile" summary
echo
echo "Where to look: REPRODUCE.md (it opens with every claim's outcome under both algorithms, then" \
  "each claim beside its numbers, verdict and figures), the table" \
  "above (also in results/reproduce-$profile.md), the figures in Figures/<result>/ and each" \
  "result's files in results/<result>/$profile/ (comparison.md in $profile-published/)."
if [ "$failures" -gt 0 ]; then
  echo "$failures result(s) failed; see their logs above" >&2
  exit 1
fi
