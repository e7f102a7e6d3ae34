/*
 * Fake engine facts for policy-engine unit tests.  A temp directory holds a
 * real unix socket standing for the engine socket, a hard link and a
 * symlink to it, another root-owned socket, and a plain project dir.
 * "@T@" in test bodies is replaced with that directory, "@O@" with a
 * second one standing for dockward's own state directory.
 *
 * Also the decision tables of the rule tests (test_authz_hostconfig,
 * _mount, _namespace, _service, _decide, _existing): a row type, the
 * policy they are decided under, and running a row.
 */
#ifndef FAKE_FACTS_H
#define FAKE_FACTS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "authz/authz_decide.h"
#include "authz/authz_rules.h"
#include "authz/authz_settings.h"

#define FAKE_GOOD_ID "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define FAKE_EVIL_ID "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static char fake_dir[64];
static char fake_own[64];	/* stands for dockward's own state dir */
static char fake_sock[128];
static const char *fake_engine_sockets[2];
static const char *fake_own_paths[2];

/* Create a listening unix socket at path (kept open for the test's life). */
static int
fake_make_socket(const char *path)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 1) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Replace every "@T@" in tmpl with the fake dir; caller frees. */
static char *
fake_expand(const char *tmpl)
{
	size_t	 n = strlen(tmpl) * 4 + 256, o = 0;
	char	*out = malloc(n);
	const char *p;

	if (out == NULL)
		return NULL;
	for (p = tmpl; *p != '\0' && o + 80 < n; ) {
		if (strncmp(p, "@T@", 3) == 0 || strncmp(p, "@O@", 3) == 0) {
			o += (size_t)snprintf(out + o, n - o, "%s",
			    p[1] == 'T' ? fake_dir : fake_own);
			p += 3;
		} else
			out[o++] = *p++;
	}
	out[o] = '\0';
	return out;
}

/*
 * Containers for namespace chains (container:X), as dockerd inspects them:
 * "hostpid" has the host's pid, network and IPC namespaces (an admin's);
 * "viahost" joins all three of hostpid's, "viavia" joins viahost's;
 * "nsctr" is ordinary, "viapriv" joins it; "hostnetid" is on the host
 * network named by id; "hostuserns" runs in the host's user namespace;
 * "loopa"/"loopb" join each other; "deep0".."deep12" each join the next,
 * and deep12 has host namespaces; "brokenchain" joins "brokenctr".
 * Lookups by the id prefix "0123abc" find viahost.  NULL: no such one.
 */
static char *
fake_ns_container(const char *id)
{
	const char	*id2 = id, *net = "bridge", *pid = "", *ipc = "private",
			*user = "";
	char		 buf[128], deep[32];
	json_t		*j;
	char		*s;

	if (strcmp(id, "hostpid") == 0)
		net = pid = ipc = "host";
	else if (strcmp(id, "viahost") == 0 || strcmp(id, "0123abc") == 0) {
		id2 = "0123abcdef";
		net = pid = ipc = "container:hostpid";
	} else if (strcmp(id, "viavia") == 0)
		net = pid = ipc = "container:viahost";
	else if (strcmp(id, "nsctr") == 0)
		;
	else if (strcmp(id, "viapriv") == 0)
		net = pid = ipc = "container:nsctr";
	else if (strcmp(id, "hostnetid") == 0)
		net = "hostnet";
	else if (strcmp(id, "hostuserns") == 0)
		user = "host";
	else if (strcmp(id, "loopa") == 0)
		net = pid = ipc = "container:loopb";
	else if (strcmp(id, "loopb") == 0)
		net = pid = ipc = "container:loopa";
	else if (strcmp(id, "brokenchain") == 0)
		net = pid = ipc = "container:brokenctr";
	else if (strncmp(id, "deep", 4) == 0 && strtol(id + 4, NULL, 10) < 12) {
		snprintf(deep, sizeof(deep), "container:deep%d",
		    (int)strtol(id + 4, NULL, 10) + 1);
		net = pid = ipc = deep;
	} else if (strcmp(id, "deep12") == 0)
		net = pid = ipc = "host";
	else
		return NULL;
	snprintf(buf, sizeof(buf), "%s", id2);
	j = json_pack("{s:s, s:s, s:[], s:{s:s, s:s, s:s, s:s}}", "Id", buf,
	    "Image", FAKE_EVIL_ID, "Mounts", "HostConfig", "NetworkMode", net,
	    "PidMode", pid, "IpcMode", ipc, "UsernsMode", user);
	s = j ? json_dumps(j, 0) : NULL;
	json_decref(j);
	return s;
}

