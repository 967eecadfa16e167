#!/usr/bin/env bash
# Regenerates the measured sections of the reports from the result summaries. Each profile has
# its report: `paper` (the paper's protocol) REPRODUCE.md, the one a reader opens first;
# `default` REPRODUCE-default.md, kept for comparison; `quick` (the claims tests' smoke-test
# scale) none. Every block between "<!-- generated: RESULT/FILE -->" and
# "<!-- end generated -->" is replaced by results/RESULT/PROFILE/FILE (a Markdown file written by
# the result executable), or, for outputs that belong to no profile such as the benchmarks, by
# results/RESULT/FILE; or by a line saying that it has not been run. A block
# "RESULT@published/FILE" reads the published algorithm's folder,
# results/RESULT/PROFILE-published/FILE. With ONLY, just the blocks of that result (for example
# `correlation`, or `correlation@published`) are replaced. `bench` (the benchmarks) always
# updates REPRODUCE.md, and `times` the README's time table (results/times/time-table.md,
# written by `report --time-table`).
# Usage: scripts/update-reproduce.sh PROFILE [ONLY], or scripts/update-reproduce.sh bench|times
set -euo pipefail
profile=${1:-default}
only=${2:-}
case "$profile" in
  bench|times) only=$profile; profile=paper ;;
esac
case "$only" in
  bench) file=REPRODUCE.md ;;
  times) file=README.md ;;
  *)
    case "$profile" in
      paper) file=REPRODUCE.md ;;
      default) file=REPRODUCE-default.md ;;
      quick) echo "the quick profile updates no report (its table is results/reproduce-quick.md)" >&2; exit 0 ;;
      *) echo "unknown profile '$profile': use quick, default or paper" >&2; exit 2 ;;
    esac ;;
esac
tmp=$(mktemp "$file.XXXXXX")
awk -v profile="$profile" -v only="$only" '
  /^<!-- generated: .* -->$/ {
    print
    name = $3
    split(name, part, "/")
    split(part[1], variant, "@")
    if (only != "" && part[1] != only && variant[1] != only) next
    # The benchmarks and the time table belong to no profile: only their own update touches them.
    if (only == "" && (part[1] == "bench" || part[1] == "times")) next
    folder = profile (variant[2] != "" ? "-" variant[2] : "")
    path = "results/" variant[1] "/" folder "/" part[2]
    caption = "_Profile `" profile "`, from `" path "`:_"
    if ((getline line < path) <= 0) {
      path = "results/" part[1] "/" part[2]
      caption = "_From `" path "`:_"
      if ((getline line < path) <= 0) path = ""
    }
    if (path != "") {
      print caption
      print ""
      print line
      while ((getline line < path) > 0) print line
      close(path)
    } else if (part[1] == "bench") {
      print "_Not measured yet: run `make bench`._"
    } else if (part[1] == "summary") {
      print "_Not run yet on the `" profile "` profile: run `make reproduce PROFILE=" profile "`._"
    } else {
      print "_Not run yet on the `" profile "` profile: run `make reproduce PROFILE=" profile " RESULTS=" variant[1] "`._"
    }
    skipping = 1
    next
  }
  /^<!-- end generated -->$/ { skipping = 0 }
  !skipping { print }
' "$file" > "$tmp"
mv "$tmp" "$file"
if [ -n "$only" ]; then echo "$file updated (blocks of $only)" >&2; else echo "$file updated from the $profile profile" >&2; fi
