#!/usr/bin/env bash
# Regenerates the measured sections of REPRODUCE.md from the result summaries.
# Every block between "<!-- generated: RESULT/FILE -->" and "<!-- end generated -->" is replaced
# by results/RESULT/PROFILE/FILE (a Markdown file written by the result executable), or, for
# outputs that belong to no profile such as the benchmarks, by results/RESULT/FILE; or by a
# line saying that it has not been run. A block "RESULT@published/FILE" reads the published
# algorithm's folder, results/RESULT/PROFILE-published/FILE. With ONLY, just the blocks of that
# result (for example `bench`, or `correlation@published`) are replaced.
# Usage: scripts/update-reproduce.sh [PROFILE [ONLY]]
set -euo pipefail
profile=${1:-default}
only=${2:-}
file=REPRODUCE.md
tmp=$(mktemp "$file.XXXXXX")
awk -v profile="$profile" -v only="$only" '
  /^<!-- generated: .* -->$/ {
    print
    name = $3
    split(name, part, "/")
    split(part[1], variant, "@")
    if (only != "" && part[1] != only && variant[1] != only) next
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
echo "REPRODUCE.md updated from the $profile profile${only:+ (blocks of $only only)}" >&2
