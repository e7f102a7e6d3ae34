# shellcheck shell=bash
# Least privilege (docs/privileges.md): the suite's dockward, after the
# whole suite ran through it, runs every thread with no_new_privs, a
# seccomp filter and only CAP_DAC_READ_SEARCH, holds only close-on-exec
# descriptors, and still judges bind sources inside another user's
# private directory (which needs that one capability).  Then --sandbox's
# argument and --sandbox off on a second, short-lived dockward.

[ -n "${E2E_NO_PLUGIN:-}" ] && return 0

# The documented set: CAP_DAC_READ_SEARCH (bit 2) alone.
SB_CAPS=0000000000000004

# sb_threads PID: every thread's NoNewPrivs, Seccomp and capability sets
# agree with the documented ones; prints one line per thread.
sb_threads() {
	local pid=$1 task st n=0 bad=0
	for task in /proc/"$pid"/task/*; do
		st=$(cat "$task/status" 2>/dev/null) || continue	# a thread that just ended
		n=$((n + 1))
		local nnp sec eff prm bnd inh amb
		nnp=$(awk '$1 == "NoNewPrivs:" { print $2 }' <<<"$st")
		sec=$(awk '$1 == "Seccomp:" { print $2 }' <<<"$st")
		eff=$(awk '$1 == "CapEff:" { print $2 }' <<<"$st")
		prm=$(awk '$1 == "CapPrm:" { print $2 }' <<<"$st")
		bnd=$(awk '$1 == "CapBnd:" { print $2 }' <<<"$st")
		inh=$(awk '$1 == "CapInh:" { print $2 }' <<<"$st")
		amb=$(awk '$1 == "CapAmb:" { print $2 }' <<<"$st")
		echo "${task##*/}: NoNewPrivs=$nnp Seccomp=$sec CapEff=$eff CapPrm=$prm CapBnd=$bnd CapInh=$inh CapAmb=$amb"
		if [ "$nnp" != 1 ] || [ "$sec" != 2 ] || [ "$eff" != "$SB_CAPS" ] ||
		    [ "$prm" != "$SB_CAPS" ] || [ "$bnd" != "$SB_CAPS" ] ||
		    [ "$inh" != 0000000000000000 ] || [ "$amb" != 0000000000000000 ]; then
			echo "  ^ not sandboxed as documented"
			bad=1
		fi
	done
	echo "$n threads"
	[ "$n" -gt 1 ] && [ $bad -eq 0 ]
}