static int
fake_container_inspect(void *ctx, const char *id, json_t **ret, struct dw_err *err)
{
	char	*s;

	if (strcmp(id, "sockctr") == 0)
		s = fake_expand("{\"Id\":\"sockctr\",\"Image\":\"" FAKE_GOOD_ID "\",\"HostConfig\":{},"
		    "\"Mounts\":[{\"Type\":\"bind\","
		    "\"Source\":\"@T@/docker.sock\",\"Destination\":\"/s\"}]}");
	else if (strcmp(id, "evilsockctr") == 0)
		s = fake_expand("{\"Id\":\"evilsockctr\",\"Image\":\"" FAKE_EVIL_ID "\",\"HostConfig\":{},"
		    "\"Mounts\":[{\"Type\":\"bind\","
		    "\"Source\":\"@T@/hardlink.sock\",\"Destination\":\"/s\"}]}");
	else if (strcmp(id, "plainctr") == 0)
		s = fake_expand("{\"Id\":\"plainctr\",\"Image\":\"" FAKE_EVIL_ID "\",\"HostConfig\":{},\"Mounts\":[{\"Type\":\"bind\","
		    "\"Source\":\"@T@/project\",\"Destination\":\"/p\",\"RW\":true},{\"Type\":"
		    "\"volume\",\"Name\":\"plainvol\",\"Source\":\"/var/lib/docker/volumes/plainvol/_data\"}]}");
	else if (strcmp(id, "okctr") == 0)	/* as dockerd 20.10 stores an ordinary one */
		s = fake_expand("{\"Id\":\"okctr\",\"Image\":\"" FAKE_EVIL_ID "\","
		    "\"HostConfig\":{\"Binds\":[\"@T@/project:/p\"],\"NetworkMode\":"
		    "\"default\",\"PidMode\":\"\",\"CgroupnsMode\":\"private\","
		    "\"Runtime\":\"fancy-default\",\"Privileged\":false,\"CapAdd\":null,"
		    "\"VolumesFrom\":[\"gonectr\"],"
		    "\"MaskedPaths\":[\"/proc/asound\",\"/proc/acpi\",\"/proc/kcore\","
		    "\"/proc/keys\",\"/proc/latency_stats\",\"/proc/timer_list\","
		    "\"/proc/timer_stats\",\"/proc/sched_debug\",\"/proc/scsi\","
		    "\"/sys/firmware\"],\"ReadonlyPaths\":[\"/proc/bus\",\"/proc/fs\","
		    "\"/proc/irq\",\"/proc/sys\",\"/proc/sysrq-trigger\"]},"
		    "\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"@T@/project\","
		    "\"Destination\":\"/p\",\"RW\":true},{\"Type\":\"volume\","
		    "\"Name\":\"plainvol\",\"Driver\":\"local\",\"RW\":true,"
		    "\"Source\":\"/var/lib/docker/volumes/plainvol/_data\"}]}");
	else if (strcmp(id, "hostpidctr") == 0)	/* admin-made: --pid host */
		s = fake_expand("{\"Id\":\"hostpidctr\",\"Image\":\"" FAKE_EVIL_ID "\","
		    "\"HostConfig\":{\"PidMode\":\"host\"},\"Mounts\":[]}");
	else if (strcmp(id, "privctr") == 0)	/* admin-made: --privileged */
		s = fake_expand("{\"Id\":\"privctr\",\"Image\":\"" FAKE_EVIL_ID "\","
		    "\"HostConfig\":{\"Privileged\":true,\"MaskedPaths\":null},\"Mounts\":[]}");
	else if (strcmp(id, "unmaskedctr") == 0)	/* systempaths=unconfined */
		s = fake_expand("{\"Id\":\"unmaskedctr\",\"Image\":\"" FAKE_EVIL_ID "\","
		    "\"HostConfig\":{\"MaskedPaths\":[],\"ReadonlyPaths\":[]},\"Mounts\":[]}");
	else if (strcmp(id, "etcctr") == 0)	/* admin-made: -v /etc:/host-etc */
		s = fake_expand("{\"Id\":\"etcctr\",\"Image\":\"" FAKE_EVIL_ID "\","
		    "\"HostConfig\":{\"Binds\":[\"/etc:/host-etc\"]},\"Mounts\":"
		    "[{\"Type\":\"bind\",\"Source\":\"/etc\",\"Destination\":"
		    "\"/host-etc\",\"RW\":true}]}");
	else if (strcmp(id, "swappedctr") == 0)	/* created on a path now a symlink to /etc */
		s = fake_expand("{\"Id\":\"swappedctr\",\"Image\":\"" FAKE_EVIL_ID "\","
		    "\"HostConfig\":{\"Binds\":[\"@T@/etclink:/x\"]},\"Mounts\":"
		    "[{\"Type\":\"bind\",\"Source\":\"@T@/etclink\",\"Destination\":"
		    "\"/x\",\"RW\":true}]}");
	else if (strcmp(id, "etcvolctr") == 0)	/* a volume whose device is /etc */
		s = fake_expand("{\"Id\":\"etcvolctr\",\"Image\":\"" FAKE_EVIL_ID "\","
		    "\"HostConfig\":{},\"Mounts\":[{\"Type\":\"volume\",\"Name\":"
		    "\"etcvol\",\"Driver\":\"local\",\"RW\":true}]}");
	else if (strcmp(id, "nestedctr") == 0)	/* -v P:/proj -v P/sub:/x (made before the rule) */
		s = fake_expand("{\"Id\":\"nestedctr\",\"Image\":\"" FAKE_EVIL_ID "\","
		    "\"HostConfig\":{},\"Mounts\":[{\"Type\":\"bind\",\"Source\":"
		    "\"@T@/project\",\"RW\":true},{\"Type\":\"bind\",\"Source\":"
		    "\"@T@/project/sub\",\"RW\":false}]}");
	else if (strcmp(id, "nohcctr") == 0)	/* an answer without HostConfig */
		s = fake_expand("{\"Id\":\"nohcctr\",\"Image\":\"" FAKE_EVIL_ID "\",\"Mounts\":[]}");
	/* egress (test_authz_egress): networks other than bridges, resolvers */
	else if (strcmp(id, "macctr") == 0)	/* on the macvlan network */
		s = fake_expand("{\"Id\":\"macctr\",\"Image\":\"" FAKE_EVIL_ID "\","
		    "\"HostConfig\":{\"NetworkMode\":\"macnet\"},\"NetworkSettings\":"
		    "{\"Networks\":{\"macnet\":{}}},\"Mounts\":[]}");
	else if (strcmp(id, "viamac") == 0)	/* joins macctr's network namespace */
		s = fake_expand("{\"Id\":\"viamac\",\"Image\":\"" FAKE_EVIL_ID "\","
		    "\"HostConfig\":{\"NetworkMode\":\"container:macctr\"},"
		    "\"NetworkSettings\":{\"Networks\":{}},\"Mounts\":[]}");
	else if (strcmp(id, "connmacctr") == 0)	/* on the default bridge, connected to macnet later */
		s = fake_expand("{\"Id\":\"connmacctr\",\"Image\":\"" FAKE_EVIL_ID "\","
		    "\"HostConfig\":{\"NetworkMode\":\"default\"},\"NetworkSettings\":"
		    "{\"Networks\":{\"bridge\":{},\"macnet\":{}}},\"Mounts\":[]}");
	else if (strcmp(id, "appctr") == 0)	/* on a user-defined bridge */
		s = fake_expand("{\"Id\":\"appctr\",\"Image\":\"" FAKE_EVIL_ID "\","
		    "\"HostConfig\":{\"NetworkMode\":\"appnet\",\"Dns\":[\"10.0.0.53\"]},"
		    "\"NetworkSettings\":{\"Networks\":{\"appnet\":{}}},\"Mounts\":[]}");
	else if (strcmp(id, "dnsctr") == 0)	/* made with --dns 8.8.8.8 */
		s = fake_expand("{\"Id\":\"dnsctr\",\"Image\":\"" FAKE_EVIL_ID "\","
		    "\"HostConfig\":{\"NetworkMode\":\"default\",\"Dns\":[\"8.8.8.8\"]},"
		    "\"NetworkSettings\":{\"Networks\":{\"bridge\":{}}},\"Mounts\":[]}");
	else if (strcmp(id, "brokenctr") == 0) {
		dw_err_set(err, "engine unreachable");
		return -EIO;
	} else if ((s = fake_ns_container(id)) == NULL)
		return -ENOENT;
	*ret = json_loads(s, 0, NULL);
	free(s);
	return *ret ? 0 : -EPROTO;
}

