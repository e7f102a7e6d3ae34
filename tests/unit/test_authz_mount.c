/*
 * Unit tests for authz_mount.c: binds, mounts, volumes and volumes-from
 * against the protected paths, root-owned sockets and the Docker socket
 * (with its image list), the local volume options allowlist (volume
 * create, inline and named volumes), mount layouts a container can
 * re-plant: a source inside another, writable one, and binds judged under
 * a host root (the managed plugin's /host): the host's files, not ours.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "authz/authz_mount.h"
#include "authz/authz_pathcache.h"
#include "authz/authz_uri.h"
#include "authz/authz_decide.h"
#include "authz/authz_settings.h"
#include "common/dw_path.h"
#include "fake_facts.h"

#define C(n, u, b, r)	FAKE_POST(n, u, b, r)
#define D64		FAKE_D64
#define CREATE		"/v1.41/containers/create"
#define HC(x)		"{\"Image\":\"busybox\",\"HostConfig\":{" x "}}"
#define SOCKHC(img, x)	"{\"Image\":\"" img "\",\"HostConfig\":{" x "}}"
#define VC		"/v1.41/volumes/create"
#define V(x)		"{\"Name\":\"v\",\"DriverOpts\":{" x "}}"
#define MV(x)		HC("\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/x\",\"VolumeOptions\":{\"DriverConfig\":{\"Options\":{" x "}}}}]")

static const struct fake_case cases[] = {
	/* plain workloads: binds, volumes, tmpfs, volumes-from */
	C("project bind", CREATE, HC("\"Binds\":[\"@T@/project:/src:ro\"]"), "allow"),
	C("missing dir bind under tmp", CREATE, HC("\"Binds\":[\"@T@/new/dir:/x\"]"), "allow"),
	C("anonymous volume", CREATE, HC("\"Binds\":[\"/data\"]"), "allow"),
	C("named new volume", CREATE, HC("\"Binds\":[\"newvol:/data\"]"), "allow"),
	C("named plain volume", CREATE, HC("\"Binds\":[\"plainvol:/data\"]"), "allow"),
	C("tmpfs mount", CREATE, HC("\"Mounts\":[{\"Type\":\"tmpfs\",\"Target\":\"/t\"}]"), "allow"),
	C("volumes-from plain container", CREATE, HC("\"VolumesFrom\":[\"plainctr:ro\"]"), "allow"),
	C("volumes-from socket holder, allowed image", CREATE, SOCKHC("docker:cli", "\"VolumesFrom\":[\"sockctr\"]"), "allow"),

	/* protected paths */
	C("root bind", CREATE, HC("\"Binds\":[\"/:/host\"]"), "mount.protectedPath"),
	C("etc bind", CREATE, HC("\"Binds\":[\"/etc:/x:ro\"]"), "mount.protectedPath"),
	C("file under etc", CREATE, HC("\"Binds\":[\"/etc/shadow:/x\"]"), "mount.protectedPath"),
	C("dotdot to etc", CREATE, HC("\"Binds\":[\"@T@/../../etc:/x\"]"), "mount.protectedPath"),
	C("symlink to etc", CREATE, HC("\"Binds\":[\"@T@/etclink:/x\"]"), "mount.protectedPath"),
	C("parent of run (var)", CREATE, HC("\"Binds\":[\"/var:/x\"]"), "mount.protectedPath"),
	C("own state dir", CREATE, HC("\"Binds\":[\"@O@:/x\"]"), "mount.protectedPath"),
	C("inside own state dir", CREATE, HC("\"Binds\":[\"@O@/cache:/x\"]"), "mount.protectedPath"),
	C("mount bind etc", CREATE, HC("\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/etc\",\"Target\":\"/x\"}]"), "mount.protectedPath"),
	C("mount bind etc lowercase keys", CREATE, HC("\"mounts\":[{\"type\":\"bind\",\"source\":\"/etc\",\"target\":\"/x\"}]"), "mount.protectedPath"),
	C("mount volume with bind opts", CREATE, HC("\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/x\",\"VolumeOptions\":{\"DriverConfig\":{\"Name\":\"local\",\"Options\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}}}]"), "mount.protectedPath"),
	C("named volume bound to etc", CREATE, HC("\"Binds\":[\"etcvol:/x\"]"), "mount.protectedPath"),

	/* default protected paths: writes there run code as root or steal credentials */
	C("default protected dpkg", CREATE, HC("\"Binds\":[\"/var/lib/dpkg/info:/x\"]"), "mount.protectedPath"),
	C("default protected cron spool", CREATE, HC("\"Binds\":[\"/var/spool/cron/crontabs:/x\"]"), "mount.protectedPath"),
	C("default protected opt", CREATE, HC("\"Binds\":[\"/opt/cni/bin:/x\"]"), "mount.protectedPath"),
	C("default protected systemd state", CREATE, HC("\"Binds\":[\"/var/lib/systemd:/x\"]"), "mount.protectedPath"),
	C("default protected apt cache", CREATE, HC("\"Binds\":[\"/var/cache/apt/archives:/x\"]"), "mount.protectedPath"),
	C("default protected log", CREATE, HC("\"Binds\":[\"/var/log:/x:ro\"]"), "mount.protectedPath"),
	C("default protected lib64", CREATE, HC("\"Binds\":[\"/lib64:/x\"]"), "mount.protectedPath"),
	C("default protected kubelet", CREATE, HC("\"Binds\":[\"/var/lib/kubelet/pods:/x\"]"), "mount.protectedPath"),
	C("parent of protected (var/lib)", CREATE, HC("\"Binds\":[\"/var/lib:/x\"]"), "mount.protectedPath"),
	C("volume bind dpkg", VC, V("\"type\":\"none\",\"o\":\"bind\",\"device\":\"/var/lib/dpkg\""), "mount.protectedPath"),
	C("home project still allowed", CREATE, HC("\"Binds\":[\"/home/dw-unit-nobody/project:/src\"]"), "allow"),

	/* mount types, root-owned sockets, the Docker socket and its image list */
	C("mount type npipe", CREATE, HC("\"Mounts\":[{\"Type\":\"npipe\",\"Source\":\"x\",\"Target\":\"/x\"}]"), "mount.type"),
	C("root-owned socket", CREATE, HC("\"Binds\":[\"@T@/containerd.sock:/c.sock\"]"), "mount.rootSocket"),
	C("engine socket", CREATE, HC("\"Binds\":[\"@T@/docker.sock:/var/run/docker.sock\"]"), "mount.dockerSocket"),
	C("engine socket hard link", CREATE, HC("\"Binds\":[\"@T@/hardlink.sock:/s\"]"), "mount.dockerSocket"),
	C("engine socket symlink", CREATE, HC("\"Binds\":[\"@T@/symlink.sock:/s\"]"), "mount.dockerSocket"),
	C("engine socket via dotdot", CREATE, HC("\"Binds\":[\"@T@/project/../docker.sock:/s\"]"), "mount.dockerSocket"),
	C("engine socket dir", CREATE, HC("\"Binds\":[\"@T@:/t\"]"), "mount.dockerSocket"),
	C("engine socket via Mounts", CREATE, HC("\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"@T@/docker.sock\",\"Target\":\"/s\"}]"), "mount.dockerSocket"),
	C("engine socket via volume", CREATE, HC("\"Binds\":[\"sockvol:/s\"]"), "mount.dockerSocket"),
	C("engine socket via volumes-from", CREATE, HC("\"VolumesFrom\":[\"sockctr\"]"), "mount.dockerSocket"),
	C("engine socket at top level", CREATE, "{\"Image\":\"busybox\",\"Binds\":[\"@T@/docker.sock:/s\"]}", "mount.dockerSocket"),
	C("socket for docker:cli", CREATE, SOCKHC("docker:cli", "\"Binds\":[\"@T@/docker.sock:/s\"]"), "allow"),
	C("socket for docker.io/library/docker:cli", CREATE, SOCKHC("docker.io/library/docker:cli", "\"Binds\":[\"@T@/hardlink.sock:/s\"]"), "allow"),
	C("socket for docker:latest", CREATE, SOCKHC("docker", "\"Binds\":[\"@T@/docker.sock:/s\"]"), "mount.dockerSocket"),
	C("socket for tools wildcard", CREATE, SOCKHC("localhost:5000/tools/ci:7", "\"Binds\":[\"@T@/docker.sock:/s\"]"), "allow"),
	C("socket for tools nested (no match)", CREATE, SOCKHC("localhost:5000/tools/a/b:7", "\"Binds\":[\"@T@/docker.sock:/s\"]"), "mount.dockerSocket"),
	C("socket for pinned digest", CREATE, SOCKHC("registry.example/pinned@" D64, "\"Binds\":[\"@T@/docker.sock:/s\"]"), "allow"),
	C("socket for pinned by tag", CREATE, SOCKHC("registry.example/pinned:latest", "\"Binds\":[\"@T@/docker.sock:/s\"]"), "mount.dockerSocket"),
	C("socket dir for allowed image", CREATE, SOCKHC("docker:cli", "\"Binds\":[\"@T@:/t\"]"), "allow"),
	C("socket for a forged local tag", CREATE, SOCKHC("docker:forged", "\"Binds\":[\"@T@/docker.sock:/s\"]"), "mount.dockerSocket"),
	C("socket when registry unreachable", CREATE, SOCKHC("localhost:5000/tools/unreachable:1", "\"Binds\":[\"@T@/docker.sock:/s\"]"), "mount.dockerSocket"),

	/* what dockerd cannot tell, and malformed mounts */
	C("volumes-from unknown container", CREATE, HC("\"VolumesFrom\":[\"nosuch\"]"), "engine.lookup"),
	C("volume inspect fails", CREATE, HC("\"Binds\":[\"brokenvol:/x\"]"), "engine.lookup"),
	C("bad bind spec", CREATE, HC("\"Binds\":[\"a:b:c:d\"]"), "request.json"),

	/* the request model, as these rules read Binds */
	C("duplicate long-s key", CREATE, HC("\"Binds\":[],\"Bind\xc5\xbf\":[\"/:/h\"]"), "request.json"),
	C("binds as string", CREATE, HC("\"Binds\":\"/:/h\""), "request.json"),

	/* volume create */
	C("volume plain", "/v1.41/volumes/create", "{\"Name\":\"v\"}", "allow"),
	C("volume nfs", "/v1.41/volumes/create", "{\"Name\":\"v\",\"DriverOpts\":{\"type\":\"nfs\",\"o\":\"addr=1.2.3.4\",\"device\":\":/export\"}}", "volume.options"),
	C("volume bind etc", "/v1.41/volumes/create", "{\"Name\":\"v\",\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}", "mount.protectedPath"),
	C("volume block device", "/v1.41/volumes/create", "{\"Name\":\"v\",\"DriverOpts\":{\"type\":\"ext4\",\"device\":\"/dev/sda1\"}}", "volume.options"),
	C("volume bind socket", "/v1.41/volumes/create", "{\"Name\":\"v\",\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"@T@/docker.sock\"}}", "mount.dockerSocket"),

	/* local volume options: an allowlist of the mounts they make */
	C("volume empty options", VC, V(""), "allow"),
	C("volume size only", VC, V("\"size\":\"10G\""), "allow"),
	C("volume null values", VC, V("\"type\":null,\"device\":null"), "allow"),
	C("volume tmpfs", VC, V("\"type\":\"tmpfs\",\"device\":\"tmpfs\",\"o\":\"size=100m,uid=1000,mode=1777,nosuid,nodev\""), "allow"),
	C("volume bind project", VC, V("\"type\":\"none\",\"o\":\"bind\",\"device\":\"@T@/project\""), "allow"),
	C("volume rbind project, flags", VC, V("\"type\":\"\",\"o\":\"rbind,ro,nosuid,nodev,noexec,rprivate\",\"device\":\"@T@/project\""), "allow"),
	C("volume relative device", VC, V("\"type\":\"none\",\"o\":\"bind\",\"device\":\"../../etc\""), "volume.options"),
	C("volume device without slash", VC, V("\"type\":\"none\",\"o\":\"bind\",\"device\":\"etc\""), "volume.options"),
	C("volume relative to socket", VC, V("\"type\":\"none\",\"o\":\"bind\",\"device\":\"../../run/docker.sock\""), "volume.options"),
	C("volume proc", VC, V("\"type\":\"proc\",\"device\":\"proc\""), "volume.options"),
	C("volume sysfs", VC, V("\"type\":\"sysfs\",\"device\":\"sysfs\""), "volume.options"),
	C("volume overlay lowerdir etc", VC, V("\"type\":\"overlay\",\"device\":\"overlay\",\"o\":\"lowerdir=/etc\""), "volume.options"),
	C("volume cgroup2", VC, V("\"type\":\"cgroup2\",\"device\":\"cgroup2\""), "volume.options"),
	C("volume devpts", VC, V("\"type\":\"devpts\",\"device\":\"devpts\""), "volume.options"),
	C("volume bpf", VC, V("\"type\":\"bpf\",\"device\":\"bpf\""), "volume.options"),
	C("volume type none without bind", VC, V("\"type\":\"none\",\"device\":\"@T@/project\""), "volume.options"),
	C("volume bind with type proc", VC, V("\"type\":\"proc\",\"o\":\"bind\",\"device\":\"@T@/project\""), "volume.options"),
	C("volume bind remount", VC, V("\"type\":\"none\",\"o\":\"bind,remount\",\"device\":\"@T@/project\""), "volume.options"),
	C("volume bind rshared", VC, V("\"type\":\"none\",\"o\":\"bind,rshared\",\"device\":\"@T@/project\""), "volume.options"),
	C("volume bind data key", VC, V("\"type\":\"none\",\"o\":\"bind,size=1m\",\"device\":\"@T@/project\""), "volume.options"),
	C("volume bind upper-case RO", VC, V("\"type\":\"none\",\"o\":\"bind,RO\",\"device\":\"@T@/project\""), "volume.options"),
	C("volume tmpfs lowerdir", VC, V("\"type\":\"tmpfs\",\"device\":\"tmpfs\",\"o\":\"size=1m,lowerdir=/etc\""), "volume.options"),
	C("volume tmpfs with bind", VC, V("\"type\":\"tmpfs\",\"device\":\"/etc\",\"o\":\"bind\""), "volume.options"),
	C("volume unknown key", VC, V("\"Device\":\"/etc\",\"type\":\"none\",\"o\":\"bind\""), "volume.options"),
	C("volume number value", VC, V("\"type\":\"tmpfs\",\"device\":\"tmpfs\",\"o\":1"), "request.json"),
	C("volume other driver", VC, "{\"Name\":\"v\",\"Driver\":\"nfsplugin\",\"DriverOpts\":{\"type\":\"proc\"}}", "allow"),
	C("inline mount proc", CREATE, MV("\"type\":\"proc\",\"device\":\"proc\""), "volume.options"),
	C("inline mount relative device", CREATE, MV("\"type\":\"none\",\"o\":\"bind\",\"device\":\"../../etc\""), "volume.options"),
	C("inline mount overlay", CREATE, MV("\"type\":\"overlay\",\"device\":\"overlay\",\"o\":\"lowerdir=/etc,upperdir=@T@/u,workdir=@T@/w\""), "volume.options"),
	C("inline mount tmpfs", CREATE, MV("\"type\":\"tmpfs\",\"device\":\"tmpfs\",\"o\":\"size=1m\""), "allow"),
	C("inline mount bind project", CREATE, MV("\"type\":\"none\",\"o\":\"bind\",\"device\":\"@T@/project\""), "allow"),
	C("named volume of type proc", CREATE, HC("\"Binds\":[\"procvol:/x\"]"), "volume.options"),
	C("named volume relative device", CREATE, HC("\"Binds\":[\"relvol:/x\"]"), "volume.options"),
	C("named volume relative via Mounts", CREATE, HC("\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"relvol\",\"Target\":\"/x\"}]"), "volume.options"),
	C("named tmpfs volume", CREATE, HC("\"Binds\":[\"tmpvol:/x\"]"), "allow"),

	/* layouts a container can re-plant, refused at create */
	C("nested bind in rw bind", CREATE, HC("\"Binds\":[\"@T@/project:/p\",\"@T@/project/data:/x\"]"), "mount.nested"),
	C("rw bind above a bind", CREATE, HC("\"Binds\":[\"@T@/project/data:/x:ro\",\"@T@/project:/p:rw\"]"), "mount.nested"),
	C("nested Mounts bind in rw bind", CREATE, HC("\"Binds\":[\"@T@/project:/p\"],\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"@T@/project\",\"Target\":\"/y\",\"ReadOnly\":true},{\"Type\":\"bind\",\"Source\":\"@T@/project/sub\",\"Target\":\"/x\",\"ReadOnly\":true}]"), "mount.nested"),
	C("nested, named with dot segments", CREATE, HC("\"Binds\":[\"@T@/project:/p\",\"@T@/./project/../project/data:/x\"]"), "mount.nested"),
	C("bind volume device in rw bind", CREATE, HC("\"Binds\":[\"@T@/project:/p\",\"projvol:/x\"]"), "mount.nested"),
	C("inline volume device in rw bind", CREATE, HC("\"Binds\":[\"@T@/project:/p\"],\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/x\",\"VolumeOptions\":{\"DriverConfig\":{\"Options\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"@T@/project/in\"}}}}]"), "mount.nested"),
	C("bind in a volumes-from rw bind", CREATE, HC("\"VolumesFrom\":[\"plainctr\"],\"Binds\":[\"@T@/project/x:/x\"]"), "mount.nested"),
	C("nested, keys in another letter case", CREATE, HC("\"binds\":[\"@T@/project:/p\"],\"mounts\":[{\"type\":\"bind\",\"source\":\"@T@/project/sub\",\"target\":\"/x\",\"readonly\":true}]"), "mount.nested"),
	C("top-level Binds nested", CREATE, "{\"Image\":\"busybox\",\"Binds\":[\"@T@/project:/p\",\"@T@/project/d:/x\"]}", "mount.nested"),
	C("nested under a read-only bind", CREATE, HC("\"Binds\":[\"@T@/project:/p:ro\",\"@T@/project/data:/x\"]"), "allow"),
	C("nested under a read-only volumes-from", CREATE, HC("\"VolumesFrom\":[\"plainctr:ro\"],\"Binds\":[\"@T@/project/x:/x\"]"), "allow"),
	C("the same source twice", CREATE, HC("\"Binds\":[\"@T@/project:/p\",\"@T@/project:/q\"]"), "allow"),
	C("siblings", CREATE, HC("\"Binds\":[\"@T@/project/a:/a\",\"@T@/project/b:/b\",\"@T@/projectx:/c\"]"), "allow"),
};

