#!/usr/bin/env bash
# A sweep spread over a real Slurm job array gives byte-for-byte what one machine writes.
#
# Starts a one-node Slurm cluster on this machine (munged, slurmctld, slurmd from Debian's
# packages, installed if missing; configuration and state in a temporary directory), submits
# `ckptsim sweep --shard K/3` as an array job with `sbatch --wait`, joins the shards with
# `ckptsim merge`, runs the same sweep on one machine, compares the two trees, and stops the
# daemons it started. Exit 0 only if the trees are identical.
#
#   tests/slurm/sweep_array.sh [SCENARIO]      (default: scenarios/sweep_state_backend.toml)
# env: CKPTSIM (the binary; default target/release/ckptsim, built if missing)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
scenario="${1:-scenarios/sweep_state_backend.toml}"
bin="${CKPTSIM:-$root/${CARGO_TARGET_DIR:-target}/release/ckptsim}"
[ -x "$bin" ] || cargo build --release --locked --bin ckptsim
shards=3

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "installing slurm-wlm and munge (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq slurm-wlm munge > /dev/null
fi

work="$(mktemp -d /tmp/ckptsim-slurm.XXXXXX)"
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# munge: a key of our own and a socket in the work directory, so a system munged is untouched.
mkdir -p "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 700 "$work/munge"; chmod 400 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/munge.socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/seed"
pids+=("$(cat "$work/munge/munged.pid")")

host="$(hostname -s)"
cpus="$(nproc)"
mkdir -p "$work/spool" "$work/state" "$work/log"
cat > "$work/slurm.conf" <<CONF
ClusterName=ckptsim-ci
SlurmctldHost=$host
SlurmUser=root
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
slurmctld -f "$SLURM_CONF"
for _ in $(seq 50); do [ -s "$work/slurmctld.pid" ] && break; sleep 0.2; done
pids+=("$(cat "$work/slurmctld.pid")")
slurmd -f "$SLURM_CONF"
for _ in $(seq 50); do [ -s "$work/slurmd.pid" ] && break; sleep 0.2; done
pids+=("$(cat "$work/slurmd.pid")")
state=""
for _ in $(seq 100); do
  state="$(sinfo -h -o %T 2>/dev/null || true)"
  [ "$state" = "idle" ] && break
  sleep 0.3
done
[ "$state" = "idle" ] || { echo "slurm node not idle: '$state'"; tail -20 "$work/log/"*.log; exit 1; }
echo "slurm: one node ($host, $cpus CPUs) idle"

cat > "$work/shard.sbatch" <<JOB
#!/bin/bash
#SBATCH --array=1-$shards
#SBATCH --cpus-per-task=1
#SBATCH --output=$work/log/shard-%a.out
exec "$bin" sweep "$root/$scenario" --shard \${SLURM_ARRAY_TASK_ID}/$shards --threads 1 --no-plots \
  --out "$work/shards/\${SLURM_ARRAY_TASK_ID}"
JOB
start=$(date +%s)
sbatch --wait --quiet "$work/shard.sbatch"
echo "slurm: $shards array tasks done in $(( $(date +%s) - start )) s"
for k in $(seq "$shards"); do
  [ -d "$work/shards/$k" ] || { echo "shard $k wrote nothing"; cat "$work/log/shard-$k.out"; exit 1; }
done

"$bin" merge "$work"/shards/* --out "$work/merged" > /dev/null
"$bin" sweep "$scenario" --threads 2 --out "$work/single" > /dev/null
if diff -r "$work/single" "$work/merged" > "$work/diff.txt"; then
  echo "slurm: merged array of $shards shards = one-machine sweep, byte for byte ($(find "$work/single" -type f | wc -l) files)"
else
  echo "slurm: merged shards differ from the one-machine sweep:"; head -20 "$work/diff.txt"; exit 1
fi
