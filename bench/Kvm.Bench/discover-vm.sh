#!/bin/sh
# discover-vm.sh PLUGIN [RUNS]: the VLAN part of the discover bench (issue 7), inside the kernel VM
# (this machine's kernel has no bridge VLAN filtering). In a namespace of its own: 50 vlan_filtering
# bridges with 2 veth ports each and 200 VLAN entries (per bridge: its own default VLAN 1, an access
# port on VLAN 10+b, a trunk port with native VLAN 1 and tagged VLAN 100+b).
# No libvirtd runs in the VM: discover says so on stderr and finds no networks or domains.
# Times `PLUGIN discover --netns NS` (median of RUNS) against `ip -j -d link show` + `bridge -j vlan
# show`, and prints what it found against what was made. Both are also timed on an empty namespace:
# under TCG, starting the 20 MB binary read over 9p costs seconds whatever the host holds.
set -eu
plugin=$1 runs=${2:-3}
ns=kvmbench-disc-$$ empty=kvmbench-empty-$$
ip netns add "$ns"
ip netns add "$empty"
trap 'ip netns del "$ns"; ip netns del "$empty"' EXIT
b=0
: > /tmp/links.batch; : > /tmp/vlans.batch
while [ $b -lt 50 ]; do
    printf 'link add brv%s type bridge vlan_filtering 1\nlink add va%s type veth peer name va%sx\nlink add vt%s type veth peer name vt%sx\nlink set va%s master brv%s\nlink set vt%s master brv%s\n' \
        $b $b $b $b $b $b $b $b $b >> /tmp/links.batch
    printf 'vlan del dev va%s vid 1\nvlan add dev va%s vid %s pvid untagged\nvlan add dev vt%s vid 1 pvid untagged\nvlan add dev vt%s vid %s\n' \
        $b $b $((10 + b)) $b $b $((100 + b)) >> /tmp/vlans.batch
    b=$((b + 1))
done
ip -n "$ns" -batch /tmp/links.batch
ip netns exec "$ns" bridge -batch /tmp/vlans.batch
entries=$(bridge -n "$ns" -j vlan show | grep -o '"vlan":' | wc -l)
echo "  made: 50 bridges, 100 ports, $entries VLAN entries (in \`bridge -j vlan show\`)"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
i=0
: > /tmp/ours.ms; : > /tmp/base.ms; : > /tmp/ours0.ms; : > /tmp/base0.ms
while [ $i -lt "$runs" ]; do
    for n in "$empty" "$ns"; do
        t0=$(ms)
        "$plugin" discover --netns "$n" --out /tmp/host.json 2> /tmp/discover.err
        t1=$(ms)
        ip -n "$n" -j -d link show > /tmp/links.json
        bridge -n "$n" -j vlan show > /tmp/vlans.json
        t2=$(ms)
        [ "$n" = "$ns" ] && sfx= || sfx=0
        echo $((t1 - t0)) >> /tmp/ours$sfx.ms
        echo $((t2 - t1)) >> /tmp/base$sfx.ms
    done
    i=$((i + 1))
done
grep '^discover: found' /tmp/discover.err | sed 's/^/  /'
bridges=$(grep -c '"type": "kvm:index:Bridge"' /tmp/host.json || true)
filters=$(grep -c '"type": "kvm:index:VlanFilter"' /tmp/host.json || true)
echo "KVMBENCH discover-vm ours ms=$(median < /tmp/ours.ms) baseline_ms=$(median < /tmp/base.ms) empty_ms=$(median < /tmp/ours0.ms) empty_baseline_ms=$(median < /tmp/base0.ms) runs=$runs bridges=$bridges/50 vlanfilters=$filters/150 entries=$entries/200"
