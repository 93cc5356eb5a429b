#!/bin/sh
# sshd-start.sh ADDRESS [PORT]: starts an OpenSSH server of its own inside a lab mount namespace
# (lab-exec.sh S sh sshd-start.sh ADDRESS PORT) that has a private /root (lab-home.sh); refuses
# anywhere else. It listens on ADDRESS:PORT (default 22) only and lets root in with a key from
# /root/.ssh/authorized_keys (the private home), nothing else. Its files, all private:
#   /var/lib/kvmlab-sshd/sshd_config, ssh_host_ed25519_key(.pub)  (S/var/lib/kvmlab-sshd on the host)
#   /var/log/kvmlab-sshd.log  the daemon's log (S/var/log/kvmlab-sshd.log)
#   /run/kvmlab-sshd.pid      its pid (S/run/kvmlab-sshd.pid; sshd-stop.sh S stops it)
# The host key is made once and kept across restarts (delete it to get a new one). Returns when
# sshd listens and prints its pid.
set -eu
. "$(dirname -- "$0")/lib.sh"
[ $# -ge 1 ] && [ $# -le 2 ] || lab_die "usage: lab-exec.sh S sh sshd-start.sh ADDRESS [PORT]"
addr=$1 port=${2:-22}
case $port in ''|*[!0-9]*) lab_die "bad port: $port" ;; esac
[ "$port" -ge 1 ] && [ "$port" -le 65535 ] || lab_die "bad port: $port"
lab_require_private_ns
# /root too: sessions run there, and must not write the machine's home.
lab_require_private_dirs /run /var /root

D=/var/lib/kvmlab-sshd
pidfile=/run/kvmlab-sshd.pid
log=/var/log/kvmlab-sshd.log
if [ -f $pidfile ] && lab_alive "$(cat $pidfile)"; then
    lab_die "an sshd already runs in this lab namespace (pid $(cat $pidfile))"
fi
rm -f $pidfile
mkdir -p $D /var/log /root/.ssh
chmod 700 /root/.ssh
touch /root/.ssh/authorized_keys
# Privilege separation: sshd chroots its pre-auth child here (root-owned, not group/world writable).
mkdir -p /run/sshd
chmod 755 /run/sshd
[ -f $D/ssh_host_ed25519_key ] || ssh-keygen -q -t ed25519 -N '' -C kvmlab-host -f $D/ssh_host_ed25519_key

# Only our settings: the machine's /etc/ssh/sshd_config (and its sshd_config.d) are not read.
cat > $D/sshd_config <<CONF
Port $port
ListenAddress $addr
HostKey $D/ssh_host_ed25519_key
PidFile $pidfile
AuthorizedKeysFile .ssh/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
# The homes and keys are the lab's own, made by the tests: no policing of their owners and modes.
StrictModes no
PrintMotd no
X11Forwarding no
AcceptEnv LANG LC_*
LogLevel VERBOSE
# The real Debian helper, as on a real host (not internal-sftp).
Subsystem sftp /usr/lib/openssh/sftp-server
CONF

# -E: the log file instead of syslog (there is none). sshd daemonises once it listens, then
# writes its pid file. Errors before the log is opened go to stderr.
/usr/sbin/sshd -f $D/sshd_config -E $log || lab_die "sshd did not start: $(tail -n 5 $log 2>/dev/null)"
deadline=$(( $(date +%s) + 30 ))
until [ -s $pidfile ] && ss -Hltn "sport = :$port" | grep -q .; do
    [ "$(date +%s)" -lt "$deadline" ] || lab_die "sshd is not listening on $addr:$port; log: $(tail -n 5 $log 2>/dev/null)"
    sleep 0.05
done
cat $pidfile
