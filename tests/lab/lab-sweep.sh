#!/bin/sh
# lab-sweep.sh: removes what a crashed earlier lab run left behind, and only that. It touches
# only things named with the lab's prefix and the pid of their owner (the test process), and
# only when that owner no longer runs:
#   network namespaces kvmlab-<pid>-*   (every process inside is ended first: daemons, guests)
#   folders /tmp/kvmlab-<pid>-*         (private state) and /tmp/kvmlab-vm-<pid>-* (VM jobs)
#   qemu processes named kvmlab-vm-<pid> (kernel VMs)
# Namespaces and folders without a pid in their name (made by hand) are left alone.
set -u
. "$(dirname -- "$0")/lib.sh"

owner_gone() { [ -n "$1" ] && [ ! -d "/proc/$1" ]; }

for ns in $(ip netns list 2>/dev/null | cut -d' ' -f1 | grep -E '^kvmlab-[0-9]+-'); do
    owner=$(echo "$ns" | cut -d- -f2)
    owner_gone "$owner" || continue
    lab_log "removing stale namespace $ns (owner $owner is gone)"
    pids=$(ip netns pids "$ns" 2>/dev/null)
    for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
    for p in $pids; do lab_wait_gone "$p" 10 || kill -KILL "$p" 2>/dev/null || true; done
    ip netns delete "$ns" 2>/dev/null || true
done

for p in $(pgrep -f 'qemu-system-x86_64 -name kvmlab-vm-[0-9]' 2>/dev/null); do
    owner=$(tr '\0' '\n' < "/proc/$p/cmdline" 2>/dev/null | sed -n 's/^kvmlab-vm-\([0-9]*\)$/\1/p' | head -n 1)
    owner_gone "$owner" || continue
    lab_log "ending stale kernel VM $p (owner $owner is gone)"
    kill -KILL "$p" 2>/dev/null || true
done

for d in /tmp/kvmlab-[0-9]*-* /tmp/kvmlab-vm-[0-9]*-*; do
    [ -d "$d" ] || continue
    owner=$(basename "$d" | sed -n 's/^kvmlab-\(vm-\)\{0,1\}\([0-9][0-9]*\)-.*/\2/p')
    owner_gone "$owner" || continue
    # A state folder whose holder still runs belongs to a namespace that is still there.
    if [ -f "$d/holder.pid" ] && lab_alive "$(cat "$d/holder.pid")"; then continue; fi
    lab_log "removing stale folder $d"
    rm -rf --one-file-system "$d"
done
exit 0
