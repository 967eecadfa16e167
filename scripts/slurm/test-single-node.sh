#!/usr/bin/env bash
# Proves the cluster path on a real Slurm: brings up a one-node cluster (munged, slurmctld,
# slurmd from Debian's munge and slurm-wlm) in a temporary folder, submits one result through
# scripts/slurm/submit.sh as an array of shards plus the dependent merge job, waits for both,
# and checks the merged outputs against an unsharded run of the same result. Every daemon it
# started is stopped by PID and the folder removed on exit, also on failure or interruption.
# Needs root (slurmd and munged's user switch). Usage: see --help.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/slurm/test-single-node.sh [options]   (as root)

  --result NAME   result executable to run            [displacement]
  --profile NAME  its profile                         [quick]
  --tasks N       array tasks (shards)                [2]
  --timeout S     seconds to wait for the jobs        [300]
  --bin DIR       folder of the built executables     [.build/release]
  --keep DIR      leave the unsharded results in DIR/whole and the cluster's in DIR/sharded
  -h, --help      this text
Exits 0 when every array task and the merge job completed and every output of the merge
(except provenance.json, which records times and hosts) equals the unsharded run's, byte for byte.
EOF
}

die() { echo "test-single-node: error: $*" >&2; exit 1; }
say() { echo "test-single-node: $*"; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
result=displacement profile=quick tasks=2 timeout=300 bin=$root/.build/release keep=

while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --result|--profile|--tasks|--timeout|--bin|--keep)
      [ $# -ge 2 ] || die "option $1 needs a value"
      declare "${1#--}=$2"; shift 2 ;;
    *) die "unknown argument $1 (--help for usage)" ;;
  esac
