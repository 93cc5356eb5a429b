#!/bin/sh
# lab-exec.sh S CMD [ARGS...]: runs CMD in the network and mount namespace of the holder that
# lab-holder.sh left for state folder S (so it sees the private /run, /var, /etc/libvirt).
set -eu
. "$(dirname -- "$0")/lib.sh"
[ $# -ge 2 ] || lab_die "usage: lab-exec.sh S CMD [ARGS...]"
S=$1; shift
pid=$(cat "$S/holder.pid" 2>/dev/null) || lab_die "no holder for $S"
ns=$(cat "$S/netns")
# The pid must still be our holder: in the namespace it was started in.
[ -n "$ns" ] && [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "net:[$(stat -L -c %i "/run/netns/$ns" 2>/dev/null)]" ] \
    || lab_die "the holder $pid of $S is gone"
# Entering a mount namespace sets root and working folder to the namespace's root: -r takes the
# holder's root instead (they differ in the kernel VM, which chroots into the machine's root from
# its initramfs), and we go back to our folder.
exec nsenter -t "$pid" -m -n -r -- sh -c 'cd "$0" 2>/dev/null || cd /; exec "$@"' "$PWD" "$@"
