/*
 * Unit tests for Docker Desktop's engine-side settings (authz_desktop.c):
 * their shapes and refusals in admin-settings.json, and the rules
 * blockDockerLoad (image.load), portBindingBehavior (container.ports) and
 * filesharingAllowedDirectories (mount.fileSharing), each with its own policy.
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

#include "authz/authz_uri.h"
#include "authz/authz_caller.h"
#include "authz/authz_decide.h"
#include "authz/authz_settings.h"
#include "fake_facts.h"

#define V2(x)	"{\"configurationFileVersion\":2," x "}"
#define ECI_ON	"\"enhancedContainerIsolation\":{\"value\":true,\"locked\":true," \
		"\"dockerSocketMount\":{\"imageList\":{\"images\":[\"docker:cli\"]}}}"

enum { P_LOAD, P_NONE, P_LOCAL, P_DEFLOCAL, P_SHARE, P_SHARELINK, P_SHAREROOT, P_HOME, NPOL };

/* Policies; "@T@" is the fake directory of fake_facts.h. */
static const char *const policy_json[NPOL] = {
	[P_LOAD] = V2(ECI_ON ",\"blockDockerLoad\":{\"value\":true,\"locked\":true}"),
	[P_NONE] = V2(ECI_ON ",\"blockDockerLoad\":{\"value\":false,\"locked\":true},"
	    "\"portBindingBehavior\":{\"value\":\"default-port-binding\",\"locked\":true}"),
	/* ECI off: these settings hold anyway. */
	[P_LOCAL] = V2("\"portBindingBehavior\":{\"value\":\"local-only-port-binding\",\"locked\":true}"),
	[P_DEFLOCAL] = V2(ECI_ON ",\"portBindingBehavior\":{\"value\":\"default-local-port-binding\",\"locked\":false}"),
	[P_SHARE] = V2(ECI_ON ",\"filesharingAllowedDirectories\":[{\"path\":\"@T@/project\","
	    "\"sharedByDefault\":true},{\"path\":\"/srv/dw-unit-none\"}]"),
	/* The shared entry is itself a symlink to the project dir. */
	[P_SHARELINK] = V2(ECI_ON ",\"filesharingAllowedDirectories\":[{\"path\":\"@T@/plink\"}]"),
	/* Everything shared: only the other mount rules remain. */
	[P_SHAREROOT] = V2(ECI_ON ",\"filesharingAllowedDirectories\":[{\"path\":\"/\"}]"),
	/* Only $HOME: whose depends on who calls. */
	[P_HOME] = V2(ECI_ON ",\"filesharingAllowedDirectories\":[{\"path\":\"$HOME\"}]"),
};

static struct authz_facts	 facts;
static struct authz_settings	*policy[NPOL];
static const struct authz_caller *case_caller;	/* the gatekeeper's caller for run_case, or NULL */

struct dcase {
	const char	*name;
	int		 pol;
	const char	*method;
	const char	*uri;
	const char	*body;		/* template with @T@, NULL = no body */
	const char	*rule;		/* expected rule id, "allow" for allowed */
};

#define C(n, p, u, b, r)	{ n, p, "POST", u, b, r }
#define CREATE		"/v1.41/containers/create"
#define HC(x)		"{\"Image\":\"busybox\",\"HostConfig\":{" x "}}"
#define PB(ip)		HC("\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"" ip "\",\"HostPort\":\"8080\"}]}")
#define BIND(src)	HC("\"Binds\":[\"" src ":/x\"]")
#define SVC(x)		"{\"Name\":\"s\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"}}" x "}"

