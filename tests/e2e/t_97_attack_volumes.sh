# shellcheck shell=bash
# Attack: local volume options (issue 12, root cause 6).  Only an absolute
# device used to be checked, so device=../../etc (relative to dockerd's
# working directory), type=proc (a writable host procfs), sysfs and
# overlay lowerdir=/etc went through.  Every door: volume create, inline
# --mount volume-opt, a service spec, and a named volume an admin made
# earlier.  Judged by effect: the volume does not exist on the engine, no
# container that would mount it exists, a global host sysctl is unchanged.

# On dockerd's own socket: what really exists.
eng() { DOCKER_HOST=unix://$ENGINE_SOCK timeout -k 5 "$E2E_TIMEOUT" "$DOCKER" "$@"; }
# vol_absent NAME: no such volume on the engine.
vol_absent() { ! eng volume ls -q | grep -qx -- "$1"; }
# ctr_absent NAME: no such container on the engine.
ctr_absent() { [ -z "$(eng ps -aq --filter "name=^/$1\$")" ]; }

# A global (not namespaced), harmless sysctl that a writable host procfs
# would let a container rewrite, as it would kernel.core_pattern.  Should
# an attack get through, the value is put back at the end of this file.
PRB=/proc/sys/kernel/printk_ratelimit_burst
prb_before=$(cat "$PRB")
prb_evil=$((prb_before + 7))
prb_unchanged() { [ "$(cat "$PRB")" = "$prb_before" ]; }

# --- docker volume create
expect_deny -n "[volume.options] volume create device=../../etc (relative)" volume.options \
	dk volume create -o type=none -o o=bind -o device=../../etc e2e-rel
expect_ok -n "effect: no volume e2e-rel" vol_absent e2e-rel
expect_deny -n "[volume.options] volume create device=etc (not absolute)" volume.options \
	dk volume create -o type=none -o o=bind -o device=etc e2e-rel2
expect_deny -n "[volume.options] volume create relative path to the engine socket" volume.options \
	dk volume create -o type=none -o o=bind -o "device=../..$ENGINE_SOCK" e2e-relsock
expect_ok -n "effect: no volume e2e-relsock" vol_absent e2e-relsock
expect_deny -n "[volume.options] volume create type=proc" volume.options \
	dk volume create -o type=proc -o device=proc e2e-proc
expect_ok -n "effect: no volume e2e-proc" vol_absent e2e-proc
expect_deny -n "[volume.options] volume create type=sysfs" volume.options \
	dk volume create -o type=sysfs -o device=sysfs e2e-sys
expect_deny -n "[volume.options] volume create type=overlay,o=lowerdir=/etc" volume.options \
	dk volume create -o type=overlay -o device=overlay -o "o=lowerdir=/etc,upperdir=$T/ovl-u,workdir=$T/ovl-w" e2e-ovl
expect_ok -n "effect: no volume e2e-ovl" vol_absent e2e-ovl
expect_deny -n "[volume.options] volume create type=cgroup2" volume.options \
	dk volume create -o type=cgroup2 -o device=cgroup2 e2e-cg
expect_deny -n "[volume.options] volume create type=devpts" volume.options \
	dk volume create -o type=devpts -o device=devpts e2e-pts
expect_deny -n "[volume.options] volume create o=bind,remount" volume.options \
	dk volume create -o type=none -o o=bind,remount -o "device=$T" e2e-remount
expect_deny -n "[volume.options] volume create type=tmpfs,o=bind,device=/etc (a bind)" volume.options \
	dk volume create -o type=tmpfs -o o=bind -o device=/etc e2e-tmpbind
expect_deny -n "[volume.options] volume create type=nfs (not allowed by default)" volume.options \
	dk volume create -o type=nfs -o o=addr=127.0.0.1 -o device=:/export e2e-nfs
expect_deny -n "[volume.options] raw volume create with an unknown option key" volume.options \
	api POST /v1.41/volumes/create '{"Name":"e2e-key","DriverOpts":{"Device":"/etc","type":"none","o":"bind"}}'
expect_deny -n "[mount.protectedPath] volume create o=bind of /etc" mount.protectedPath \
	dk volume create -o type=none -o o=bind -o device=/etc e2e-etc
# The suite's policy writes its own protectedPaths; dockward's defaults for these two.
expect_ok -n "policy: dockward's default protected paths" \
	e2e_reload_policy 'del(.dockward.protectedPaths)'
expect_deny -n "[mount.protectedPath] volume create o=bind of /var/spool (cron; default protected)" mount.protectedPath \
	dk volume create -o type=none -o o=bind -o device=/var/spool e2e-spool
expect_deny -n "[mount.protectedPath] run -v /var/lib/dpkg (default protected)" mount.protectedPath \
	dk run --name e2e-dpkg -v /var/lib/dpkg:/x "$TEST_IMAGE" true
expect_ok -n "effect: no container e2e-dpkg" ctr_absent e2e-dpkg
expect_ok -n "policy restored" e2e_reload_policy '.'
for v in e2e-rel2 e2e-sys e2e-cg e2e-pts e2e-remount e2e-tmpbind e2e-nfs e2e-key e2e-etc e2e-spool; do
	expect_ok -n "effect: no volume $v" vol_absent "$v"
done

# --- inline --mount type=volume with driver options
expect_deny -n "[volume.options] run --mount volume-opt=type=proc" volume.options \
	dk run --name e2e-inl-proc --mount 'type=volume,src=e2e-inl-proc,dst=/x,volume-opt=type=proc,volume-opt=device=proc' \
	"$TEST_IMAGE" sh -c "echo $prb_evil >/x/sys/kernel/printk_ratelimit_burst"
expect_ok -n "effect: no container e2e-inl-proc" ctr_absent e2e-inl-proc
expect_ok -n "effect: no volume e2e-inl-proc" vol_absent e2e-inl-proc
expect_ok -n "effect: host kernel.printk_ratelimit_burst unchanged" prb_unchanged
expect_deny -n "[volume.options] run --mount anonymous volume, type=sysfs" volume.options \
	dk run --name e2e-inl-sys --mount 'type=volume,dst=/x,volume-opt=type=sysfs,volume-opt=device=sysfs' \
	"$TEST_IMAGE" true
expect_ok -n "effect: no container e2e-inl-sys" ctr_absent e2e-inl-sys
expect_deny -n "[volume.options] run --mount volume-opt device=../../etc" volume.options \
	dk run --name e2e-inl-rel --mount 'type=volume,src=e2e-inl-rel,dst=/x,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=../../etc' \
	"$TEST_IMAGE" true
expect_ok -n "effect: no container e2e-inl-rel" ctr_absent e2e-inl-rel
expect_ok -n "effect: no volume e2e-inl-rel" vol_absent e2e-inl-rel
expect_deny -n "[volume.options] run --mount overlay lowerdir=/etc" volume.options \
	dk run --name e2e-inl-ovl --mount "type=volume,src=e2e-inl-ovl,dst=/x,volume-opt=type=overlay,volume-opt=device=overlay,\"volume-opt=o=lowerdir=/etc,upperdir=$T/ovl-u,workdir=$T/ovl-w\"" \
	"$TEST_IMAGE" true
expect_ok -n "effect: no container e2e-inl-ovl" ctr_absent e2e-inl-ovl

# --- a named volume an admin made earlier with such options
expect_ok -n "admin: a proc volume exists on the host (fixture)" \
	e2e_admin volume create -o type=proc -o device=proc e2e-admin-proc
expect_deny -n "[volume.options] run -v of the admin's proc volume" volume.options \
	dk run --name e2e-use-proc -v e2e-admin-proc:/x "$TEST_IMAGE" \
	sh -c "echo $prb_evil >/x/sys/kernel/printk_ratelimit_burst"
expect_ok -n "effect: no container e2e-use-proc" ctr_absent e2e-use-proc
expect_deny -n "[volume.options] run --mount src= the admin's proc volume" volume.options \
	dk run --name e2e-use-proc2 --mount type=volume,src=e2e-admin-proc,dst=/x "$TEST_IMAGE" true
expect_ok -n "effect: no container e2e-use-proc2" ctr_absent e2e-use-proc2
expect_ok -n "effect: host kernel.printk_ratelimit_burst still unchanged" prb_unchanged
expect_ok -n "admin: a relative-device volume exists on the host (fixture)" \
	e2e_admin volume create -o type=none -o o=bind -o device=../../etc e2e-admin-rel
expect_deny -n "[volume.options] run -v of the admin's relative-device volume" volume.options \
	dk run --name e2e-use-rel -v e2e-admin-rel:/x "$TEST_IMAGE" cat /x/shadow
expect_ok -n "effect: no container e2e-use-rel" ctr_absent e2e-use-rel
expect_ok -n "admin: remove the fixtures" eng volume rm e2e-admin-proc e2e-admin-rel

# --- what developers use still works, and does what it says
mkdir -p "$T/proj" && echo e2e-proj >"$T/proj/f"
expect_ok -n "volume create tmpfs (size, uid, mode)" \
	dk volume create -o type=tmpfs -o device=tmpfs -o o=size=8m,uid=1000,mode=0770,nosuid,nodev e2e-tmp
expect_out -n "effect: the tmpfs volume is a tmpfs in the container" "tmpfs /x tmpfs" \
	dk run --rm -v e2e-tmp:/x "$TEST_IMAGE" grep ' /x ' /proc/mounts
expect_ok -n "volume create bind of a project directory" \
	dk volume create -o type=none -o o=bind,ro -o "device=$T/proj" e2e-proj
expect_out -n "effect: the bind volume shows the project" e2e-proj \
	dk run --rm -v e2e-proj:/x "$TEST_IMAGE" cat /x/f
expect_ok -n "volume create plain" dk volume create e2e-plain
expect_ok -n "run --mount volume-opt tmpfs" \
	dk run --rm --mount 'type=volume,dst=/x,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-opt=o=size=1m' \
	"$TEST_IMAGE" true
expect_ok -n "remove the developer volumes" dk volume rm e2e-tmp e2e-proj e2e-plain

# --- an admin may allow a network filesystem (no server needed: create does not mount)
expect_ok -n "policy: allowedVolumeTypes [nfs]" \
	e2e_reload_policy '.dockward.allowedVolumeTypes = ["nfs"]'
expect_ok -n "volume create type=nfs once allowed" \
	dk volume create -o type=nfs -o o=addr=127.0.0.1,ro -o device=:/export e2e-nfs-ok
expect_deny -n "[volume.options] nfs allowed, proc still not" volume.options \
	dk volume create -o type=proc -o device=proc e2e-proc-again
expect_ok -n "remove the nfs volume" dk volume rm e2e-nfs-ok
expect_ok -n "policy restored" e2e_reload_policy '.'

# --- a service spec (single-node swarm on loopback; no task runs)
if expect_ok -n "swarm init for the service checks" \
	dk swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:0; then
	svc() { dk service create --detach --no-resolve-image --replicas 0 "$@"; }
	svc_absent() { ! eng service ls --format '{{.Name}}' | grep -qx -- "$1"; }
	expect_deny -n "[volume.options] service create --mount volume-opt=type=proc" volume.options \
		svc --name e2e-svc-proc --mount 'type=volume,src=e2e-svc-proc,dst=/x,volume-opt=type=proc,volume-opt=device=proc' \
		"$TEST_IMAGE" true
	expect_ok -n "effect: no service e2e-svc-proc" svc_absent e2e-svc-proc
	expect_deny -n "[volume.options] service create --mount device=../../etc" volume.options \
		svc --name e2e-svc-rel --mount 'type=volume,src=e2e-svc-rel,dst=/x,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=../../etc' \
		"$TEST_IMAGE" true
	expect_ok -n "effect: no service e2e-svc-rel" svc_absent e2e-svc-rel
	expect_ok -n "service create with a tmpfs volume" \
		svc --name e2e-svc-tmp --mount 'type=volume,dst=/x,volume-opt=type=tmpfs,volume-opt=device=tmpfs' "$TEST_IMAGE" true
	expect_deny -n "[volume.options] service update --mount-add type=sysfs" volume.options \
		dk service update --detach --no-resolve-image \
		--mount-add 'type=volume,src=e2e-svc-sys,dst=/y,volume-opt=type=sysfs,volume-opt=device=sysfs' e2e-svc-tmp
	expect_out -n "effect: the service has no sysfs mount" "[tmpfs]" \
		eng service inspect -f '[{{range .Spec.TaskTemplate.ContainerSpec.Mounts}}{{.VolumeOptions.DriverConfig.Options.type}}{{end}}]' e2e-svc-tmp
	expect_ok -n "service rm" dk service rm e2e-svc-tmp
	expect_ok -n "swarm leave --force" dk swarm leave --force
fi

# Put the host's sysctl back if an attack above got through (a failed run).
prb_unchanged || echo "$prb_before" >"$PRB"