/* Messages name the offending field and the fix. */
static void
test_messages(void **state)
{
	static const struct fake_case sock =
	    C("m", CREATE, SOCKHC("alpine", "\"Binds\":[\"@T@/docker.sock:/s\"]"), "mount.dockerSocket");
	static const struct fake_case nest = C("m", CREATE,
	    HC("\"Binds\":[\"@T@/project:/p\",\"@T@/project/data:/x\"]"), "mount.nested");
	struct authz_decision	d;

	fake_rules_run(fake_rules_policy, &sock, &d);
	assert_string_equal(d.field, "HostConfig.Binds[0]");
	assert_non_null(strstr(d.msg, "\"alpine\""));
	assert_non_null(strstr(d.msg, "imageList"));
	fake_rules_run(fake_rules_policy, &nest, &d);
	assert_string_equal(d.field, "HostConfig.Binds[1]");
	assert_non_null(strstr(d.msg, "symlink"));
	assert_non_null(strstr(d.msg, "read-only (:ro)"));
}

/*
 * When dockerd cannot be asked, the way out is to retry, not to name
 * another container; a missing container is the user's to fix.
 */
static void
test_engine_messages(void **state)
{
	static const struct fake_case broken =
	    C("m", CREATE, HC("\"VolumesFrom\":[\"brokenctr\"]"), "engine.lookup");
	static const struct fake_case missing =
	    C("m", CREATE, HC("\"VolumesFrom\":[\"nosuch\"]"), "engine.lookup");
	static const struct fake_case unverified =
	    C("m", CREATE, SOCKHC("localhost:5000/tools/unreachable:1",
	    "\"Binds\":[\"@T@/docker.sock:/s\"]"), "mount.dockerSocket");
	struct authz_decision	d;

	fake_rules_run(fake_rules_policy, &broken, &d);
	assert_string_equal(d.rule, "engine.lookup");
	assert_non_null(strstr(d.msg, "engine unreachable"));
	assert_non_null(strstr(d.msg, "Retry when dockward reaches dockerd"));
	assert_null(strstr(d.msg, "Name an existing container"));
	fake_rules_run(fake_rules_policy, &missing, &d);
	assert_non_null(strstr(d.msg, "no such container. Name an existing container"));
	/* The verifier's remedy is the message's, with no second one added. */
	fake_rules_run(fake_rules_policy, &unverified, &d);
	assert_non_null(strstr(d.msg, "connection refused. Retry when the registry is reachable"));
	assert_null(strstr(strstr(d.msg, "Retry when") + 1, "Retry when"));
}

