# Sourced by the lab scripts (POSIX sh). Sets LAB_DIR, LAB_ROOT (the repo) and LAB_CACHE.
LAB_DIR=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)

lab_die() { echo "$(basename -- "$0"): $*" >&2; exit 1; }
lab_log() { [ -n "${LAB_QUIET:-}" ] || echo "$(basename -- "$0"): $*" >&2; }

# The repo root: the first folder above this script holding KvmProvider.sln.
lab_repo_root() {
    d=$LAB_DIR
    while [ "$d" != / ]; do
        [ -e "$d/KvmProvider.sln" ] && { echo "$d"; return 0; }
        d=$(dirname -- "$d")
    done
    lab_die "no KvmProvider.sln above $LAB_DIR"
}
LAB_ROOT=$(lab_repo_root)
# Everything downloaded or built goes here (git-ignored); KVM_LAB_CACHE may point elsewhere.
LAB_CACHE=${KVM_LAB_CACHE:-$LAB_ROOT/.cache}

# Refuse to run unless this process is in a network AND mount namespace other than the host's
# (pid 1's). Guards every script that mounts over host folders or starts daemons.
lab_require_private_ns() {
    [ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] \
        || lab_die "refusing to run in the default network namespace"
    [ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] \
        || lab_die "refusing to run in the host's mount namespace"
}

# Refuse unless each folder given carries the marker lab-holder.sh puts in the private copies.
lab_require_private_dirs() {
    for d in "$@"; do
        [ -e "$d/.kvmlab-private" ] || lab_die "$d is not a private lab folder here (run inside lab-holder.sh's mount namespace)"
    done
}

# True while process $1 exists and is not a zombie (daemons are reparented to pid 1, which may
# reap them late; a zombie has finished all the same).
lab_alive() {
    st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
    [ -n "$st" ] && [ "$st" != Z ]
}

# Wait (polling, with an overall deadline in seconds) until process $1 has gone.
lab_wait_gone() {
    pid=$1; deadline=$(( $(date +%s) + ${2:-30} ))
    while lab_alive "$pid"; do
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 0.05
    done
    return 0
}

# Stop the processes whose pid files are given: SIGTERM, wait, then SIGKILL. Missing files are fine.
lab_stop_pidfiles() {
    pids=
    for f in "$@"; do
        [ -f "$f" ] || continue
        p=$(cat "$f" 2>/dev/null | tr -dc 0-9)
        [ -n "$p" ] && lab_alive "$p" || continue
        kill -TERM "$p" 2>/dev/null || true
        pids="$pids $p"
    done
    for p in $pids; do
        lab_wait_gone "$p" 15 || { kill -KILL "$p" 2>/dev/null || true; lab_wait_gone "$p" 5 || true; }
    done
}