# sb_cloexec PID: every descriptor above 2 has O_CLOEXEC (02000000 in
# fdinfo's octal flags); prints each one.
sb_cloexec() {
	local pid=$1 f fd flags target n=0 bad=0
	for f in /proc/"$pid"/fdinfo/*; do
		fd=${f##*/}
		flags=$(awk '$1 == "flags:" { print $2 }' "$f" 2>/dev/null) || continue
		[ -n "$flags" ] || continue
		target=$(readlink "/proc/$pid/fd/$fd" 2>/dev/null)
		[ "$fd" -le 2 ] && { echo "$fd $flags $target (stdio)"; continue; }
		n=$((n + 1))
		if (((8#$flags & 8#2000000) == 0)); then
			echo "$fd $flags $target  <- no O_CLOEXEC"
			bad=1
		else
			echo "$fd $flags $target"
		fi
	done
	echo "$n descriptors above 2"
	[ "$n" -gt 0 ] && [ $bad -eq 0 ]
}

expect_ok -n "policy: the suite's (ECI on, protected paths)" e2e_reload_policy '.'

# Keep some descriptors of every kind open while we look: a streaming
# client connection (and, through the gatekeeper, its engine connection)
# and a registry lookup (libcurl's sockets, reused by the refresher).
dk events >/dev/null 2>&1 &
sb_events=$!
expect_ok -n "sandbox: a registry-checked run (curl to the registry)" \
	dk run --rm -v "$FRONT_SOCK:/var/run/docker.sock" "$ALLOWED_IMAGE" true
sleep 0.5

expect_out -n "sandbox: dockward logged its sandbox at start" \
	"runs with no_new_privs, a seccomp filter" cat "$T/dockward.log"
expect_ok -n "sandbox: every dockward thread has NoNewPrivs 1, Seccomp 2, CapEff=CapPrm=CapBnd=$SB_CAPS, no inheritable or ambient caps" \
	sb_threads "$DOCKWARD_PID"
expect_ok -n "sandbox: every dockward descriptor above 2 is close-on-exec" \
	sb_cloexec "$DOCKWARD_PID"
kill "$sb_events" 2>/dev/null
wait "$sb_events" 2>/dev/null

# --- CAP_DAC_READ_SEARCH at work: bind sources in another user's 0700
# dir.  Root without the capability cannot look inside, and dockward
# refuses what it cannot inspect; with it, a plain directory there is
# allowed and symlinks there are followed to what they protect (dockerd,
# with every capability, follows them).
sb_dir=$T/work/sb-nobody
mkdir -p "$sb_dir"
ln -sfn "$ENGINE_SOCK" "$sb_dir/engine"
ln -sfn /etc "$sb_dir/etc"
mkdir -p "$sb_dir/plain"
chown -R 65534:65534 "$sb_dir"
chmod 0700 "$sb_dir"
chmod 0711 "$T/work"
expect_out -n "sandbox: the directory is closed to root without capabilities" \
	"Permission denied" sh -c 'setpriv --inh-caps=-all --bounding-set=-all \
	stat "$1" 2>&1; true' _ "$sb_dir/plain"
expect_ok -n "sandbox: a plain directory inside nobody's 0700 dir can be bound (judged, not refused)" \
	run_bb -v "$sb_dir/plain:/x"
expect_deny -n "[mount.dockerSocket] symlink to the engine socket inside nobody's 0700 dir" \
	"mount.dockerSocket|mount.rootSocket" run_bb -v "$sb_dir/engine:/x"
expect_deny -n "[mount.protectedPath] symlink to /etc inside nobody's 0700 dir" \
	mount.protectedPath run_bb -v "$sb_dir/etc:/x"
rm -rf "$sb_dir"

# --- the option itself, on a second dockward (gatekeeper only, no engine needed)
expect_out -n "sandbox: --sandbox takes on or off" "want on or off" \
	sh -c '"$1" serve --sandbox maybe 2>&1; [ $? -eq 2 ]' _ "$DOCKWARD"

# sb_off: start dockward --sandbox off, check its log and /proc, stop it.
sb_off() {
	local pid rc=1 i
	rm -f "$T/sb-off.sock"
	"$DOCKWARD" serve --sandbox off --settings "$SETTINGS" --plugin-socket none \
		--engine-socket "$ENGINE_SOCK" --state-dir "$T/sb-off-state" \
		--gatekeeper-socket "$T/sb-off.sock" --audit-log "$T/sb-off-audit.log" \
		>"$T/sb-off.log" 2>&1 &
	pid=$!
	for i in $(seq 1 50); do
		[ -S "$T/sb-off.sock" ] && break
		sleep 0.2
	done
	cat "$T/sb-off.log"
	grep -E '^(NoNewPrivs|Seccomp|CapEff):' "/proc/$pid/status"
	if grep -q 'SANDBOX OFF' "$T/sb-off.log" &&
	    grep -q 'warning' "$T/sb-off.log" &&
	    grep -qx $'NoNewPrivs:\t0' "/proc/$pid/status" &&
	    grep -qx $'Seccomp:\t0' "/proc/$pid/status"; then
		rc=0
	fi
	e2e_stop_pid "$pid" 10
	return $rc
}
expect_ok -n "sandbox: --sandbox off starts unsandboxed, with a warning" sb_off
rm -rf "$T/sb-off-state" "$T/sb-off.sock"
