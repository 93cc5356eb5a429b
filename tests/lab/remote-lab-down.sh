#!/bin/sh
# remote-lab-down.sh NAME: removes what remote-lab-up.sh NAME made: the workstation
# kvmlab-NAME-ws and the hosts kvmlab-NAME-h<N>, with their daemons and state folders.
set -u
. "$(dirname -- "$0")/lib.sh"
[ $# -eq 1 ] || lab_die "usage: remote-lab-down.sh NAME"
name=$1
parts=$( { ip netns list 2>/dev/null | cut -d' ' -f1 | sed -n "s/^kvmlab-\($name-\(ws\|h[0-9]*\)\)$/\1/p"
           for d in /tmp/kvmlab-"$name"-ws /tmp/kvmlab-"$name"-h*; do [ -d "$d" ] && basename "$d" | sed 's/^kvmlab-//'; done
         } | sort -u)
for p in $parts; do sh "$LAB_DIR/lab-down.sh" "$p"; done
