#!/usr/bin/env bash
# Runs every result executable on one profile (resuming finished runs), regenerates the
# profile's report (scripts/update-reproduce.sh: REPRODUCE.md for `paper`, whose figures are
# copied into Figures/<result>/; REPRODUCE-default.md for `default`; none for `quick`), then
# prints the summary table: per claim of the paper the measured numbers, the verdict (from
# results/<result>/<profile>/verdict.json), the figures, and each result's wall time in this
# invocation (the table is also written to results/reproduce-<profile>.md). The report's opening
# summary of every claim under both algorithms is regenerated too
# (results/summary/<profile>/claims.md). A failing result does
# not stop the others; the script then exits with an error. The results named in $PUBLISHED
# (space-separated) also run with the published algorithm, into
# results/<result>/<profile>-published/, whose comparison.md sets the two algorithms' verdicts
# side by side. With STOP_AFTER (seconds, or 90m, 2h), no run starts after that much wall time
# in all: each executable gets the time left (--stop-after), finished runs are kept, and the
# same command continues later. Usage: scripts/reproduce.sh PROFILE JOBS RESULT...
set -euo pipefail
profile=$1; jobs=$2; shift 2
case "$profile" in
  paper) document=REPRODUCE.md ;;
  default) document=REPRODUCE-default.md ;;
  *) document="" ;;
esac
start=$(date +%s)
report=()   # --seconds RESULT=S and --failed RESULT arguments of the report
failures=0
incomplete=()   # results that STOP_AFTER left unfinished
deadline=""
if [ -n "${STOP_AFTER:-}" ]; then
  case "$STOP_AFTER" in
    *h) limit=$(awk -v v="${STOP_AFTER%h}" 'BEGIN { printf "%d", v * 3600 }') ;;
    *m) limit=$(awk -v v="${STOP_AFTER%m}" 'BEGIN { printf "%d", v * 60 }') ;;
    *s) limit=$(awk -v v="${STOP_AFTER%s}" 'BEGIN { printf "%d", v }') ;;
    *) limit=$(awk -v v="$STOP_AFTER" 'BEGIN { printf "%d", v }') ;;
  esac
  if ! [ "$limit" -gt 0 ] 2>/dev/null; then
    echo "STOP_AFTER=$STOP_AFTER is not a duration: give seconds, or a number with s, m or h (90m, 2h)" >&2
    exit 2
  fi
  deadline=$((start + limit))
fi
# The --stop-after argument for the time left (empty without STOP_AFTER); "0" once it is up.
time_left() {
  if [ -z "$deadline" ]; then return; fi
  local left=$((deadline - $(date +%s)))
  if [ "$left" -le 0 ]; then echo 0; else echo "--stop-after $left"; fi
}
for result in "$@"; do
  limit_args=$(time_left)
  if [ "$limit_args" = 0 ]; then
    echo "== $result not started: STOP_AFTER=$STOP_AFTER is up; run the same command again to continue" >&2
    incomplete+=("$result")
    continue
  fi
  echo "== $result ($profile)" >&2
  t0=$(date +%s)
  status=0
  # shellcheck disable=SC2086  # limit_args is empty or two words
  .build/release/"$result" run --profile "$profile" --jobs "$jobs" $limit_args || status=$?
  if [ "$status" -eq 75 ]; then
    incomplete+=("$result")
  elif [ "$status" -ne 0 ]; then
    report+=(--failed "$result")
    failures=$((failures + 1))
    echo "== $result FAILED" >&2
  fi
  seconds=$(( $(date +%s) - t0 ))
  report+=(--seconds "$result=$seconds")
  if [[ " ${PUBLISHED:-} " == *" $result "* ]]; then
    echo "== $result ($profile, published algorithm)" >&2
    t1=$(date +%s)
    limit_args=$(time_left)
    if [ "$limit_args" = 0 ]; then
      echo "== $result (published) not started: STOP_AFTER=$STOP_AFTER is up" >&2
      incomplete+=("$result (published)")
    else
      status=0
      # shellcheck disable=SC2086
      .build/release/"$result" run --profile "$profile" --jobs "$jobs" --algorithm published $limit_args || status=$?
      if [ "$status" -eq 75 ]; then
        incomplete+=("$result (published)")
      elif [ "$status" -ne 0 ]; then
        failures=$((failures + 1))
        echo "== $result (published) FAILED" >&2
      fi
    fi
    echo "== $result (published) done in $(( $(date +%s) - t1 )) s" >&2
  fi
  echo "== $result done in $seconds s" >&2
done
if [ ${#incomplete[@]} -gt 0 ]; then
  # Part of the runs only: REPRODUCE.md keeps its numbers until every run is done.
  echo "== stopped: STOP_AFTER=$STOP_AFTER is up${incomplete[*]:+; unfinished: ${incomplete[*]}}." \
    "Finished runs are kept in results/; run the same command again to continue." >&2
  echo "${document:-The report} and the figures are updated once every run is done." >&2
  exit 0
fi
# The figures (of the paper profile, the one REPRODUCE.md shows) and the report together, once
# every run is done: only the results run here; the others keep their figures and numbers.
for result in "$@"; do
  if [ "$profile" = paper ] && [ -d "results/$result/$profile" ]; then
    mkdir -p "Figures/$result"
    find "results/$result/$profile" -maxdepth 1 -name '*.png' -exec cp {} "Figures/$result/" \;
  fi
  scripts/update-reproduce.sh "$profile" "$result"
done
echo "== all done in $(( $(date +%s) - start )) s" >&2
echo
# The table printed here covers the results of this invocation; the claims summary REPRODUCE.md
# opens with covers all six, from whatever verdicts this profile has.
.build/release/report --profile "$profile" --markdown "results/reproduce-$profile.md" \
  --summary "results/summary/$profile/claims.md" --reproduce "${document:-REPRODUCE.md}" \
  ${report[@]+"${report[@]}"} "$@"
scripts/update-reproduce.sh "$profile" summary
echo
if [ -n "$document" ]; then
  shows="numbers and verdict"
  [ "$profile" = paper ] && shows="numbers, verdict and figures"
  echo "Where to look: $document (it opens with every claim's outcome under both algorithms, then" \
    "each claim beside its $shows), the table above (also in" \
    "results/reproduce-$profile.md) and each result's files, figures included, in" \
    "results/<result>/$profile/ (comparison.md in $profile-published/)."
else
  echo "Where to look: the table above (also in results/reproduce-$profile.md), the summary of every" \
    "claim in results/summary/$profile/claims.md and each result's files, figures included, in" \
    "results/<result>/$profile/ (comparison.md in $profile-published/); the $profile profile updates no report."
fi
if [ "$failures" -gt 0 ]; then
  echo "$failures result(s) failed; see their logs above" >&2
  exit 1
fi
