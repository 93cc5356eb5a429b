#!/bin/sh
# remote-host-up.sh WS_S HOST_S N [PORT]: makes the lab namespace of state folder HOST_S the
# remote host "hN" of the workstation namespace of state folder WS_S (both made by
# lab-holder.sh; their network namespaces are named in S/netns). Runs from the host's namespace
# and changes nothing there:
#  - both get a private /root (lab-home.sh): the workstation's ~/.ssh, the remote user's home;
#  - a veth pair made between the two namespaces: "to-hN" 10.250.N.1/24 in the workstation,
#    "to-ws" 10.250.N.2/24 in the host (addresses repeat across labs: each has its own namespaces);
#  - sshd on 10.250.N.2:PORT (default 22) in the host (sshd-start.sh);
#  - trust, as a user would set it up: the workstation's key ~/.ssh/id_ed25519 (made once) in
#    the host's /root/.ssh/authorized_keys, the host key pinned in the workstation's
#    ~/.ssh/known_hosts, and a "Host hN" entry in its ~/.ssh/config.
# Prints: ALIAS ADDRESS PORT SSHD_PID.
set -eu
. "$(dirname -- "$0")/lib.sh"
[ $# -ge 3 ] && [ $# -le 4 ] || lab_die "usage: remote-host-up.sh WS_S HOST_S N [PORT]"
W=$1 H=$2 n=$3 port=${4:-22}
case $n in ''|*[!0-9]*) lab_die "bad N: $n (1-254)" ;; esac
[ "$n" -ge 1 ] && [ "$n" -le 254 ] || lab_die "bad N: $n (1-254)"
wns=$(cat "$W/netns" 2>/dev/null) && [ -n "$wns" ] || lab_die "$W is not a lab state folder with a namespace"
hns=$(cat "$H/netns" 2>/dev/null) && [ -n "$hns" ] || lab_die "$H is not a lab state folder with a namespace"
[ "$wns" != "$hns" ] || lab_die "the workstation and the host must be different namespaces"
alias=h$n ws_addr=10.250.$n.1 addr=10.250.$n.2

sh "$LAB_DIR/lab-exec.sh" "$W" sh "$LAB_DIR/lab-home.sh" "$W"
sh "$LAB_DIR/lab-exec.sh" "$H" sh "$LAB_DIR/lab-home.sh" "$H"

# Made directly between the two namespaces: neither end ever exists in the host's namespace.
ip link add "to-$alias" netns "$wns" type veth peer name to-ws netns "$hns"
ip -n "$wns" addr add "$ws_addr/24" dev "to-$alias"
ip -n "$hns" addr add "$addr/24" dev to-ws
ip -n "$wns" link set "to-$alias" up
ip -n "$hns" link set to-ws up

pid=$(sh "$LAB_DIR/lab-exec.sh" "$H" sh "$LAB_DIR/sshd-start.sh" "$addr" "$port")

ssh=$W/root/.ssh
mkdir -p "$ssh" "$H/root/.ssh"
chmod 700 "$ssh" "$H/root/.ssh"
[ -f "$ssh/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C kvmlab-workstation -f "$ssh/id_ed25519"
cat "$ssh/id_ed25519.pub" >> "$H/root/.ssh/authorized_keys"
# known_hosts names a host by address, with the port when it is not 22.
if [ "$port" = 22 ]; then name=$addr; else name="[$addr]:$port"; fi
echo "$name $(cut -d' ' -f1,2 "$H/var/lib/kvmlab-sshd/ssh_host_ed25519_key.pub")" >> "$ssh/known_hosts"
# Paths as the workstation sees them (its /root is $W/root).
cat >> "$ssh/config" <<CONF
Host $alias
    HostName $addr
    Port $port
    User root
    IdentityFile /root/.ssh/id_ed25519
    IdentitiesOnly yes
    UserKnownHostsFile /root/.ssh/known_hosts
    StrictHostKeyChecking yes

CONF
# ssh refuses a config or key that others may write.
chmod 600 "$ssh/config" "$ssh/known_hosts" "$H/root/.ssh/authorized_keys"
echo "$alias $addr $port $pid"
