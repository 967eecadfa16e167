#!/usr/bin/env bash
# Fuzzes the dataset readers with libFuzzer (swiftc -sanitize=fuzzer,address).
# Usage: scripts/fuzz.sh SECONDS [TARGET...]   (targets: idx cifar gzip tar imagefolder; default all)
#        FUZZ_RUNS=N scripts/fuzz.sh 0 [TARGET...]   (N inputs per target, seed 1: reproducible)
# Each target is built into .build-fuzz/<target> from the reader sources and
# Tests/Fuzz/FuzzTarget.swift, then run for SECONDS on its corpus, Tests/Fuzz/corpus/<target>.
# With FUZZ_KEEP=1 the inputs that add coverage are merged back into that corpus (kept small:
# inputs of at most 16 KiB); otherwise the corpus is only read. A crash, leak or timeout leaves
# its input in .build-fuzz/<target>-artifacts/ and makes the script fail.
set -euo pipefail
seconds=${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}; shift
# FUZZ_RUNS=N replaces the time limit by N inputs with a fixed seed: the same inputs on every
# machine (make test uses it, so that it cannot pass or fail by the speed of the machine).
limit=(-max_total_time="$seconds")
[ -z "${FUZZ_RUNS:-}" ] || limit=(-runs="$FUZZ_RUNS" -seed=1)
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(idx cifar gzip tar imagefolder)
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=.build-fuzz
mkdir -p "$out"
sources=(Catalog CIFAR DatasetError FileIO Gzip IDX ImageFolder LabeledImages Load Split Tar)
src=("${sources[@]/#/Sources/Datasets/}"); src=("${src[@]/%/.swift}")
includes=(-I Sources/CSystem/CZlib -I Sources/CSystem/CPNG -I Sources/CSystem/CTurboJPEG)
for t in "${targets[@]}"; do
  flag=FUZZ_$(echo "$t" | tr '[:lower:]' '[:upper:]')
  bin=$out/$t
  if [ ! -x "$bin" ] || [ -n "$(find "${src[@]}" Tests/Fuzz/FuzzTarget.swift -newer "$bin" 2>/dev/null)" ]; then
    echo "== building $t" >&2
    swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name Datasets -D "$flag" \
      "${includes[@]}" "${src[@]}" Tests/Fuzz/FuzzTarget.swift -lz -lpng -lturbojpeg -o "$bin" 2> "$out/$t.build.log" \
      || { cat "$out/$t.build.log" >&2; exit 1; }
  fi
  corpus=Tests/Fuzz/corpus/$t
  mkdir -p "$corpus" "$out/$t-artifacts" "$out/$t-new"
  if [ -n "${FUZZ_RUNS:-}" ]; then echo "== fuzzing $t ($FUZZ_RUNS inputs, seed 1)" >&2; else echo "== fuzzing $t for $seconds s" >&2; fi
  "$bin" "${limit[@]}" -max_len=16384 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/$t-artifacts/" "$out/$t-new" "$corpus" 2> "$out/$t.log" \
    || { tail -40 "$out/$t.log" >&2; echo "fuzz target $t failed; its input is in $out/$t-artifacts/" >&2; exit 1; }
  grep -E "stat::number_of_executed_units|stat::new_units_added" "$out/$t.log" | sed "s/^/$t: /" >&2
  if [ "${FUZZ_KEEP:-0}" = 1 ]; then
    "$bin" -merge=1 -max_len=16384 "$corpus" "$out/$t-new" 2>> "$out/$t.log" >/dev/null
  fi
  rm -rf "$out/$t-new"
done
