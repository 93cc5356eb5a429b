#!/bin/sh
# remote-baseline.sh HOST OUTDIR [CONTROL_PATH]: the baseline of the remote refresh bench, what a user
# scripts from the workstation to read what `pulumi refresh` reads on HOST: the links (with bridge
# details), the VLAN tables, the lists of libvirt networks and domains, then the XML of every network
# and every domain, one ssh (a connection, a login and one remote command) per object. virsh on the
# host reaches its own libvirtd (qemu:///system). -n: ssh must not eat the loops' input.
# With CONTROL_PATH, the same over one connection multiplexed by ssh (ControlMaster=auto,
# ControlPersist): the first ssh sets up the master, the others open sessions in it; the master is
# stopped when the script ends. $opts is expanded unquoted on purpose (several words).
set -eu
host=$1 out=$2 control=${3:-}
opts="-n -o BatchMode=yes"
if [ -n "$control" ]; then
    opts="$opts -o ControlMaster=auto -o ControlPath=$control -o ControlPersist=60"
    trap 'ssh -o ControlPath="$control" -O exit "$host" 2>/dev/null || true' EXIT
fi
mkdir -p "$out"
ssh $opts "$host" ip -j -d link show > "$out/links.json"
ssh $opts "$host" bridge -j vlan show > "$out/vlans.json" 2>/dev/null || true   # empty where the kernel has no VLAN filtering
ssh $opts "$host" virsh -q net-list --all --name > "$out/networks"
while read -r n; do
    [ -z "$n" ] || ssh $opts "$host" virsh -q net-dumpxml "$n" > "$out/net-$n.xml"
done < "$out/networks"
ssh $opts "$host" virsh -q list --all --name > "$out/domains"
while read -r d; do
    [ -z "$d" ] || ssh $opts "$host" virsh -q dumpxml "$d" > "$out/dom-$d.xml"
done < "$out/domains"