/* Run case c under the policy text json; returns nothing, checks the rule. */
static void
expect_under(const char *json, const struct fake_case *c)
{
	fake_expect_under(json, &fake_rules_facts, c);
}

#define ECI_POLICY(extra) "{\"configurationFileVersion\":2," \
	"\"enhancedContainerIsolation\":{\"value\":true,\"locked\":true}," \
	"\"dockward\":{" extra "}}"

/* Network filesystems only when the admin names them; still no remount or bind tricks. */
static void
test_volume_types(void **state)
{
	static const char nfs[] = ECI_POLICY("\"allowedVolumeTypes\":[\"nfs\",\"cifs\"]");
	static const struct fake_case ok[] = {
		C("nfs allowed", VC, V("\"type\":\"nfs\",\"o\":\"addr=10.0.0.1,rw,nfsvers=4,hard\",\"device\":\":/export\""), "allow"),
		C("cifs allowed", VC, V("\"type\":\"cifs\",\"o\":\"addr=10.0.0.1,username=u\",\"device\":\"//10.0.0.1/s\""), "allow"),
		C("nfs4 not named", VC, V("\"type\":\"nfs4\",\"device\":\":/export\""), "volume.options"),
		C("nfs remount", VC, V("\"type\":\"nfs\",\"o\":\"addr=10.0.0.1,remount\",\"device\":\":/export\""), "volume.options"),
		C("nfs type with bind is a bind", VC, V("\"type\":\"nfs\",\"o\":\"bind\",\"device\":\"/etc\""), "volume.options"),
		C("proc still refused", VC, V("\"type\":\"proc\",\"device\":\"proc\""), "volume.options"),
		C("inline nfs allowed", CREATE, MV("\"type\":\"nfs\",\"o\":\"addr=10.0.0.1\",\"device\":\":/e\""), "allow"),
	};
	size_t	i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		expect_under(nfs, &ok[i]);
}