/* GET /exec/{id}/json: "exec-<ctr>" belongs to container <ctr>. */
static int
fake_exec_inspect(void *ctx, const char *id, json_t **ret, struct dw_err *err)
{
	if (strcmp(id, "brokenexec") == 0) {
		dw_err_set(err, "engine unreachable");
		return -EIO;
	}
	if (strcmp(id, "anonexec") == 0)
		*ret = json_pack("{s:s}", "ID", id);
	else if (strncmp(id, "exec-", 5) == 0)
		*ret = json_pack("{s:s, s:s}", "ID", id, "ContainerID", id + 5);
	else
		return -ENOENT;
	return *ret ? 0 : -ENOMEM;
}

static int
fake_volume_inspect(void *ctx, const char *name, json_t **ret, struct dw_err *err)
{
	char	*s;

	if (strcmp(name, "etcvol") == 0)
		s = fake_expand("{\"Name\":\"etcvol\",\"Driver\":\"local\",\"Options\":"
		    "{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}");
	else if (strcmp(name, "sockvol") == 0)
		s = fake_expand("{\"Name\":\"sockvol\",\"Driver\":\"local\",\"Options\":"
		    "{\"type\":\"none\",\"o\":\"bind\",\"device\":\"@T@/docker.sock\"}}");
	else if (strcmp(name, "procvol") == 0)
		s = fake_expand("{\"Name\":\"procvol\",\"Driver\":\"local\",\"Options\":"
		    "{\"type\":\"proc\",\"device\":\"proc\"}}");
	else if (strcmp(name, "relvol") == 0)
		s = fake_expand("{\"Name\":\"relvol\",\"Driver\":\"local\",\"Options\":"
		    "{\"type\":\"none\",\"o\":\"bind\",\"device\":\"../../etc\"}}");
	else if (strcmp(name, "tmpvol") == 0)
		s = fake_expand("{\"Name\":\"tmpvol\",\"Driver\":\"local\",\"Options\":"
		    "{\"type\":\"tmpfs\",\"o\":\"size=1m\",\"device\":\"tmpfs\"}}");
	else if (strcmp(name, "projvol") == 0)	/* a bind volume inside the project dir */
		s = fake_expand("{\"Name\":\"projvol\",\"Driver\":\"local\",\"Options\":"
		    "{\"type\":\"none\",\"o\":\"bind\",\"device\":\"@T@/project/data\"}}");
	else if (strcmp(name, "plainvol") == 0)
		s = fake_expand("{\"Name\":\"plainvol\",\"Driver\":\"local\",\"Options\":null}");
	else if (strcmp(name, "brokenvol") == 0) {
		dw_err_set(err, "engine unreachable");
		return -EIO;
	} else
		return -ENOENT;
	*ret = json_loads(s, 0, NULL);
	free(s);
	return *ret ? 0 : -EPROTO;
}