done
[[ "$tasks" =~ ^[1-9][0-9]*$ ]] || die "--tasks must be a positive integer"
[[ "$timeout" =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive number of seconds"

[ "$(id -u)" -eq 0 ] || die "must run as root (slurmd runs jobs as their user; munged runs as user munge)"
for c in munged slurmctld slurmd sbatch squeue scontrol scancel sinfo runuser; do
  command -v "$c" >/dev/null 2>&1 \
    || die "$c not found; install Debian's slurm-wlm and munge (scripts/setup.sh does, as root)"
done
id munge >/dev/null 2>&1 || die "no user munge (it comes with Debian's munge package)"
bin=$(cd "$bin" 2>/dev/null && pwd) || die "no folder $bin; build first: swift build -c release"
[ -x "$bin/$result" ] || die "no executable $bin/$result; build first: swift build -c release"

# --- the temporary cluster --------------------------------------------------------------------
# In /tmp, not $TMPDIR: munged (user munge) must be able to reach its socket through every
# parent folder, and a socket path must stay short.
tmp=$(mktemp -d /tmp/teleport-slurm.XXXXXX)
chmod 755 "$tmp"
munge_dir=$tmp/munge slurm_dir=$tmp/slurm
# Every process started here (daemons, jobs) inherits this variable, which is how cleanup
# finds a straggler that no PID file names; slurmstepd clears its environment but works in
# this cluster's log folder.
export TELEPORT_SLURM_TEST=$tmp
export SLURM_CONF=$slurm_dir/slurm.conf

pid_of() { [ -s "$1" ] && cat "$1" || true; }
alive() {  # running, and not a zombie waiting for its parent to reap it
  local stat
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null && stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}
# The PIDs of processes carrying our marker or working inside this cluster's folder.
stragglers() {
  local p
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" != $$ ] && [ "$p" != "$BASHPID" ] || continue
    if { tr '\0' '\n' < "/proc/$p/environ"; } 2>/dev/null | grep -qxF "TELEPORT_SLURM_TEST=$tmp" \
       || [[ "$(readlink "/proc/$p/cwd" 2>/dev/null)/" == "$tmp"/* ]]; then
      echo "$p"
    fi
  done
  return 0
}
stop() {  # stop NAME PID...: SIGTERM, wait up to 10 s for all, then SIGKILL the rest
  local name=$1 pid i left; shift
  [ $# -gt 0 ] || return 0
  kill "$@" 2>/dev/null || true
  for i in $(seq 50); do
    left=(); for pid in "$@"; do alive "$pid" && left+=("$pid"); done
    [ ${#left[@]} -gt 0 ] || return 0
    sleep 0.2
  done
  say "$name ${left[*]} did not stop on SIGTERM; killing"
  kill -9 "${left[@]}" 2>/dev/null || true
}
cleanup() {
  local status=$? p
  trap - EXIT INT TERM
  if [ -S "$munge_dir/run/munge.socket" ] && alive "$(pid_of "$slurm_dir/run/slurmctld.pid")"; then
    scancel --quiet --user=root >/dev/null 2>&1 || true   # this cluster's jobs only (SLURM_CONF)
    for _ in $(seq 50); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.2; done
  fi
  stop slurmd $(pid_of "$slurm_dir/run/slurmd.pid")
  stop slurmctld $(pid_of "$slurm_dir/run/slurmctld.pid")
  stop munged $(pid_of "$munge_dir/run/munged.pid")
  stop "leftover processes" $(stragglers)
  if [ $status -ne 0 ]; then
    for log in "$slurm_dir"/log/*.log "$munge_dir"/log/*.log; do
      [ -f "$log" ] && { echo "--- last lines of $(basename "$log"):"; tail -n 15 "$log"; }
    done >&2
  fi
  rm -rf "$tmp"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...: poll until COMMAND succeeds
  local limit=$1 what=$2; shift 2
  local end=$((SECONDS + limit))
  until "$@"; do
    [ $SECONDS -lt $end ] || die "timed out after ${limit}s waiting for $what"
    sleep 0.5
  done
}

# munged, as user munge, with its own key, socket, PID, log and seed files.
mkdir -p "$munge_dir"/{key,run,log,state}
head -c 1024 /dev/urandom > "$munge_dir/key/munge.key"
chown -R munge:munge "$munge_dir"
chmod 755 "$munge_dir" "$munge_dir/run"
chmod 700 "$munge_dir/key" "$munge_dir/log" "$munge_dir/state"
chmod 400 "$munge_dir/key/munge.key"
runuser -u munge -- munged --key-file="$munge_dir/key/munge.key" \
  --socket="$munge_dir/run/munge.socket" --pid-file="$munge_dir/run/munged.pid" \
  --log-file="$munge_dir/log/munged.log" --seed-file="$munge_dir/state/munged.seed" \
  || die "munged did not start"
wait_for 10 "munged's socket" test -S "$munge_dir/run/munge.socket"

# Two free TCP ports for slurmctld and slurmd (a system Slurm may hold 6817/6818).
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    [ "$p" != "${1:-}" ] && port_free "$p" && { echo "$p"; return; }
  done
  die "no free TCP port found"
}
ctld_port=$(pick_port) slurmd_port=$(pick_port "$ctld_port")

host=$(hostname -s)
mkdir -p "$slurm_dir"/{run,log,spool,state}
cat > "$SLURM_CONF" <<EOF
# One-node cluster for scripts/slurm/test-single-node.sh; everything under $slurm_dir.
ClusterName=teleport-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$munge_dir/run/munge.socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
MailProg=/bin/true
SlurmctldPidFile=$slurm_dir/run/slurmctld.pid
SlurmdPidFile=$slurm_dir/run/slurmd.pid
SlurmdSpoolDir=$slurm_dir/spool
StateSaveLocation=$slurm_dir/state
SlurmctldLogFile=$slurm_dir/log/slurmctld.log
SlurmdLogFile=$slurm_dir/log/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

slurmctld -f "$SLURM_CONF" || die "slurmctld did not start"
wait_for 10 "slurmctld's PID file" test -s "$slurm_dir/run/slurmctld.pid"
slurmd -f "$SLURM_CONF" -N "$host" || die "slurmd did not start"
wait_for 10 "slurmd's PID file" test -s "$slurm_dir/run/slurmd.pid"
node_idle() { [ "$(sinfo -h -n "$host" -o %t 2>/dev/null)" = idle ]; }
wait_for 30 "node $host to be idle" node_idle
say "cluster up: slurmctld $(pid_of "$slurm_dir/run/slurmctld.pid"), slurmd $(pid_of "$slurm_dir/run/slurmd.pid"), munged $(pid_of "$munge_dir/run/munged.pid"), $(nproc) CPUs"

# --- the reference and the cluster run ----------------------------------------------------------
out=${keep:-$tmp/results}
mkdir -p "$out"
whole=$out/whole sharded=$out/sharded
rm -rf "$whole" "$sharded"
t0=$SECONDS
"$bin/$result" run --profile "$profile" --results "$whole" --quiet || die "the unsharded run failed"
say "unsharded $result ($profile): $((SECONDS - t0)) s"

t0=$SECONDS
read -r array merge < <("$here/submit.sh" --parsable --profile "$profile" --tasks "$tasks" --cpus 1 \
                          --results "$sharded" --bin "$bin" "$result")
[ -n "${merge:-}" ] || die "submit.sh printed no job IDs"
say "submitted array job $array ($tasks tasks) and merge job $merge"

# Every job's state: pending/running until done; scontrol keeps finished jobs for MinJobAge (300 s).
states() { scontrol -o show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }
finished() {
  local s
  s=$(states "$merge")
  case "$s" in ''|PENDING|CONFIGURING|RUNNING|COMPLETING|SUSPENDED|REQUEUED) return 1 ;; esac
}
wait_for "$timeout" "the array and merge jobs" finished
array_states=$(states "$array" | sort | uniq -c | tr -s ' \n' ' ')
merge_state=$(states "$merge")
say "jobs done in $((SECONDS - t0)) s: array tasks:${array_states}; merge: $merge_state"
logs=$sharded/$result/$profile/slurm
for f in "$logs"/*.out; do echo "--- $(basename "$f")"; cat "$f"; done
[ "$(states "$array" | grep -c .)" -eq "$tasks" ] || die "expected $tasks array tasks"
[ -z "$(states "$array" | grep -vx COMPLETED)" ] || die "an array task did not complete"
[ "$merge_state" = COMPLETED ] || die "the merge job ended $merge_state"
[ "$(ls "$logs" | grep -c '^shard-')" -eq "$tasks" ] || die "expected one log per array task in $logs"

# --- the comparison ------------------------------------------------------------------------------
a=$whole/$result/$profile b=$sharded/$result/$profile
compared=0 status=0
while IFS= read -r f; do
  compared=$((compared + 1))
  cmp -s "$a/$f" "$b/$f" || { echo "differs: $f" >&2; status=1; }
done < <(cd "$a" && find . -maxdepth 1 -type f ! -name provenance.json | sort)
[ $compared -gt 0 ] || die "no outputs to compare in $a"
[ $status -eq 0 ] || die "the cluster's merged outputs differ from the unsharded run's"
say "ok: $result ($profile) as $tasks Slurm array tasks + merge job = one process ($compared files identical)"
