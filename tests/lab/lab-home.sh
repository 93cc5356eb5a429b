#!/bin/sh
# lab-home.sh S: gives the lab mount namespace of state folder S a private /root: the folder
# S/root, bind-mounted over /root (run it inside: lab-exec.sh S sh lab-home.sh S). OpenSSH finds
# ~/.ssh (keys, config, known_hosts, authorized_keys) through root's passwd entry, not $HOME, so
# only a private /root gives a lab its own ~/.ssh; and whatever a session writes into its home
# lands under S, never in the machine's /root (which may be read-only, as in the kernel VM).
# Idempotent. Refuses outside a lab mount namespace.
set -eu
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 1 ] || lab_die "usage: lab-exec.sh S sh lab-home.sh S"
S=$1
case $S in
/root|/root/*|/run|/run/*|/var|/var/*|/etc|/etc/*) lab_die "S must not be below /root, /run, /var or /etc" ;;
/?*) ;;
*) lab_die "S must be an absolute path" ;;
esac
lab_require_private_ns
lab_require_private_dirs /run /var
# S must be this namespace's own state folder: its run/ is what is mounted on /run here.
[ "$(stat -c %d:%i "$S/run/.kvmlab-private" 2>/dev/null)" = "$(stat -c %d:%i /run/.kvmlab-private)" ] \
    || lab_die "$S is not the state folder of this lab mount namespace"
[ ! -e /root/.kvmlab-private ] || exit 0
mkdir -p "$S/root"
chmod 700 "$S/root"
touch "$S/root/.kvmlab-private"
# -n: no utab entry (see lab-holder.sh); / is already a slave, so nothing propagates back.
mount -n --bind "$S/root" /root
[ -e /root/.kvmlab-private ] || lab_die "the bind mount on /root did not take"