/*
 * Digest verification stand-in: names on the list pass, except the
 * "forged" one (a local tag over other content); an Id passes when it is
 * FAKE_GOOD_ID; "unreachable" stands for a registry that is down.
 */
static int
fake_image_verify(void *ctx, const struct authz_settings *s, const char *image,
    struct dw_err *err)
{
	if (image != NULL && strcmp(image, "docker:forged") == 0) {
		dw_err_set(err, "local docker:forged is %s, but the registry serves "
		    "%s for it", FAKE_EVIL_ID, FAKE_GOOD_ID);
		return -EACCES;
	}
	if (image != NULL && strncmp(image, "localhost:5000/tools/unreachable", 32) == 0) {
		dw_err_set(err, "could not verify it with localhost:5000: connection "
		    "refused. Retry when the registry is reachable");
		return -EIO;
	}
	if (image != NULL && strcmp(image, FAKE_GOOD_ID) == 0)
		return 0;
	if (authz_settings_image_allowed(s, image))
		return 0;
	dw_err_set(err, "image \"%s\" is not in the allowed list", image ? image : "");
	return -EACCES;
}

/*
 * "hostnet" is the host network under another name (as an id would be);
 * "appnet" and "evilnet" (bridge.name evil0) are bridges, "nonenet" the
 * null driver's, "macnet", "ipnet", "ovnet" and "plugnet" other drivers,
 * "nodriver" an answer without a Driver.
 */