/* The volume deny says what and how to get out. */
static void
test_volume_messages(void **state)
{
	static const struct fake_case proc = C("m", VC, V("\"type\":\"proc\",\"device\":\"proc\""), "volume.options");
	static const struct fake_case rel = C("m", VC, V("\"type\":\"none\",\"o\":\"bind\",\"device\":\"../../etc\""), "volume.options");
	static const struct fake_case inl = C("m", CREATE, MV("\"type\":\"proc\",\"device\":\"proc\""), "volume.options");
	struct authz_decision	d;

	fake_rules_run(fake_rules_policy, &proc, &d);
	assert_string_equal(d.field, "DriverOpts.type");
	assert_non_null(strstr(d.msg, "(volume.options): a local volume of type \"proc\""));
	assert_non_null(strstr(d.msg, "dockward.allowedVolumeTypes"));
	fake_rules_run(fake_rules_policy, &rel, &d);
	assert_string_equal(d.field, "DriverOpts.device");
	assert_non_null(strstr(d.msg, "not an absolute path"));
	fake_rules_run(fake_rules_policy, &inl, &d);
	assert_string_equal(d.field, "HostConfig.Mounts[0].VolumeOptions.DriverConfig.Options.type");
}

/*
 * Host-root lookups need openat2(), which valgrind 3.19 does not know
 * (ENOSYS; dockward serve --host-root then refuses to start): such a test
 * is skipped under it, and runs everywhere else.
 */
