#!/usr/bin/env bash
# The run records behind REPRODUCE.md, kept in the repository under Runs/<result>/<folder>/
# (runs/ and provenance/ of results/<result>/<folder>/; <folder> is the profile, with
# "-published" for the published algorithm). results/ itself is not tracked: a fresh clone
# computes everything again, and these records are what the committed numbers were made from.
#
#   scripts/runs.sh save PROFILE      copy the profile's run records from results/ into Runs/
#   scripts/runs.sh restore PROFILE   copy them back into results/ (existing files are kept), so
#                                     that `<result> merge` rebuilds every table, verdict and
#                                     figure without recomputing, or `run` continues a profile
#                                     that an earlier machine left unfinished
#   scripts/runs.sh list              what Runs/ holds: runs per folder and size
#
# A record is used only when its run key, parameters and the run's numerics revision match
# (the executables check all three; a change that alters any computed number raises the revision), so
# a restored record of other parameters is recomputed, never mixed in.
set -euo pipefail
cd "$(dirname "$0")/.."
results="results"
store="Runs"
usage() { echo "usage: scripts/runs.sh save|restore PROFILE, or scripts/runs.sh list" >&2; exit 2; }

case "${1:-}" in
  save|restore)
    [ $# -eq 2 ] || usage
    profile=$2
    case "$profile" in quick|default|paper) ;; *)
      echo "unknown profile '$profile': use quick, default or paper" >&2; exit 2 ;;
    esac
    if [ "$1" = save ]; then from=$results; to=$store; else from=$store; to=$results; fi
    copied=0
    shopt -s nullglob
    for folder in "$from"/*/"$profile" "$from"/*/"$profile"-published; do
      [ -d "$folder/runs" ] || continue
      result=$(basename "$(dirname "$folder")")
      target="$to/$result/$(basename "$folder")"
      for part in runs provenance; do
        [ -d "$folder/$part" ] || continue
        mkdir -p "$target/$part"
        if [ "$1" = save ]; then
          # The store mirrors results/: records of runs recomputed since are replaced.
          rm -rf "$target/$part.tmp"
          cp -R "$folder/$part" "$target/$part.tmp"
          rm -rf "$target/$part"
          mv "$target/$part.tmp" "$target/$part"
        else
          cp -R -n "$folder/$part/." "$target/$part/"
        fi
      done
      n=$(find "$folder/runs" -name '*.json' | wc -l)
      echo "$1: $result/$(basename "$folder"): $n run record(s)" >&2
      copied=$((copied + 1))
    done
    if [ "$copied" -eq 0 ]; then
      echo "$1: no run records of profile '$profile' under $from/" >&2
      exit 1
    fi
    ;;
  list)
    [ -d "$store" ] || { echo "$store/ holds no run records yet" >&2; exit 0; }
    for folder in "$store"/*/*; do
      [ -d "$folder/runs" ] || continue
      printf '%-40s %5d runs %8s\n' "${folder#"$store"/}" "$(find "$folder/runs" -name '*.json' | wc -l)" \
        "$(du -sh "$folder" | cut -f1)"
    done
    ;;
  *) usage ;;
esac