static int
fake_network_inspect(void *ctx, const char *id, json_t **ret, struct dw_err *err)
{
	static const char *const nets[][2] = {
		{ "evilnet", "bridge" }, { "nonenet", "null" },
		{ "macnet", "macvlan" }, { "ipnet", "ipvlan" },
		{ "ovnet", "overlay" }, { "plugnet", "weaveworks/net-plugin:latest" },
	};
	size_t	i;

	for (i = 0; i < sizeof(nets) / sizeof(nets[0]); i++)
		if (strcmp(id, nets[i][0]) == 0) {
			*ret = json_pack("{s:s, s:s}", "Name", id, "Driver", nets[i][1]);
			return *ret ? 0 : -ENOMEM;
		}
	if (strcmp(id, "hostnet") == 0)
		*ret = json_pack("{s:s, s:s}", "Name", "host", "Driver", "host");
	else if (strcmp(id, "nodriver") == 0)
		*ret = json_pack("{s:s}", "Name", "nodriver");
	else if (strcmp(id, "appnet") == 0)
		*ret = json_pack("{s:s, s:s}", "Name", "appnet", "Driver", "bridge");
	else if (strcmp(id, "brokennet") == 0) {
		dw_err_set(err, "engine unreachable");
		return -EIO;
	} else
		return -ENOENT;
	return *ret ? 0 : -ENOMEM;
}

/* Host facts: cgroup v1 unless a test says otherwise; eth0, lo, br0 exist. */
static int fake_cgroup_v1_answer = 1;

static int
fake_cgroup_v1(void *ctx)
{
	return fake_cgroup_v1_answer;
}

static int
fake_host_interface(void *ctx, const char *name)
{
	return strcmp(name, "eth0") == 0 || strcmp(name, "lo") == 0 ||
	    strcmp(name, "br0") == 0;
}

static int fake_fds[2] = { -1, -1 };

