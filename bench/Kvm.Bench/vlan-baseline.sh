#!/bin/sh
# vlan-baseline.sh [STEP]: the baseline of the VLAN bench (issue 4), what peers do: one
# `bridge vlan add` process per VLAN. Run inside the kernel VM (it needs bridge VLAN filtering),
# in a namespace of its own holding the same topology as the measured side: a vlan_filtering
# bridge with 8 veth ports. A full 4,094-VLAN trunk on 8 ports is 32,752 processes, which takes
# hours under TCG, so this programs a sample, every STEP-th vid (1, 1+STEP, ...) on every port, and
# extrapolates linearly to 4,094 VLANs per port (the output says so). It also times one
# `bridge -batch` process programming the whole 8 x 4,094 entry by entry, for reference.
set -eu
step=${1:-128}
ports=8
ns=kvmbench-base-$$
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
ip -n "$ns" link add brt type bridge vlan_filtering 1
i=0
while [ $i -lt $ports ]; do
    ip -n "$ns" link add tp$i type veth peer name tp${i}x
    ip -n "$ns" link set tp$i master brt
    i=$((i + 1))
done

ms() { echo $(( $(date +%s%N) / 1000000 )); }

# The loop runs in a shell inside the namespace, so each VLAN costs exactly one `bridge` process.
ip netns exec "$ns" sh -c '
    step=$1 ports=$2
    t0=$(($(date +%s%N) / 1000000))
    n=0 p=0
    while [ $p -lt $ports ]; do
        v=1
        while [ $v -le 4094 ]; do bridge vlan add dev tp$p vid $v; v=$((v + step)); n=$((n + 1)); done
        p=$((p + 1))
    done
    t1=$(($(date +%s%N) / 1000000))
    per_port=$((n / ports))
    full=$(( (t1 - t0) * 4094 / per_port ))
    echo "KVMBENCH vlan baseline sample_ms=$((t1 - t0)) processes=$n vids_per_port=$per_port extrapolated_ms=$full (linear: x 4094/$per_port)"
' sh "$step" "$ports"

# sanity: the sample is on every port (plus VLAN 1, PVID untagged, from joining the bridge)
got=$(bridge -n "$ns" -j vlan show dev tp0 | grep -o '"vlan":' | wc -l)
echo "  tp0 holds $got VLAN entries after the sample"

# reference only: one `bridge -batch` process, entry by entry, the whole 8 x 4,094 on fresh ports
i=0
while [ $i -lt $ports ]; do ip -n "$ns" link add tq$i type veth peer name tq${i}x; ip -n "$ns" link set tq$i master brt; i=$((i + 1)); done
seq 0 $((ports - 1)) | while read -r p; do seq 1 4094 | sed "s/^/vlan add dev tq$p vid /"; done > /tmp/vlan-batch.txt
t0=$(ms)
ip netns exec "$ns" bridge -batch /tmp/vlan-batch.txt
t1=$(ms)
echo "KVMBENCH vlan batch ms=$((t1 - t0)) commands=$(wc -l < /tmp/vlan-batch.txt)"
