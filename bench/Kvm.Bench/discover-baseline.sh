#!/bin/sh
# discover-baseline.sh URI NETNS OUTDIR: the baseline of the discover bench (issue 7), what a user
# does by hand to collect what `pulumi-resource-kvm discover` reads: the links (with bridge details)
# and VLAN tables of the namespace, then the XML of every libvirt network and domain, one process
# per object, the way scripts built on `ip`, `bridge` and `virsh` do.
set -eu
uri=$1 ns=$2 out=$3
mkdir -p "$out"
ip -n "$ns" -j -d link show > "$out/links.json"
bridge -n "$ns" -j vlan show > "$out/vlans.json" 2>/dev/null || true   # empty where the kernel has no VLAN filtering
virsh -q -c "$uri" net-list --all --name | while read -r n; do
    [ -z "$n" ] || virsh -q -c "$uri" net-dumpxml "$n" > "$out/net-$n.xml"
done
virsh -q -c "$uri" list --all --name | while read -r d; do
    [ -z "$d" ] || virsh -q -c "$uri" dumpxml "$d" > "$out/dom-$d.xml"
done