/* Build the fake filesystem; returns 0 or -1. */
static int
fake_setup(struct authz_facts *f)
{
	char	p[256];

	snprintf(fake_dir, sizeof(fake_dir), "/tmp/dw-unit.XXXXXX");
	if (mkdtemp(fake_dir) == NULL)
		return -1;
	snprintf(fake_sock, sizeof(fake_sock), "%s/docker.sock", fake_dir);
	if ((fake_fds[0] = fake_make_socket(fake_sock)) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/containerd.sock", fake_dir);
	if ((fake_fds[1] = fake_make_socket(p)) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/hardlink.sock", fake_dir);
	if (link(fake_sock, p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/symlink.sock", fake_dir);
	if (symlink(fake_sock, p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/project", fake_dir);
	if (mkdir(p, 0755) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/etclink", fake_dir);
	if (symlink("/etc", p) < 0)
		return -1;
	snprintf(fake_own, sizeof(fake_own), "/tmp/dw-unit-own.XXXXXX");
	if (mkdtemp(fake_own) == NULL)
		return -1;
	fake_engine_sockets[0] = fake_sock;
	fake_own_paths[0] = fake_own;
	memset(f, 0, sizeof(*f));
	f->container_inspect = fake_container_inspect;
	f->volume_inspect = fake_volume_inspect;
	f->image_verify = fake_image_verify;
	f->network_inspect = fake_network_inspect;
	f->exec_inspect = fake_exec_inspect;
	f->engine_sockets = fake_engine_sockets;
	f->own_paths = fake_own_paths;
	f->cgroup_v1 = fake_cgroup_v1;
	f->host_interface = fake_host_interface;
	return 0;
}

static void
fake_teardown(void)
{
	char	cmd[128];

	if (fake_fds[0] >= 0)
		close(fake_fds[0]);
	if (fake_fds[1] >= 0)
		close(fake_fds[1]);
	if (fake_own[0] != '\0')
		rmdir(fake_own);
	if (strncmp(fake_dir, "/tmp/dw-unit.", 13) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fake_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cleanup of %s failed\n", fake_dir);
	}
}

/*
 * A table case's check (include <cmocka.h> first): d names rule (or allows,
 * for "allow"), and a denial's message has the "dockward: " prefix and the
 * rule id.
 */
static inline void
fake_expect_rule(const char *name, const char *rule, const struct authz_decision *d)
{
	if (strcmp(d->rule ? d->rule : "(null)", rule) != 0 ||
	    (strcmp(rule, "allow") == 0) != (d->verdict == AUTHZ_ALLOW))
		fail_msg("case \"%s\": want %s, got %s: %s", name, rule,
		    d->rule ? d->rule : "(null)", d->msg);
	if (d->verdict == AUTHZ_DENY &&
	    (strncmp(d->msg, "dockward: ", 10) != 0 || strstr(d->msg, d->rule) == NULL))
		fail_msg("case \"%s\": message lacks prefix/rule: %s", name, d->msg);
}

/* Content-Length of a table row: the body's length (0 without a body). */
#define FAKE_CLEN_BODY	(-2)

/*
 * Decide one request (include <cmocka.h> and authz/authz_uri.h first):
 * method and uri routed as dockerd does (an unroutable uri is passed on
 * with its error), a JSON body with "@T@" expanded (NULL: none), its
 * Content-Length header (-1: absent, FAKE_CLEN_BODY: the body's length)
 * and Content-Type (NULL: application/json when there is a body); caller
 * NULL for the plugin door.  Fills *d.
 */
static inline void
fake_decide_as(const struct authz_settings *s, const struct authz_facts *f,
    const struct authz_caller *caller, const char *method, const char *uri_s,
    const char *body_s, long long clen, const char *ctype, struct authz_decision *d)
{
	struct authz_request	 req;
	struct authz_uri		*uri = NULL;
	struct dw_err		 err;
	char			*body = NULL;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.raw_uri = uri_s;
	if (authz_uri_parse(method, uri_s, &uri, &err) < 0) {
		uri = NULL;
		req.uri_error = err.msg;
	}
	req.uri = uri;
	req.caller = caller;
	if (body_s != NULL) {
		body = fake_expand(body_s);
		assert_non_null(body);
		req.body = (const unsigned char *)body;
		req.body_len = strlen(body);
		req.content_type = ctype != NULL ? ctype : "application/json";
	}
	req.content_length = clen == FAKE_CLEN_BODY ? (long long)req.body_len : clen;
	authz_decide(s, f, &req, d);
	free(body);
	authz_uri_free(uri);
}

/*
 * Decide one request as the plugin would see it: a JSON body (or none)
 * with its Content-Length (-1 without a body).
 */
static inline void
fake_decide(const struct authz_settings *s, const struct authz_facts *f,
    const struct authz_caller *caller, const char *method, const char *uri_s,
    const char *body_s, struct authz_decision *d)
{
	fake_decide_as(s, f, caller, method, uri_s, body_s,
	    body_s != NULL ? FAKE_CLEN_BODY : -1, NULL, d);
}

/* A row of a decision table (see fake_decide_as for the fields). */
struct fake_case {
	const char	*name;
	const char	*method;
	const char	*uri;
	const char	*body;		/* template with @T@, NULL = no body */
	long long	 clen;		/* Content-Length header, -1 = absent */
	const char	*rule;		/* expected rule id, "allow" for allowed */
	const char	*ctype;		/* Content-Type; NULL: application/json with a body */
};

/* A POST row with its body's length; the same with a Content-Type. */
#define FAKE_POST(n, u, b, r)		{ n, "POST", u, b, FAKE_CLEN_BODY, r, NULL }
#define FAKE_POST_TYPE(n, u, b, t, r)	{ n, "POST", u, b, FAKE_CLEN_BODY, r, t }

/* Decide row c under s. */
static inline void
fake_run_case(const struct authz_settings *s, const struct authz_facts *f,
    const struct fake_case *c, struct authz_decision *d)
{
	fake_decide_as(s, f, NULL, c->method, c->uri, c->body, c->clen, c->ctype, d);
}

/* Decide row c under the policy text json and check its rule. */
static inline void
fake_expect_under(const char *json, const struct authz_facts *f, const struct fake_case *c)
{
	struct authz_settings	*s;
	struct authz_decision	 d;
	struct dw_err		 err;

	s = authz_settings_parse(json, strlen(json), "<policy>", &err);
	if (s == NULL)
		fail_msg("policy: %s", err.msg);
	fake_run_case(s, f, c, &d);
	fake_expect_rule(c->name, c->rule, &d);
	authz_settings_free(s);
}

/*
 * The policy the rule tables are decided under: ECI locked on, the Docker
 * socket for three image patterns (one pinned by FAKE_D64), and one
 * capability, device and kernel sysctl allowed beyond the defaults.
 */
#define FAKE_D64 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define FAKE_RULES_POLICY \
    "{\"configurationFileVersion\":2," \
    " \"enhancedContainerIsolation\":{\"value\":true,\"locked\":true," \
    "  \"dockerSocketMount\":{\"imageList\":{\"images\":[" \
    "   \"docker:cli\",\"localhost:5000/tools/*:*\",\"registry.example/pinned@" FAKE_D64 "\"]}}}," \
    " \"dockward\":{\"allowedCapabilities\":[\"NET_ADMIN\"]," \
    "  \"allowedDevices\":[\"/dev/fuse\"],\"allowedSysctls\":[\"kernel.shmmax\"]}}"

/* A group's setup: the fake facts, and *ret parsed from json.  0 or -1. */
static inline int
fake_policy_setup(struct authz_facts *f, const char *json, struct authz_settings **ret)
{
	struct dw_err	err;

	if (fake_setup(f) < 0)
		return -1;
	if ((*ret = authz_settings_parse(json, strlen(json), "<test>", &err)) == NULL) {
		fprintf(stderr, "policy: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* A group's teardown: the policy and the fake facts. */
static inline void
fake_policy_teardown(struct authz_settings *s)
{
	authz_settings_free(s);
	fake_teardown();
}

/*
 * The rule tables' fixture: a group decided under FAKE_RULES_POLICY with
 * the fake facts.  A test file passes fake_rules_setup/_teardown to
 * cmocka_run_group_tests and fake_rules_test_case to fake_case_tests.
 */
static struct authz_facts	fake_rules_facts;
static struct authz_settings	*fake_rules_policy;

static inline int
fake_rules_setup(void **state)
{
	(void)state;
	return fake_policy_setup(&fake_rules_facts, FAKE_RULES_POLICY, &fake_rules_policy);
}

static inline int
fake_rules_teardown(void **state)
{
	(void)state;
	fake_policy_teardown(fake_rules_policy);
	return 0;
}

/* Decide row c under s with the fixture's facts. */
static inline void
fake_rules_run(const struct authz_settings *s, const struct fake_case *c,
    struct authz_decision *d)
{
	fake_run_case(s, &fake_rules_facts, c, d);
}

/* One table row (the test's state) under the fixture's policy: its expected rule. */
static inline void
fake_rules_test_case(void **state)
{
	const struct fake_case	*c = *state;
	struct authz_decision	 d;

	fake_rules_run(fake_rules_policy, c, &d);
	fake_expect_rule(c->name, c->rule, &d);
}

/* One cmocka test per row into tests, named after the row, the row its state. */
static inline void
fake_case_tests(struct CMUnitTest *tests, const struct fake_case *cases, size_t n,
    CMUnitTestFunction fn)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		struct CMUnitTest t = cmocka_unit_test_prestate(fn, (void *)&cases[i]);

		t.name = cases[i].name;
		tests[i] = t;
	}
}

#endif