static const struct dcase cases[] = {
	/* blockDockerLoad */
	C("load blocked", P_LOAD, "/v1.41/images/load?quiet=1", NULL, "image.load"),
	C("import from body blocked", P_LOAD, "/v1.41/images/create?fromSrc=-&repo=x", NULL, "image.load"),
	C("import from body, unversioned", P_LOAD, "/images/create?fromSrc=-", NULL, "image.load"),
	C("import fromSrc twice", P_LOAD, "/v1.41/images/create?fromSrc=http://a/x.tar&fromSrc=-", NULL, "request.uri"),
	C("import from URL left to registry rules", P_LOAD, "/v1.41/images/create?fromSrc=http://example.com/x.tar", NULL, "allow"),
	C("pull allowed", P_LOAD, "/v1.41/images/create?fromImage=busybox&tag=latest", NULL, "allow"),
	C("load, setting false", P_NONE, "/v1.41/images/load", NULL, "allow"),
	C("import, setting false", P_NONE, "/v1.41/images/create?fromSrc=-", NULL, "allow"),
	C("load, setting absent", P_LOCAL, "/v1.41/images/load", NULL, "allow"),

	/* portBindingBehavior: local-only-port-binding (ECI off) */
	C("local-only: empty HostIp", P_LOCAL, CREATE, PB(""), "container.ports"),
	C("local-only: HostIp absent", P_LOCAL, CREATE, HC("\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"8080\"}]}"), "container.ports"),
	C("local-only: 0.0.0.0", P_LOCAL, CREATE, PB("0.0.0.0"), "container.ports"),
	C("local-only: ::", P_LOCAL, CREATE, PB("::"), "container.ports"),
	C("local-only: 192.168.1.5", P_LOCAL, CREATE, PB("192.168.1.5"), "container.ports"),
	C("local-only: fe80::1", P_LOCAL, CREATE, PB("fe80::1"), "container.ports"),
	C("local-only: hostname", P_LOCAL, CREATE, PB("localhost"), "container.ports"),
	C("local-only: 127.0.0.1", P_LOCAL, CREATE, PB("127.0.0.1"), "allow"),
	C("local-only: 127.0.0.2", P_LOCAL, CREATE, PB("127.0.0.2"), "allow"),
	C("local-only: ::1", P_LOCAL, CREATE, PB("::1"), "allow"),
	C("local-only: ::ffff:127.0.0.1", P_LOCAL, CREATE, PB("::ffff:127.0.0.1"), "allow"),
	C("local-only: second binding public", P_LOCAL, CREATE, HC("\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"80\"},{\"HostIp\":\"\",\"HostPort\":\"81\"}]}"), "container.ports"),
	C("local-only: lowercase keys", P_LOCAL, CREATE, HC("\"portbindings\":{\"80/tcp\":[{\"hostip\":\"0.0.0.0\"}]}"), "container.ports"),
	C("local-only: null bindings", P_LOCAL, CREATE, HC("\"PortBindings\":{\"80/tcp\":null}"), "allow"),
	C("local-only: bindings not an array", P_LOCAL, CREATE, HC("\"PortBindings\":{\"80/tcp\":{}}"), "request.json"),
	C("local-only: duplicate HostIp", P_LOCAL, CREATE, HC("\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"hostip\":\"0.0.0.0\"}]}"), "request.json"),
	C("local-only: top-level PortBindings", P_LOCAL, CREATE, "{\"Image\":\"busybox\",\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\"}]}}", "container.ports"),
	C("local-only: PublishAllPorts", P_LOCAL, CREATE, HC("\"PublishAllPorts\":true"), "container.ports"),
	C("local-only: PublishAllPorts false", P_LOCAL, CREATE, HC("\"PublishAllPorts\":false"), "allow"),
	C("local-only: host network", P_LOCAL, CREATE, HC("\"NetworkMode\":\"host\""), "container.ports"),
	C("local-only: ECI off, privileged not checked", P_LOCAL, CREATE, HC("\"Privileged\":true"), "allow"),
	C("local-only: no body", P_LOCAL, CREATE, NULL, "request.body"),
	C("local-only: service published port", P_LOCAL, "/v1.41/services/create", SVC(",\"EndpointSpec\":{\"Ports\":[{\"Protocol\":\"tcp\",\"TargetPort\":80,\"PublishedPort\":8080}]}"), "container.ports"),
	C("local-only: service host-mode port", P_LOCAL, "/v1.41/services/abc/update?version=2", SVC(",\"EndpointSpec\":{\"Ports\":[{\"TargetPort\":80,\"PublishedPort\":8080,\"PublishMode\":\"host\"}]}"), "container.ports"),
	C("local-only: service dynamic port", P_LOCAL, "/v1.41/services/create", SVC(",\"EndpointSpec\":{\"Ports\":[{\"TargetPort\":80}]}"), "container.ports"),
	C("local-only: service without ports", P_LOCAL, "/v1.41/services/create", SVC(",\"EndpointSpec\":{\"Mode\":\"vip\",\"Ports\":[]}"), "allow"),

	/* default-local-port-binding (ECI on) */
	C("default-local: empty HostIp", P_DEFLOCAL, CREATE, PB(""), "container.ports"),
	C("default-local: 0.0.0.0", P_DEFLOCAL, CREATE, PB("0.0.0.0"), "container.ports"),
	C("default-local: ::", P_DEFLOCAL, CREATE, PB("::"), "container.ports"),
	C("default-local: not an address", P_DEFLOCAL, CREATE, PB("bogus"), "container.ports"),
	C("default-local: 127.0.0.1", P_DEFLOCAL, CREATE, PB("127.0.0.1"), "allow"),
	C("default-local: ::1", P_DEFLOCAL, CREATE, PB("::1"), "allow"),
	C("default-local: explicit 192.168.1.5", P_DEFLOCAL, CREATE, PB("192.168.1.5"), "allow"),
	C("default-local: PublishAllPorts", P_DEFLOCAL, CREATE, HC("\"PublishAllPorts\":true"), "container.ports"),
	C("default-local: service port", P_DEFLOCAL, "/v1.41/services/create", SVC(",\"EndpointSpec\":{\"Ports\":[{\"TargetPort\":80,\"PublishedPort\":8080}]}"), "container.ports"),
	C("default-port-binding: 0.0.0.0", P_NONE, CREATE, PB("0.0.0.0"), "allow"),
	C("default-port-binding: PublishAllPorts", P_NONE, CREATE, HC("\"PublishAllPorts\":true"), "allow"),

	/* filesharingAllowedDirectories */
	C("share: at the shared dir", P_SHARE, CREATE, BIND("@T@/project"), "allow"),
	C("share: under it", P_SHARE, CREATE, BIND("@T@/project/src"), "allow"),
	C("share: missing dir under it", P_SHARE, CREATE, BIND("@T@/project/new/dir"), "allow"),
	C("share: trailing slash and dot", P_SHARE, CREATE, BIND("@T@/project/./a/"), "allow"),
	C("share: symlink into it", P_SHARE, CREATE, BIND("@T@/plink/src"), "allow"),
	C("share: outside", P_SHARE, CREATE, BIND("@T@/outside"), "mount.fileSharing"),
	C("share: name prefix", P_SHARE, CREATE, BIND("@T@/projectX"), "mount.fileSharing"),
	C("share: dotdot out", P_SHARE, CREATE, BIND("@T@/project/../outside"), "mount.fileSharing"),
	C("share: symlink out", P_SHARE, CREATE, BIND("@T@/project/out"), "mount.fileSharing"),
	C("share: symlink out, missing tail", P_SHARE, CREATE, BIND("@T@/project/out/new"), "mount.fileSharing"),
	C("share: parent of the shared dir", P_SHARE, CREATE, BIND("@T@/project/.."), "mount.dockerSocket"),
	C("share: Mounts bind outside", P_SHARE, CREATE, HC("\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"@T@/outside\",\"Target\":\"/x\"}]"), "mount.fileSharing"),
	C("share: Mounts bind inside", P_SHARE, CREATE, HC("\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"@T@/project\",\"Target\":\"/x\"}]"), "allow"),
	C("share: volume with bind opts outside", P_SHARE, CREATE, HC("\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/x\",\"VolumeOptions\":{\"DriverConfig\":{\"Options\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"@T@/outside\"}}}}]"), "mount.fileSharing"),
	C("share: volume create outside", P_SHARE, "/v1.41/volumes/create", "{\"Name\":\"v\",\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"@T@/outside\"}}", "mount.fileSharing"),
	C("share: volume create inside", P_SHARE, "/v1.41/volumes/create", "{\"Name\":\"v\",\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"@T@/project/v\"}}", "allow"),
	C("share: service mount outside", P_SHARE, "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"@T@/outside\",\"Target\":\"/x\"}]}}}", "mount.fileSharing"),
	C("share: volumes-from a shared bind", P_SHARE, CREATE, HC("\"VolumesFrom\":[\"plainctr\"]"), "allow"),
	C("share: named plain volume", P_SHARE, CREATE, BIND("plainvol"), "allow"),
	C("share: protected path still first", P_SHARE, CREATE, BIND("/etc"), "mount.protectedPath"),
	C("share: root socket still refused", P_SHARE, CREATE, BIND("@T@/containerd.sock"), "mount.rootSocket"),
	C("share: socket for an allowed image", P_SHARE, CREATE, "{\"Image\":\"docker:cli\",\"HostConfig\":{\"Binds\":[\"@T@/docker.sock:/s\"]}}", "allow"),
	C("share: socket for another image", P_SHARE, CREATE, BIND("@T@/docker.sock"), "mount.dockerSocket"),
	C("sharelink: via the real path", P_SHARELINK, CREATE, BIND("@T@/project/src"), "allow"),
	C("sharelink: via the link", P_SHARELINK, CREATE, BIND("@T@/plink"), "allow"),
	C("sharelink: outside", P_SHARELINK, CREATE, BIND("@T@/outside"), "mount.fileSharing"),
	C("no share list: outside allowed", P_NONE, CREATE, BIND("@T@/outside"), "allow"),
	C("share /: outside allowed", P_SHAREROOT, CREATE, BIND("@T@/outside"), "allow"),
	C("share /: protected path still refused", P_SHAREROOT, CREATE, BIND("/etc"), "mount.protectedPath"),
};