static void
skip_without_openat2(void)
{
	if (dw_path_root_set("/", NULL) == -ENOSYS)
		skip();
	assert_int_equal(dw_path_root_set(NULL, NULL), 0);
}

/*
 * Host paths under a host root R, as in the managed plugin: R holds
 * /dw-hostonly/etc-link -> /etc (R's /etc), a hard link of the engine
 * socket (dockward's own path, outside R: the plugin's bind of the host's
 * socket) and a project dir.  In this process's own tree none of them
 * exists and each bind is allowed, as the plugin's own rootfs allowed them;
 * under R they are judged as the host's files.
 */
static void
test_host_root(void **state)
{
	static const struct fake_case own[] = {
		C("etc link, own tree", CREATE, HC("\"Binds\":[\"/dw-hostonly/etc-link:/x\"]"), "allow"),
		C("socket, own tree", CREATE, HC("\"Binds\":[\"/dw-hostonly/engine.sock:/s\"]"), "allow"),
	};
	static const struct fake_case host[] = {
		C("etc link under R", CREATE, HC("\"Binds\":[\"/dw-hostonly/etc-link/x:/x\"]"), "mount.protectedPath"),
		C("etc link, dot segments", CREATE, HC("\"Binds\":[\"/dw-hostonly/../../../dw-hostonly/etc-link:/x\"]"), "mount.protectedPath"),
		C("socket under R", CREATE, HC("\"Binds\":[\"/dw-hostonly/engine.sock:/s\"]"), "mount.dockerSocket"),
		C("socket under R, listed image", CREATE, SOCKHC("docker:cli", "\"Binds\":[\"/dw-hostonly/engine.sock:/s\"]"), "allow"),
		C("project under R", CREATE, HC("\"Binds\":[\"/dw-hostonly/project:/p\"]"), "allow"),
		C("loop under R", CREATE, HC("\"Binds\":[\"/dw-hostonly/loop:/p\"]"), "mount.protectedPath"),
	};
	static const char *const rm[] = { "/dw-hostonly/engine.sock",
	    "/dw-hostonly/loop", "/dw-hostonly/etc-link", "/dw-hostonly/project",
	    "/dw-hostonly", "/etc", "" };
	struct authz_decision	d;
	char			r[64], p[256];
	size_t			i;

	(void)state;
	skip_without_openat2();
	snprintf(r, sizeof(r), "/tmp/dw-unit-root.XXXXXX");
	assert_non_null(mkdtemp(r));
	snprintf(p, sizeof(p), "%s/etc", r);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/dw-hostonly", r);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/dw-hostonly/project", r);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/dw-hostonly/etc-link", r);
	assert_int_equal(symlink("/etc", p), 0);
	snprintf(p, sizeof(p), "%s/dw-hostonly/loop", r);
	assert_int_equal(symlink("/dw-hostonly/loop", p), 0);
	snprintf(p, sizeof(p), "%s/dw-hostonly/engine.sock", r);
	assert_int_equal(link(fake_sock, p), 0);

	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		fake_rules_run(fake_rules_policy, &own[i], &d);
		fake_expect_rule(own[i].name, own[i].rule, &d);
	}
	assert_int_equal(dw_path_root_set(r, NULL), 0);
	for (i = 0; i < sizeof(host) / sizeof(host[0]); i++) {
		fake_rules_run(fake_rules_policy, &host[i], &d);
		fake_expect_rule(host[i].name, host[i].rule, &d);
	}
	/* A loop cannot be judged: refused, saying why. */
	fake_rules_run(fake_rules_policy, &host[5], &d);
	assert_non_null(strstr(d.msg, "cannot inspect bind source"));
	assert_int_equal(dw_path_root_set(NULL, NULL), 0);
	for (i = 0; i < sizeof(rm) / sizeof(rm[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", r, rm[i]);
		assert_int_equal(remove(p), 0);
	}
}

/*
 * The engine socket's relation to a bind source: the socket itself (a
 * hard link too), a directory above it, or neither; a directory is never
 * the socket, unless the socket path names that directory.
 */
static void
test_socket_relation(void **state)
{
	char			 dir[] = "/tmp/dw-sockrel.XXXXXX", sub[64], sock[96], alias[96];
	const char		*socks[2] = { sock, NULL }, *dirs[2] = { sub, NULL };
	struct authz_facts	 facts = { .engine_sockets = socks };
	struct sockaddr_un	 sa = { .sun_family = AF_UNIX };
	struct stat		 st;
	int			 fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/run", dir);
	snprintf(sock, sizeof(sock), "%s/docker.sock", sub);
	snprintf(alias, sizeof(alias), "%s/alias.sock", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_true((fd = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(link(sock, alias), 0);
	assert_int_equal(stat(sock, &st), 0);
	assert_int_equal(authz_mount_socket_relation(&facts, &st), 1);
	assert_int_equal(stat(alias, &st), 0);
	assert_int_equal(authz_mount_socket_relation(&facts, &st), 1);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(authz_mount_socket_relation(&facts, &st), 2);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(authz_mount_socket_relation(&facts, &st), 2);
	assert_int_equal(stat("/proc", &st), 0);
	assert_int_equal(authz_mount_socket_relation(&facts, &st), 0);
	/* A socket path that names a directory: that directory is "the socket". */
	facts.engine_sockets = dirs;
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(authz_mount_socket_relation(&facts, &st), 1);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(authz_mount_socket_relation(&facts, &st), 2);
	close(fd);
	unlink(alias);
	unlink(sock);
	rmdir(sub);
	rmdir(dir);
}

/*
 * The protected-path test by name: dw_path_related(x, p) answers exactly
 * as dw_path_at_or_under(x, p) || dw_path_above(x, p), which it replaced
 * in the mount rules, for every pair of these names (as source x and
 * protected path p both ways), and the table pins the answers themselves.
 */
static void
test_related_names(void **state)
{
	static const char *const names[] = {
		"/", "", "//", "/etc", "/etc/", "/etcx", "/etc/x", "/etc//x",
		"/etc/x/", "/et", "/e", "/etc/dockward", "/var", "/var/run",
		"/var/run/docker.sock", "/var/r", "/a", "/a/b", "/a/b/", "/ab",
		"etc", "etc/x",
	};
	static const struct {
		const char	*x, *p;
		bool		 want;
	} pinned[] = {
		{ "/", "/", true },		/* "/" protects itself */
		{ "/etc", "/", false },		/* ... and only itself */
		{ "/etc/shadow", "/", false },
		{ "", "/", true },		/* "" is above "/" (dw_path_above) */
		{ "/", "/etc", true },		/* "/" is above every other path */
		{ "/", "", true },
		{ "/", "//", true },
		{ "/etc", "/etc", true },	/* equal */
		{ "/etc/x", "/etc", true },	/* under */
		{ "/etc//x", "/etc", true },
		{ "/etc", "/etc/x", true },	/* above */
		{ "/etcx", "/etc", false },	/* a prefix, not at a boundary */
		{ "/etc", "/etcx", false },
		{ "/et", "/etc", false },
		{ "/var/r", "/var/run", false },
		{ "/var", "/var/run/docker.sock", true },
		{ "/etc/", "/etc", true },	/* x's trailing slash: under p */
		{ "/etc", "/etc/", true },	/* p's: x is above it */
		{ "/etc/x", "/etc/", false },	/* p "/etc/" is matched as written */
		{ "/etc//x", "/etc/", true },
		{ "/etc/", "/etc/", true },
		{ "/etc/x/", "/etc/x", true },
		{ "/a/b", "/ab", false },
		{ "/ab", "/a", false },
		{ "//", "/", false },
		{ "", "/etc", true },		/* "" then '/': as dw_path_above reads it */
		{ "/etc", "", true },		/* p "" is at every '/' */
		{ "etc", "etc/x", true },
		{ "etc/x", "/etc", false },
	};
	size_t	i, j;
	bool	old, new;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
			old = dw_path_at_or_under(names[i], names[j]) ||
			    dw_path_above(names[i], names[j]);
			new = dw_path_related(names[i], strlen(names[i]), names[j],
			    strlen(names[j]));
			if (old != new)
				fail_msg("\"%s\" vs \"%s\": related says %d, at_or_under"
				    " || above %d", names[i], names[j], new, old);
		}
	for (i = 0; i < sizeof(pinned) / sizeof(pinned[0]); i++) {
		old = dw_path_at_or_under(pinned[i].x, pinned[i].p) ||
		    dw_path_above(pinned[i].x, pinned[i].p);
		new = dw_path_related(pinned[i].x, strlen(pinned[i].x), pinned[i].p,
		    strlen(pinned[i].p));
		if (old != pinned[i].want || new != pinned[i].want)
			fail_msg("\"%s\" vs \"%s\": want %d, related %d, at_or_under"
			    " || above %d", pinned[i].x, pinned[i].p, pinned[i].want,
			    new, old);
	}
	/* Only the given lengths are read: the rest of the buffer does not count. */
	assert_true(dw_path_related("/etcx", 4, "/etc", 4));
	assert_false(dw_path_related("/etc/x", 6, "/etc/xyz", 5));
	assert_true(dw_path_related("/etc/x", 6, "/etc/xyz", 6));
}

/*
 * One decision resolves each bind source once (authz_pathcache counts
 * every resolution): the layout check reads the mount checks' answer
 * (authz_mount_memo), in a create and in the start re-check alike, and
 * still refuses a nested layout; the next decision resolves again.
 */
static void
test_resolved_once(void **state)
{
	static const struct fake_case one = C("one bind", CREATE,
	    HC("\"Binds\":[\"@T@/project:/p\"]"), "allow");
	static const struct fake_case two = C("top level and HostConfig", CREATE,
	    "{\"Image\":\"busybox\",\"Binds\":[\"@T@/project/a:/a\"],"
	    "\"HostConfig\":{\"Binds\":[\"@T@/project/b:/b\"]}}", "allow");
	static const struct fake_case nest = C("nested", CREATE,
	    HC("\"Binds\":[\"@T@/project:/p\",\"@T@/project/data:/x\"]"),
	    "mount.nested");
	static const struct fake_case start = C("start plain", "/v1.41/containers/plainctr/start",
	    NULL, "allow");
	/* Each decision in turn, and how many resolutions it may make. */
	static const struct {
		const struct fake_case	*fc;
		unsigned		 want;
		const char		*field;		/* the denied field, if any */
	} steps[] = {
		{ &one, 1, NULL },
		{ &one, 1, NULL },	/* the next decision resolves again */
		{ &two, 2, NULL },
		{ &nest, 2, "HostConfig.Binds[1]" },
		{ &start, 1, NULL },	/* the start re-check (authz_existing): the stored bind, once */
	};
	struct authz_pathcache_stats	a, b;
	struct authz_decision		d;
	size_t				i;

	(void)state;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		authz_pathcache_stats(NULL, &a);
		fake_rules_run(fake_rules_policy, steps[i].fc, &d);
		fake_expect_rule(steps[i].fc->name, steps[i].fc->rule, &d);
		if (steps[i].field != NULL)
			assert_string_equal(d.field, steps[i].field);
		authz_pathcache_stats(NULL, &b);
		assert_int_equal(b.hits + b.full - a.hits - a.full, steps[i].want);
	}
}

/*
 * The identity cache of protected paths keys on the policy object: a new
 * policy with as many protected paths as the one before, but others, is
 * judged by its own at once, within the cache's window.  The protected
 * paths are symlinks, so only the identity check (not the name check) can
 * tell that a bind of their targets is one of them.
 */
static void
test_policy_swap(void **state)
{
	struct fake_case	 bind_a = C("a", CREATE, HC("\"Binds\":[\"@T@/swapA:/x\"]"), "allow");
	struct fake_case	 bind_b = C("b", CREATE, HC("\"Binds\":[\"@T@/swapB:/x\"]"), "allow");
	struct authz_settings	*pa, *pb;
	struct authz_decision	 d;
	struct dw_err		 err;
	char			 p[256], q[256], ja[512], jb[512];
	int			 round;

	(void)state;
	for (round = 0; round < 2; round++) {
		snprintf(p, sizeof(p), "%s/swap%c", fake_dir, round ? 'B' : 'A');
		assert_int_equal(mkdir(p, 0755), 0);
		snprintf(q, sizeof(q), "%s/link%c", fake_dir, round ? 'B' : 'A');
		assert_int_equal(symlink(p, q), 0);
	}
	snprintf(ja, sizeof(ja), ECI_POLICY("\"protectedPaths\":[\"%s/linkA\"]"), fake_dir);
	snprintf(jb, sizeof(jb), ECI_POLICY("\"protectedPaths\":[\"%s/linkB\"]"), fake_dir);
	assert_non_null(pa = authz_settings_parse(ja, strlen(ja), "<a>", &err));
	assert_non_null(pb = authz_settings_parse(jb, strlen(jb), "<b>", &err));
	assert_int_equal(pa->protected_paths.n, pb->protected_paths.n);
	for (round = 0; round < 3; round++) {
		fake_rules_run(pa, &bind_a, &d);
		fake_expect_rule("swapA under A", RULE_PROTECTED, &d);
		fake_rules_run(pa, &bind_b, &d);
		fake_expect_rule("swapB under A", "allow", &d);
		fake_rules_run(pb, &bind_a, &d);
		fake_expect_rule("swapA under B", "allow", &d);
		fake_rules_run(pb, &bind_b, &d);
		fake_expect_rule("swapB under B", RULE_PROTECTED, &d);
	}
	authz_settings_free(pa);
	authz_settings_free(pb);
}

int
main(void)
{
	enum { NCASES = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest	tests[NCASES + 9];

	/* One named cmocka test per table row, so failures and counts are per case. */
	fake_case_tests(tests, cases, NCASES, fake_rules_test_case);
	tests[NCASES] = (struct CMUnitTest)cmocka_unit_test(test_messages);
	tests[NCASES + 1] = (struct CMUnitTest)cmocka_unit_test(test_engine_messages);
	tests[NCASES + 2] = (struct CMUnitTest)cmocka_unit_test(test_volume_types);
	tests[NCASES + 3] = (struct CMUnitTest)cmocka_unit_test(test_volume_messages);
	tests[NCASES + 4] = (struct CMUnitTest)cmocka_unit_test(test_host_root);
	tests[NCASES + 5] = (struct CMUnitTest)cmocka_unit_test(test_socket_relation);
	tests[NCASES + 6] = (struct CMUnitTest)cmocka_unit_test(test_related_names);
	tests[NCASES + 7] = (struct CMUnitTest)cmocka_unit_test(test_resolved_once);
	tests[NCASES + 8] = (struct CMUnitTest)cmocka_unit_test(test_policy_swap);
	return _cmocka_run_group_tests("authz_mount", tests, NCASES + 9,
	    fake_rules_setup, fake_rules_teardown);
}
