#!/usr/bin/env bash
# Runs one result of the paper on a Slurm cluster: a job array whose task i runs shard i/N of
# the result's runs (reproduce-array.sbatch), then a merge job (merge.sbatch) queued with
# --dependency=afterok:<array job> so that it starts once every task has succeeded.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/slurm/submit.sh [options] RESULT [-- SBATCH_OPTIONS...]

Submits RESULT (convergence, correlation, generalization, optimizers, metalearning,
displacement) to Slurm as an array of N tasks, task i running
  RESULT run --profile P --results DIR --shard i/N --jobs C
then a job that runs `RESULT merge --require-complete` after every task has succeeded.
Outputs go to DIR/RESULT/P/ as with a local run; Slurm logs to DIR/RESULT/P/slurm/.
Build first (swift build -c release, or make build) and fetch the data (make datasets);
the repository and DIR must be on a file system every node sees.

Options (environment variable and default in brackets):
  -p, --profile NAME   quick, default or paper          [TELEPORT_PROFILE, paper]
  -n, --tasks N        array tasks, one shard each       [TELEPORT_TASKS, 8]
  -c, --cpus N         CPUs per task, also its --jobs    [TELEPORT_CPUS, 4]
  -r, --results DIR    results root folder              [TELEPORT_RESULTS, results]
  -d, --datasets LIST  only these datasets (comma-separated)  [TELEPORT_DATASETS, all]
      --bin DIR        folder of the built executables  [TELEPORT_BIN, .build/release]
      --parsable       print only "ARRAY_JOB_ID MERGE_JOB_ID"
  -h, --help           this text
RESULT may also be given as TELEPORT_RESULT. Arguments after -- go to both sbatch calls
(for example -- --partition=cpu --account=lab --time=04:00:00).
Runs already done are kept: resubmitting the same command finishes an interrupted run.
EOF
}

die() { echo "submit: error: $*" >&2; echo "(scripts/slurm/submit.sh --help for usage)" >&2; exit 2; }
positive() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer (got '$2')"; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

result=${TELEPORT_RESULT:-}
profile=${TELEPORT_PROFILE:-paper}
tasks=${TELEPORT_TASKS:-8}
cpus=${TELEPORT_CPUS:-4}
results=${TELEPORT_RESULTS:-results}
datasets=${TELEPORT_DATASETS:-}
bin=${TELEPORT_BIN:-$root/.build/release}
parsable=0
extra=()

need() { [ $# -ge 2 ] && [ -n "$2" ] || die "option $1 needs a value"; }
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    -p|--profile) need "$@"; profile=$2; shift 2 ;;
    -n|--tasks) need "$@"; tasks=$2; shift 2 ;;
    -c|--cpus) need "$@"; cpus=$2; shift 2 ;;
    -r|--results) need "$@"; results=$2; shift 2 ;;
    -d|--datasets) need "$@"; datasets=$2; shift 2 ;;
    --bin) need "$@"; bin=$2; shift 2 ;;
    --parsable) parsable=1; shift ;;
    --) shift; extra=("$@"); break ;;
    -*) die "unknown option $1" ;;
    *) [ -z "$result" ] || [ "$result" = "$1" ] || die "one RESULT only (got '$result' and '$1')"
       result=$1; shift ;;
  esac
done

[ -n "$result" ] || die "no RESULT given (for example: scripts/slurm/submit.sh correlation)"
case "$profile" in quick|default|paper) ;; *) die "unknown profile '$profile': expected quick, default or paper" ;; esac
positive --tasks "$tasks"
positive --cpus "$cpus"
command -v sbatch >/dev/null 2>&1 || die "sbatch not found: run this where Slurm's client commands are installed"
bin=$(cd "$bin" 2>/dev/null && pwd) || die "no folder $bin; build first: swift build -c release"
[ -x "$bin/$result" ] || die "no executable $bin/$result: unknown result, or not built yet (swift build -c release)"

# The jobs run in the repository root (where Datasets/ is); give them absolute paths.
mkdir -p "$results" || die "cannot create the results folder $results"
results=$(cd "$results" && pwd)
logs=$results/$result/$profile/slurm
mkdir -p "$logs"

# The batch scripts read their settings from the environment, which sbatch passes on.
export TELEPORT_RESULT=$result TELEPORT_PROFILE=$profile TELEPORT_RESULTS=$results \
       TELEPORT_BIN=$bin TELEPORT_DATASETS=$datasets

array=$(sbatch --parsable --export=ALL --chdir="$root" --job-name="$result-shard" \
          --array="0-$((tasks - 1))" --ntasks=1 --cpus-per-task="$cpus" \
          --output="$logs/shard-%a-of-$tasks-job-%A.out" \
          "${extra[@]}" "$here/reproduce-array.sbatch") || die "sbatch refused the array job"
array=${array%%;*}  # "id;cluster" on federated clusters
merge=$(sbatch --parsable --export=ALL --chdir="$root" --job-name="$result-merge" \
          --dependency="afterok:$array" --kill-on-invalid-dep=yes --ntasks=1 --cpus-per-task=1 \
          --output="$logs/merge-job-%j.out" \
          "${extra[@]}" "$here/merge.sbatch") \
  || die "sbatch refused the merge job; the array job $array is queued: merge by hand once it is done with
  $bin/$result merge --profile $profile --results $results"
merge=${merge%%;*}

if [ "$parsable" -eq 1 ]; then
  echo "$array $merge"
else
  echo "submitted $result ($profile): array job $array ($tasks tasks x $cpus CPUs), merge job $merge after it"
  echo "logs in $logs/; summary in $results/$result/$profile/ when job $merge is done (squeue -j $array,$merge)"
fi