static int
group_setup(void **state)
{
	static const char *const dirs[] = { "project/src", "outside", "projectX" };
	struct dw_err	 err;
	char		 p[256], t[256], *doc;
	size_t		 i;

	if (fake_setup(&facts) < 0)
		return -1;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", fake_dir, dirs[i]);
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -1;
	}
	snprintf(p, sizeof(p), "%s/project/out", fake_dir);
	snprintf(t, sizeof(t), "%s/outside", fake_dir);
	if (symlink(t, p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/plink", fake_dir);
	snprintf(t, sizeof(t), "%s/project", fake_dir);
	if (symlink(t, p) < 0)
		return -1;
	for (i = 0; i < NPOL; i++) {
		if ((doc = fake_expand(policy_json[i])) == NULL)
			return -1;
		policy[i] = authz_settings_parse(doc, strlen(doc), "<test>", &err);
		free(doc);
		if (policy[i] == NULL) {
			fprintf(stderr, "policy %zu: %s\n", i, err.msg);
			return -1;
		}
	}
	return 0;
}

static int
group_teardown(void **state)
{
	size_t	i;

	for (i = 0; i < NPOL; i++)
		authz_settings_free(policy[i]);
	fake_teardown();
	return 0;
}

static void
run_case(const struct dcase *c, struct authz_decision *d)
{
	fake_decide(policy[c->pol], &facts, case_caller, c->method, c->uri, c->body, d);
}

static void
test_case(void **state)
{
	const struct dcase	*c = *state;
	struct authz_decision	 d;

	run_case(c, &d);
	fake_expect_rule(c->name, c->rule, &d);
}

/*
 * "$HOME" is the calling user's home through the gatekeeper; any home
 * through the plugin and for a container, whose user the host does not know.
 */
static void
test_home(void **state)
{
	static const struct dcase own = C("own home", P_HOME, CREATE, BIND("@T@/project/src"), "");
	static const struct dcase other = C("other home", P_HOME, CREATE, BIND("/home/dw-unit-a/src"), "");
	static const struct dcase outside = C("outside", P_HOME, CREATE, BIND("/srv/dw-unit-none"), "");
	struct authz_caller	 user, nohome, ctr;
	struct authz_decision	 d;
	char			*home, *want;

	(void)state;
	home = fake_expand("@T@/project");
	assert_non_null(home);
	memset(&user, 0, sizeof(user));
	user.kind = AUTHZ_CALLER_HOST;
	user.uid = 1000;
	user.home = home;
	nohome = user;
	nohome.home = NULL;
	memset(&ctr, 0, sizeof(ctr));
	ctr.kind = AUTHZ_CALLER_CONTAINER;
	ctr.home = home;	/* a container's uid has no home on the host */

	/* The plugin: every home. */
	case_caller = NULL;
	run_case(&other, &d);
	fake_expect_rule("plugin: any home", "allow", &d);
	run_case(&outside, &d);
	fake_expect_rule("plugin: outside homes", "mount.fileSharing", &d);

	/* A host user: their own home only. */
	case_caller = &user;
	run_case(&own, &d);
	fake_expect_rule("user: own home", "allow", &d);
	run_case(&other, &d);
	fake_expect_rule("user: another home", "mount.fileSharing", &d);
	want = fake_expand("filesharingAllowedDirectories: $HOME; $HOME is @T@/project)");
	assert_non_null(want);
	if (strstr(d.msg, want) == NULL)
		fail_msg("message lacks \"%s\": %s", want, d.msg);
	free(want);

	/* A user without a home shares nothing. */
	case_caller = &nohome;
	run_case(&own, &d);
	fake_expect_rule("no home", "mount.fileSharing", &d);
	assert_non_null(strstr(d.msg, "uid 1000 has no home directory"));

	/* A container: every home, as through the plugin. */
	case_caller = &ctr;
	run_case(&other, &d);
	fake_expect_rule("container: any home", "allow", &d);
	run_case(&outside, &d);
	fake_expect_rule("container: outside homes", "mount.fileSharing", &d);
	case_caller = NULL;
	free(home);
}

/* The messages name the setting, the offending value and the fix. */
static void
test_messages(void **state)
{
	static const struct dcase load =
	    C("m", P_LOAD, "/v1.41/images/load", NULL, "image.load");
	static const struct dcase port = C("m", P_LOCAL, CREATE, PB("0.0.0.0"), "");
	static const struct dcase svc = C("m", P_LOCAL, "/v1.41/services/create",
	    SVC(",\"EndpointSpec\":{\"Ports\":[{\"TargetPort\":80,\"PublishedPort\":8080}]}"), "");
	static const struct dcase share = C("m", P_SHARE, CREATE, BIND("@T@/project/out"), "");
	struct authz_decision	d;
	char			*want;

	run_case(&load, &d);
	assert_string_equal(d.msg, "dockward: image load denied (image.load): the "
	    "admin blocks loading images from archives (blockDockerLoad). Pull "
	    "images from an allowed registry instead");
	run_case(&port, &d);
	assert_string_equal(d.field, "HostConfig.PortBindings.80/tcp[0]");
	assert_non_null(strstr(d.msg, "dockward: container create denied (container.ports): "
	    "container port 80/tcp is published on all host addresses (HostIp \"0.0.0.0\")"));
	assert_non_null(strstr(d.msg, "portBindingBehavior: local-only-port-binding"));
	assert_non_null(strstr(d.msg, "-p 127.0.0.1:8080:80"));
	run_case(&svc, &d);
	assert_string_equal(d.field, "EndpointSpec.Ports[0]");
	assert_non_null(strstr(d.msg, "target port 80 on host port 8080"));
	run_case(&share, &d);
	assert_string_equal(d.field, "HostConfig.Binds[0]");
	want = fake_expand("dockward: container create denied (mount.fileSharing): "
	    "bind mount source @T@/project/out (resolved @T@/outside) is outside the "
	    "directories the admin shares (filesharingAllowedDirectories: @T@/project, "
	    "/srv/dw-unit-none). Move the files under a shared directory or ask the admin");
	assert_string_equal(d.msg, want);
	free(want);
}

/* Parse a literal document and return it; fail with the message if refused. */
static struct authz_settings *
parse_ok(const char *json)
{
	struct authz_settings	*s;
	struct dw_err		 err;

	if ((s = authz_settings_parse(json, strlen(json), "<test>", &err)) == NULL)
		fail_msg("refused: %s\n%s", err.msg, json);
	return s;
}

static bool
has_warning(const struct authz_settings *s, const char *needle)
{
	size_t	i;

	for (i = 0; i < s->warnings.n; i++)
		if (strstr(s->warnings.v[i], needle) != NULL)
			return true;
	return false;
}

/* Docker's shapes: what is understood. */
static void
test_shapes(void **state)
{
	struct authz_settings	*s;

	s = parse_ok(V2(ECI_ON ",\"filesharingAllowedDirectories\":[{\"path\":\"$HOME\","
	    "\"sharedByDefault\":true},{\"path\":\"$TMP\"},{\"path\":\"/srv/projects/\"},"
	    "{\"path\":\"$HOME/code\"},{\"path\":\"/srv//projects\",\"note\":1}],"
	    "\"blockDockerLoad\":{\"value\":true},"
	    "\"portBindingBehavior\":{\"value\":\"default-local-port-binding\",\"locked\":true,\"x\":1}"));
	assert_true(s->desktop.block_load);
	assert_int_equal(s->desktop.ports, AUTHZ_PORTS_DEFAULT_LOCAL);
	assert_true(s->desktop.share_set);
	assert_true(s->desktop.share_home);
	assert_int_equal(s->desktop.share_paths.n, 3);
	assert_string_equal(s->desktop.share_paths.v[0], "/tmp");
	assert_string_equal(s->desktop.share_paths.v[1], "/var/tmp");
	assert_string_equal(s->desktop.share_paths.v[2], "/srv/projects");
	assert_true(has_warning(s, "filesharingAllowedDirectories[3].path: \"$HOME/code\" "
	    "names a directory of the user"));
	assert_true(has_warning(s, "unknown key filesharingAllowedDirectories[4].note, ignored"));
	assert_true(has_warning(s, "unknown key portBindingBehavior.x, ignored"));
	assert_int_equal(s->warnings.n, 3);
	authz_settings_free(s);

	/* Missing value: not applied, said so.  Empty list: nothing shared. */
	s = parse_ok(V2(ECI_ON ",\"blockDockerLoad\":{\"locked\":true},"
	    "\"filesharingAllowedDirectories\":[]"));
	assert_false(s->desktop.block_load);
	assert_true(s->desktop.share_set);
	assert_true(has_warning(s, "blockDockerLoad.value is missing, so the setting is not applied"));
	assert_true(has_warning(s, "filesharingAllowedDirectories: no directory is shared"));
	authz_settings_free(s);

	/* ECI off: the share list is not applied, and check says so. */
	s = parse_ok(V2("\"filesharingAllowedDirectories\":[{\"path\":\"/srv\"}]"));
	assert_true(has_warning(s, "filesharingAllowedDirectories: ECI is off"));
	authz_settings_free(s);

	/* Absent: defaults. */
	s = parse_ok(V2(ECI_ON));
	assert_false(s->desktop.block_load);
	assert_int_equal(s->desktop.ports, AUTHZ_PORTS_DEFAULT);
	assert_false(s->desktop.share_set);
	authz_settings_free(s);
}

/* Wrong shapes refuse the file, naming the JSON path. */
static void
test_refusals(void **state)
{
	static const struct {
		const char *doc, *msg;
	} bad[] = {
		{ V2("\"blockDockerLoad\":true"), "blockDockerLoad: expected an object" },
		{ V2("\"blockDockerLoad\":{\"value\":\"yes\"}"), "blockDockerLoad.value: expected true or false, got a string" },
		{ V2("\"blockDockerLoad\":{\"value\":true,\"locked\":1}"), "blockDockerLoad.locked: expected true or false, got an integer" },
		{ V2("\"portBindingBehavior\":\"local-only-port-binding\""), "portBindingBehavior: expected an object" },
		{ V2("\"portBindingBehavior\":{\"value\":true}"), "portBindingBehavior.value: expected a string, got true" },
		{ V2("\"portBindingBehavior\":{\"value\":\"local-only\"}"), "portBindingBehavior.value: \"local-only\" is not one of default-port-binding, default-local-port-binding, local-only-port-binding" },
		{ V2("\"filesharingAllowedDirectories\":{\"path\":\"/srv\"}"), "filesharingAllowedDirectories: expected an array" },
		{ V2("\"filesharingAllowedDirectories\":[\"/srv\"]"), "filesharingAllowedDirectories[0]: expected an object" },
		{ V2("\"filesharingAllowedDirectories\":[{\"path\":\"/a\"},{\"sharedByDefault\":true}]"), "filesharingAllowedDirectories[1].path: missing" },
		{ V2("\"filesharingAllowedDirectories\":[{\"path\":5}]"), "filesharingAllowedDirectories[0].path: expected a string, got an integer" },
		{ V2("\"filesharingAllowedDirectories\":[{\"path\":\"srv\"}]"), "filesharingAllowedDirectories[0].path: \"srv\" is not an absolute path" },
		{ V2("\"filesharingAllowedDirectories\":[{\"path\":\"/srv\",\"sharedByDefault\":\"yes\"}]"), "filesharingAllowedDirectories[0].sharedByDefault: expected true or false" },
	};
	struct authz_settings	*s;
	struct dw_err		 err;
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		s = authz_settings_parse(bad[i].doc, strlen(bad[i].doc), "<test>", &err);
		if (s != NULL || strstr(err.msg, bad[i].msg) == NULL)
			fail_msg("%s: want refusal \"%s\", got %s \"%s\"", bad[i].doc,
			    bad[i].msg, s ? "accepted" : "refusal", err.msg);
	}
}

/* `dockward check` lists what is enforced. */
static void
test_print(void **state)
{
	char	*text = NULL;
	size_t	 len = 0;
	FILE	*f;

	assert_non_null(f = open_memstream(&text, &len));
	authz_settings_print(policy[P_SHARE], f);
	fclose(f);
	assert_non_null(strstr(text, "image load and import: allowed\n"));
	assert_non_null(strstr(text, "file sharing: 2 directories\n"));
	assert_non_null(strstr(text, "  /srv/dw-unit-none\n"));
	free(text);
	text = NULL;
	assert_non_null(f = open_memstream(&text, &len));
	authz_settings_print(policy[P_LOCAL], f);
	fclose(f);
	assert_non_null(strstr(text, "port binding: local-only-port-binding\n"));
	free(text);
}

int
main(void)
{
	enum { NCASES = sizeof(cases) / sizeof(cases[0]), NMORE = 5 };
	struct CMUnitTest	tests[NCASES + NMORE];
	size_t			i;

	for (i = 0; i < NCASES; i++) {
		struct CMUnitTest t = cmocka_unit_test_prestate(test_case,
		    (void *)&cases[i]);

		t.name = cases[i].name;
		tests[i] = t;
	}
	tests[NCASES] = (struct CMUnitTest)cmocka_unit_test(test_messages);
	tests[NCASES + 1] = (struct CMUnitTest)cmocka_unit_test(test_shapes);
	tests[NCASES + 2] = (struct CMUnitTest)cmocka_unit_test(test_refusals);
	tests[NCASES + 3] = (struct CMUnitTest)cmocka_unit_test(test_print);
	tests[NCASES + 4] = (struct CMUnitTest)cmocka_unit_test(test_home);
	return _cmocka_run_group_tests("authz_settings_docker", tests,
	    NCASES + NMORE, group_setup, group_teardown);
}
