/*
 * Unit tests for authz_settings: admin-settings.json v2 and the "dockward"
 * block (values, defaults, normalization), refusals naming the JSON path,
 * warnings, the `dockward check` summary, and the ownership rules of the
 * policy file (run as root: the tests create root-owned files and chown
 * them away).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "authz/authz_settings.h"
#include "tests/unit/read_file.h"

#define D64	"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define V2(x)	"{\"configurationFileVersion\":2," x "}"
#define ECI_ON	"\"enhancedContainerIsolation\":{\"value\":true,\"locked\":true}"
#define SOCK(x)	"\"enhancedContainerIsolation\":{\"value\":true,\"dockerSocketMount\":{" x "}}"
#define IMAGES(x) SOCK("\"imageList\":{\"images\":[" x "]}")

/* Parse a literal document; the test fails with the message when it is refused. */
static struct authz_settings *
parse_ok(const char *json)
{
	struct authz_settings	*s;
	struct dw_err		 err;

	err.msg[0] = '\0';
	if ((s = authz_settings_parse(json, strlen(json), "<test>", &err)) == NULL)
		fail_msg("refused: %s\n%s", err.msg, json);
	return s;
}

/* The index of the first warning containing needle, or -1. */
static int
find_warning(const struct authz_settings *s, const char *needle)
{
	size_t	i;

	for (i = 0; i < s->warnings.n; i++)
		if (strstr(s->warnings.v[i], needle) != NULL)
			return (int)i;
	return -1;
}

/* Fail unless a warning contains needle. */
static void
assert_warning(const struct authz_settings *s, const char *needle)
{
	size_t	i;

	if (find_warning(s, needle) >= 0)
		return;
	for (i = 0; i < s->warnings.n; i++)
		fprintf(stderr, "  warning: %s\n", s->warnings.v[i]);
	fail_msg("no warning contains \"%s\"", needle);
}

/* Number of NULL-terminated default protected paths. */
static size_t
ndefault_paths(void)
{
	size_t	n = 0;

	while (authz_settings_default_protected_paths[n] != NULL)
		n++;
	return n;
}

/* The smallest valid file: version only; ECI off with a warning, defaults in place. */
static void
test_minimal(void **state)
{
	struct authz_settings	*s;
	size_t			 i;

	s = parse_ok("{\"configurationFileVersion\": 2}");
	assert_string_equal(s->origin, "<test>");
	assert_true(s->loaded_at > 0);
	assert_false(s->eci_enabled);
	assert_false(s->eci_locked);
	assert_int_equal(s->nimages, 0);
	assert_null(s->images);
	assert_false(s->allow_derived);
	assert_int_equal(s->cmdlist_type, AUTHZ_CMDLIST_NONE);
	assert_int_equal(s->commands.n, 0);
	assert_int_equal(s->refresh_seconds, 300);
	assert_int_equal(s->grace_seconds, 86400);
	assert_int_equal(s->insecure_registries.n, 0);
	assert_int_equal(s->protected_paths.n, ndefault_paths());
	for (i = 0; authz_settings_default_protected_paths[i] != NULL; i++)
		assert_string_equal(s->protected_paths.v[i],
		    authz_settings_default_protected_paths[i]);
	assert_int_equal(s->allowed_runtimes.n, 2);
	assert_string_equal(s->allowed_runtimes.v[0], "runc");
	assert_string_equal(s->allowed_runtimes.v[1], "io.containerd.runc.v2");
	assert_int_equal(s->allowed_capabilities.n, 0);
	assert_int_equal(s->allowed_devices.n, 0);
	assert_int_equal(s->allowed_sysctls.n, 0);
	assert_false(s->allow_swarm_join);
	assert_int_equal(s->warnings.n, 1);
	assert_warning(s, "enhancedContainerIsolation: absent, so ECI is off");
	authz_settings_free(s);

	/* ECI on and nothing else: no warnings at all. */
	s = parse_ok(V2(ECI_ON));
	assert_true(s->eci_enabled);
	assert_true(s->eci_locked);
	assert_int_equal(s->warnings.n, 0);
	authz_settings_free(s);
}

/* The defaults list is what the contract says, in order. */
static void
test_default_paths(void **state)
{
	static const char *const want[] = {
		"/", "/etc", "/var/lib/docker", "/var/lib/containerd", "/run",
		"/var/run", "/proc", "/sys", "/dev", "/boot", "/root", "/usr",
		"/lib", "/bin", "/sbin", "/var/lib/dockward", "/etc/dockward",
		"/run/docker/plugins",
		/* where a write becomes root code execution or a stolen credential */
		"/lib32", "/lib64", "/libx32", "/opt", "/var/lib/dpkg",
		"/var/lib/rpm", "/var/lib/apt", "/var/cache/apt",
		"/var/cache/debconf", "/var/spool", "/var/lib/systemd",
		"/var/lib/extensions", "/var/lib/polkit-1", "/var/lib/sudo",
		"/var/lib/AccountsService", "/var/lib/snapd", "/var/lib/kubelet",
		"/var/lib/etcd", "/var/lib/containers", "/var/lib/buildkit",
		"/var/log",
	};
	size_t	i;

	assert_int_equal(ndefault_paths(), sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(authz_settings_default_protected_paths[i], want[i]);
}

/* The full example of DESIGN.md §4. */
static void
test_design_example(void **state)
{
	static const char doc[] =
	    "{\n"
	    "  \"configurationFileVersion\": 2,\n"
	    "  \"enhancedContainerIsolation\": {\n"
	    "    \"value\": true, \"locked\": true,\n"
	    "    \"dockerSocketMount\": {\n"
	    "      \"imageList\": { \"images\": [\"docker.io/testcontainers/ryuk:*\", \"docker:cli\"],\n"
	    "                     \"allowDerivedImages\": true },\n"
	    "      \"commandList\": { \"type\": \"deny\", \"commands\": [\"push\", \"build\", \"image*\"] }\n"
	    "    }\n"
	    "  }\n"
	    "}\n";
	struct authz_settings	*s;

	s = parse_ok(doc);
	assert_true(s->eci_enabled);
	assert_true(s->eci_locked);
	assert_int_equal(s->nimages, 2);
	assert_string_equal(s->images[0].raw, "docker.io/testcontainers/ryuk:*");
	assert_false(s->images[0].any_image);
	assert_string_equal(s->images[0].name, "docker.io/testcontainers/ryuk");
	assert_true(s->images[0].any_tag);
	assert_null(s->images[0].tag);
	assert_null(s->images[0].digest);
	assert_string_equal(s->images[1].raw, "docker:cli");
	assert_string_equal(s->images[1].name, "docker.io/library/docker");
	assert_string_equal(s->images[1].tag, "cli");
	assert_false(s->images[1].any_tag);
	assert_null(s->images[1].digest);
	assert_true(s->allow_derived);
	assert_int_equal(s->cmdlist_type, AUTHZ_CMDLIST_DENY);
	assert_int_equal(s->commands.n, 3);
	assert_string_equal(s->commands.v[0], "push");
	assert_string_equal(s->commands.v[1], "build");
	assert_string_equal(s->commands.v[2], "image*");
	/* The gatekeeper applies command lists: no warning any more. */
	assert_int_equal(s->warnings.n, 0);
	authz_settings_free(s);
}

/* Every imageList form, normalized. */
static void
test_image_forms(void **state)
{
	static const struct {
		const char	*raw;
		bool		 any_image, any_tag;
		const char	*name, *tag, *digest;
	} cases[] = {
		{ "*", true, false, NULL, NULL, NULL },
		{ "alpine", false, false, "docker.io/library/alpine", "latest", NULL },
		{ "alpine:3.19", false, false, "docker.io/library/alpine", "3.19", NULL },
		{ "docker:cli", false, false, "docker.io/library/docker", "cli", NULL },
		{ "index.docker.io/library/docker:dind", false, false,
		    "docker.io/library/docker", "dind", NULL },
		{ "testcontainers/*:*", false, true, "docker.io/testcontainers/*", NULL, NULL },
		{ "localhost:5000/tools/*:*", false, true, "localhost:5000/tools/*", NULL, NULL },
		{ "paketobuildpacks/builder:base", false, false,
		    "docker.io/paketobuildpacks/builder", "base", NULL },
		{ "registry.example/pinned@" D64, false, false, "registry.example/pinned",
		    NULL, D64 },
		{ "registry.example/pinned:v2@" D64, false, false, "registry.example/pinned",
		    "v2", D64 },
		{ "ghcr.io/org/tool-*:v1", false, false, "ghcr.io/org/tool-*", "v1", NULL },
	};
	struct authz_settings	*s;
	char			 doc[1024];
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(doc, sizeof(doc), V2(IMAGES("\"%s\"")), cases[i].raw);
		s = parse_ok(doc);
		assert_int_equal(s->nimages, 1);
		assert_string_equal(s->images[0].raw, cases[i].raw);
		assert_int_equal(s->images[0].any_image, cases[i].any_image);
		assert_int_equal(s->images[0].any_tag, cases[i].any_tag);
#define EQ_OR_NULL(got, want) do {					\
		if ((want) == NULL)						\
			assert_null(got);					\
		else								\
			assert_string_equal((got), (want));			\
	} while (0)
		EQ_OR_NULL(s->images[0].name, cases[i].name);
		EQ_OR_NULL(s->images[0].tag, cases[i].tag);
		EQ_OR_NULL(s->images[0].digest, cases[i].digest);
#undef EQ_OR_NULL
		authz_settings_free(s);
	}
}

/* Every "dockward" key, normalized, with its warnings. */
static void
test_dockward_block(void **state)
{
	static const char doc[] = V2(ECI_ON ","
	    "\"dockward\":{"
	    " \"protectedPaths\":[\"/etc/\",\"/var//lib/./docker/../docker\",\"/srv/data\","
	    "  \"/\",\"/etc\",\"/var/lib/containerd\",\"/run\",\"/var/run\",\"/proc\","
	    "  \"/sys\",\"/dev\",\"/boot\",\"/root\",\"/usr\",\"/lib\",\"/bin\",\"/sbin\","
	    "  \"/var/lib/dockward\",\"/etc/dockward\"],"
	    " \"allowedRuntimes\":[\"runc\",\"sysbox-runc\"],"
	    " \"allowedCapabilities\":[\"cap_net_admin\",\"SYS_PTRACE\",\"Cap_Sys_Nice\",\"NET_ADMIN\",\"all\"],"
	    " \"allowedDevices\":[\"/dev/fuse\",\"/dev//net/tun/\"],"
	    " \"allowedSysctls\":[\"kernel.shmmax\",\"kernel.msgmax\"],"
	    " \"allowSwarmJoin\":true,"
	    " \"imageVerification\":{\"refreshSeconds\":60,\"graceSeconds\":3600,"
	    "  \"insecureRegistries\":[\"reg.lan:5000\"],\"caFile\":\"/etc/ssl/corp.pem\","
	    "  \"dockerConfig\":\"/root/.docker/config.json\",\"bogus\":1},"
	    " \"registryAccess\":{\"allowed\":[\"docker.io\"]},"
	    " \"imageAccess\":{},\"users\":{},\"gatekeeper\":{},"
	    " \"protectedPathz\":[]}");
	struct authz_settings	*s;

	s = parse_ok(doc);
	/* Cleaned, deduplicated ("/etc/" and "/etc"), in order. */
	assert_int_equal(s->protected_paths.n, 18);
	assert_string_equal(s->protected_paths.v[0], "/etc");
	assert_string_equal(s->protected_paths.v[1], "/var/lib/docker");
	assert_string_equal(s->protected_paths.v[2], "/srv/data");
	assert_string_equal(s->protected_paths.v[3], "/");
	/* The one default left out is named. */
	assert_warning(s, "default protected path /run/docker/plugins is not in the list");
	assert_int_equal(find_warning(s, "default protected path /etc "), -1);

	assert_int_equal(s->allowed_runtimes.n, 2);
	assert_string_equal(s->allowed_runtimes.v[0], "runc");
	assert_string_equal(s->allowed_runtimes.v[1], "sysbox-runc");

	assert_int_equal(s->allowed_capabilities.n, 4);
	assert_string_equal(s->allowed_capabilities.v[0], "NET_ADMIN");
	assert_string_equal(s->allowed_capabilities.v[1], "SYS_PTRACE");
	assert_string_equal(s->allowed_capabilities.v[2], "SYS_NICE");
	assert_string_equal(s->allowed_capabilities.v[3], "ALL");
	assert_warning(s, "dockward.allowedCapabilities[4]: \"ALL\"");

	assert_int_equal(s->allowed_devices.n, 2);
	assert_string_equal(s->allowed_devices.v[0], "/dev/fuse");
	assert_string_equal(s->allowed_devices.v[1], "/dev/net/tun");
	assert_int_equal(s->allowed_sysctls.n, 2);
	assert_string_equal(s->allowed_sysctls.v[1], "kernel.msgmax");
	assert_true(s->allow_swarm_join);

	assert_int_equal(s->refresh_seconds, 60);
	assert_int_equal(s->grace_seconds, 3600);
	assert_int_equal(s->insecure_registries.n, 1);
	assert_string_equal(s->insecure_registries.v[0], "reg.lan:5000");
	assert_string_equal(s->registry_ca_file, "/etc/ssl/corp.pem");
	assert_string_equal(s->docker_config, "/root/.docker/config.json");
	assert_warning(s, "dockward.imageVerification.insecureRegistries: registries reached over plain HTTP");
	assert_warning(s, "unknown key dockward.imageVerification.bogus, ignored");
	/* registryAccess and imageAccess are implemented now (authz_access.c). */
	assert_int_equal(find_warning(s, "dockward.registryAccess"), -1);
	assert_int_equal(find_warning(s, "dockward.imageAccess"), -1);
	assert_true(s->registry_access.present);
	assert_int_equal(s->registry_access.allowed.n, 1);
	assert_string_equal(s->registry_access.allowed.v[0], "docker.io");
	assert_true(s->image_access.present);
	assert_true(s->image_access.official);
	assert_true(s->image_access.community);
	/* "users" is implemented now; "gatekeeper" stays reserved. */
	assert_int_equal(find_warning(s, "dockward.users"), -1);
	assert_true(s->users.present);
	assert_false(s->users.restrict_connect);
	assert_int_equal(s->users.cmdlist_type, AUTHZ_CMDLIST_NONE);
	assert_warning(s, "dockward.gatekeeper: not supported");
	assert_warning(s, "unknown key dockward.protectedPathz, ignored");
	authz_settings_free(s);

	/* An empty list replaces the defaults too, and every default is named. */
	s = parse_ok(V2(ECI_ON ",\"dockward\":{\"protectedPaths\":[],\"allowedRuntimes\":[]}"));
	assert_int_equal(s->protected_paths.n, 0);
	assert_int_equal(s->allowed_runtimes.n, 0);
	assert_int_equal(s->warnings.n, ndefault_paths());
	assert_warning(s, "default protected path / is not in the list");
	authz_settings_free(s);
}

/* Refusals: NULL, and err names the JSON path and the problem. */
static void
test_errors(void **state)
{
	static const struct {
		const char	*doc;
		const char	*want[2];	/* substrings of err.msg */
	} cases[] = {
		/* wrong type for value */
		{ V2("\"enhancedContainerIsolation\":{\"value\":\"yes\"}"),
		    { "enhancedContainerIsolation.value: expected true or false, got a string" } },
		{ V2("\"enhancedContainerIsolation\":{\"value\":true,\"locked\":1}"),
		    { "enhancedContainerIsolation.locked: expected true or false, got an integer" } },
		/* the old v1 shape */
		{ V2("\"enhancedContainerIsolation\":true"),
		    { "enhancedContainerIsolation: expected an object", "got true" } },
		{ V2(SOCK("\"imageList\":[]")),
		    { "enhancedContainerIsolation.dockerSocketMount.imageList: expected an object" } },
		{ V2("\"enhancedContainerIsolation\":{\"dockerSocketMount\":null}"),
		    { "enhancedContainerIsolation.dockerSocketMount: expected an object, got null" } },
		/* imageVerification values */
		{ V2("\"dockward\":{\"imageVerification\":{\"refreshSeconds\":0}}"),
		    { "dockward.imageVerification.refreshSeconds: must be a whole number of seconds" } },
		{ V2("\"dockward\":{\"imageVerification\":{\"graceSeconds\":\"1d\"}}"),
		    { "dockward.imageVerification.graceSeconds: must be a whole number" } },
		{ V2("\"dockward\":{\"imageVerification\":{\"caFile\":\"ca.pem\"}}"),
		    { "dockward.imageVerification.caFile: expected an absolute path" } },
		{ V2("\"dockward\":{\"imageVerification\":{\"insecureRegistries\":[\"http://x\"]}}"),
		    { "insecureRegistries[0]: \"http://x\" is not a host[:port]" } },
		/* images not an array */
		{ V2(SOCK("\"imageList\":{\"images\":\"docker:cli\"}")),
		    { "enhancedContainerIsolation.dockerSocketMount.imageList.images: expected an array of strings, got a string" } },
		{ V2(IMAGES("\"docker:cli\",7")),
		    { "enhancedContainerIsolation.dockerSocketMount.imageList.images[1]: expected a string, got an integer" } },
		/* bad reference */
		{ V2(IMAGES("\"docker:cli\",\"alpine\",\"Docker:CLI\"")),
		    { "enhancedContainerIsolation.dockerSocketMount.imageList.images[2]: invalid reference \"Docker:CLI\": repository name must be lowercase" } },
		{ V2(IMAGES("\"alpine:*@" D64 "\"")),
		    { "imageList.images[0]: invalid reference", "any-tag wildcard" } },
		{ V2(IMAGES("\"*:latest@sha256:abc\"")),
		    { "imageList.images[0]: invalid reference", "lowercase hex" } },
		{ V2(IMAGES("\"\"")),
		    { "imageList.images[0]: invalid reference \"\": empty reference" } },
		{ V2(IMAGES("\"foo:v1.*\"")),
		    { "imageList.images[0]: invalid reference \"foo:v1.*\": invalid tag" } },
		{ V2(SOCK("\"imageList\":{\"images\":[],\"allowDerivedImages\":\"true\"}")),
		    { "imageList.allowDerivedImages: expected true or false" } },
		/* bad commandList.type */
		{ V2(SOCK("\"commandList\":{\"type\":\"block\",\"commands\":[\"push\"]}")),
		    { "enhancedContainerIsolation.dockerSocketMount.commandList.type: expected \"allow\" or \"deny\", got \"block\"" } },
		{ V2(SOCK("\"commandList\":{\"type\":1,\"commands\":[\"push\"]}")),
		    { "commandList.type: expected \"allow\" or \"deny\", got an integer" } },
		{ V2(SOCK("\"commandList\":{\"type\":\"deny\"}")),
		    { "enhancedContainerIsolation.dockerSocketMount.commandList.commands: missing" } },
		{ V2(SOCK("\"commandList\":{\"commands\":[\"push\"]}")),
		    { "enhancedContainerIsolation.dockerSocketMount.commandList.type: missing" } },
		{ V2(SOCK("\"commandList\":{\"type\":\"deny\",\"commands\":[\"push\",\"Push\"]}")),
		    { "commandList.commands[1]: invalid command \"Push\"" } },
		{ V2(SOCK("\"commandList\":{\"type\":\"deny\",\"commands\":[\"container  ls\"]}")),
		    { "commandList.commands[0]: invalid command" } },
		{ V2(SOCK("\"commandList\":{\"type\":\"deny\",\"commands\":[\"\"]}")),
		    { "commandList.commands[0]: invalid command \"\"" } },
		{ V2(SOCK("\"commandList\":{\"type\":\"deny\",\"commands\":[\"push \"]}")),
		    { "commandList.commands[0]: invalid command" } },
		{ V2(SOCK("\"commandList\":{\"type\":\"deny\",\"commands\":[\"/images/load\"]}")),
		    { "commandList.commands[0]: invalid command" } },
		{ V2(SOCK("\"commandList\":{\"type\":\"deny\",\"commands\":{}}")),
		    { "commandList.commands: expected an array of strings, got an object" } },
		{ V2(SOCK("\"commandList\":{\"type\":\"deny\",\"commands\":[\"push\",\"image\\tls\"]}")),
		    { "enhancedContainerIsolation.dockerSocketMount.commandList.commands[1]: invalid command" } },
		{ V2(SOCK("\"commandList\":{\"type\":\"deny\",\"commands\":[\"image_ls\"]}")),
		    { "commandList.commands[0]: invalid command \"image_ls\"" } },
		/* dockward.users */
		{ V2("\"dockward\":{\"users\":[]}"),
		    { "dockward.users: expected an object, got an array" } },
		{ V2("\"dockward\":{\"users\":{\"allowUsers\":\"alice\"}}"),
		    { "dockward.users.allowUsers: expected an array of strings, got a string" } },
		{ V2("\"dockward\":{\"users\":{\"allowGroups\":[\"root\",1001]}}"),
		    { "dockward.users.allowGroups[1]: expected a string, got an integer" } },
		{ V2("\"dockward\":{\"users\":{\"exemptUsers\":[\"\"]}}"),
		    { "dockward.users.exemptUsers[0]: empty user name" } },
		{ V2("\"dockward\":{\"users\":{\"exemptGroups\":[\"4294967295\"]}}"),
		    { "dockward.users.exemptGroups[0]: group id \"4294967295\" is out of range" } },
		{ V2("\"dockward\":{\"users\":{\"allowUsers\":[\"99999999999\"]}}"),
		    { "dockward.users.allowUsers[0]: user id \"99999999999\" is out of range" } },
		{ V2("\"dockward\":{\"users\":{\"commandList\":{\"type\":\"block\",\"commands\":[]}}}"),
		    { "dockward.users.commandList.type: expected \"allow\" or \"deny\", got \"block\"" } },
		{ V2("\"dockward\":{\"users\":{\"commandList\":{\"type\":\"deny\"}}}"),
		    { "dockward.users.commandList.commands: missing" } },
		{ V2("\"dockward\":{\"users\":{\"commandList\":{\"type\":\"deny\",\"commands\":[\"Push\"]}}}"),
		    { "dockward.users.commandList.commands[0]: invalid command \"Push\"" } },
		{ V2("\"dockward\":{\"users\":{\"commandList\":[]}}"),
		    { "dockward.users.commandList: expected an object, got an array" } },
		/* missing configurationFileVersion */
		{ "{\"enhancedContainerIsolation\":{\"value\":true}}",
		    { "configurationFileVersion: missing" } },
		/* version 1, and versions of the wrong type */
		{ "{\"configurationFileVersion\":1}",
		    { "configurationFileVersion: version 1 is not supported" } },
		{ "{\"configurationFileVersion\":3}",
		    { "configurationFileVersion: version 3 is not supported" } },
		{ "{\"configurationFileVersion\":\"2\"}",
		    { "configurationFileVersion: expected the integer 2, got a string" } },
		{ "{\"configurationFileVersion\":2.0}",
		    { "configurationFileVersion: expected the integer 2, got a number" } },
		/* not an object */
		{ "[{\"configurationFileVersion\":2}]",
		    { "top level: expected an object, got an array" } },
		{ "2", { "top level: expected an object, got an integer" } },
		/* duplicate keys (jansson's message, with line and column) */
		{ "{\"configurationFileVersion\":2,\n\"enhancedContainerIsolation\":{\"value\":true,\"value\":false}}",
		    { "line 2", "duplicate object key" } },
		{ "{\"configurationFileVersion\":2,\"configurationFileVersion\":2}",
		    { "line 1", "duplicate object key" } },
		/* syntax errors */
		{ "{\"configurationFileVersion\":2,\n  \"enhancedContainerIsolation\": {\"value\": true,}\n}",
		    { "line 2, column", NULL } },
		{ "", { "line 1", NULL } },
		{ "{\"configurationFileVersion\":2} x", { "line 1", NULL } },
		{ "\xef\xbb\xbf{\"configurationFileVersion\":2}", { "byte order mark", NULL } },
		/* protectedPaths relative, and the other dockward keys */
		{ V2("\"dockward\":{\"protectedPaths\":[\"/etc\",\"var/lib/docker\"]}"),
		    { "dockward.protectedPaths[1]: \"var/lib/docker\" is not an absolute path" } },
		{ V2("\"dockward\":{\"protectedPaths\":[\"\"]}"),
		    { "dockward.protectedPaths[0]: \"\" is not an absolute path" } },
		{ V2("\"dockward\":{\"protectedPaths\":\"/etc\"}"),
		    { "dockward.protectedPaths: expected an array of strings, got a string" } },
		{ V2("\"dockward\":[]"), { "dockward: expected an object, got an array" } },
		{ V2("\"dockward\":{\"allowedDevices\":[\"fuse\"]}"),
		    { "dockward.allowedDevices[0]: \"fuse\" is not an absolute path" } },
		{ V2("\"dockward\":{\"allowedCapabilities\":[\"NET ADMIN\"]}"),
		    { "dockward.allowedCapabilities[0]: invalid capability \"NET ADMIN\"" } },
		{ V2("\"dockward\":{\"allowedCapabilities\":[\"CAP_\"]}"),
		    { "dockward.allowedCapabilities[0]: invalid capability" } },
		{ V2("\"dockward\":{\"allowedRuntimes\":[\"runc\",\"\"]}"),
		    { "dockward.allowedRuntimes[1]: invalid runtime name \"\"" } },
		{ V2("\"dockward\":{\"allowedRuntimes\":[\"run c\"]}"),
		    { "dockward.allowedRuntimes[0]: invalid runtime name" } },
		{ V2("\"dockward\":{\"allowedSysctls\":[\"kernel.shmmax\\n\"]}"),
		    { "dockward.allowedSysctls[0]: invalid sysctl name \"kernel.shmmax\\x0a\"" } },
		{ V2("\"dockward\":{\"allowSwarmJoin\":\"no\"}"),
		    { "dockward.allowSwarmJoin: expected true or false, got a string" } },
		{ V2("\"dockward\":{\"allowBuildKit\":1}"),
		    { "dockward.allowBuildKit: expected true or false, got an integer" } },
		{ V2("\"dockward\":{\"allowedVolumeTypes\":\"nfs\"}"),
		    { "dockward.allowedVolumeTypes: expected an array of strings" } },
		{ V2("\"dockward\":{\"allowedVolumeTypes\":[\"nfs\",\"proc\"]}"),
		    { "dockward.allowedVolumeTypes[1]: \"proc\" is not a network filesystem type", "nfs, nfs4, cifs or smb3" } },
		{ V2("\"dockward\":{\"allowedVolumeTypes\":[\"overlay\"]}"),
		    { "allowedVolumeTypes[0]: \"overlay\"" } },
		{ V2("\"dockward\":{\"allowedVolumeTypes\":[\"NFS\"]}"),
		    { "allowedVolumeTypes[0]: \"NFS\"" } },
	};
	struct authz_settings	*s;
	struct dw_err		 err;
	size_t			 i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		s = authz_settings_parse(cases[i].doc, strlen(cases[i].doc), "<test>", &err);
		if (s != NULL) {
			authz_settings_free(s);
			fail_msg("case %zu accepted:\n%s", i, cases[i].doc);
		}
		for (j = 0; j < 2; j++)
			if (cases[i].want[j] != NULL &&
			    strstr(err.msg, cases[i].want[j]) == NULL)
				fail_msg("case %zu: error \"%s\" lacks \"%s\"", i,
				    err.msg, cases[i].want[j]);
		/* A NULL err is accepted too. */
		assert_null(authz_settings_parse(cases[i].doc, strlen(cases[i].doc),
		    "<test>", NULL));
	}
	/* NULL buffer and oversized input. */
	assert_null(authz_settings_parse(NULL, 0, "<test>", &err));
	{
		size_t	 n = DW_SETTINGS_MAX + 1;
		char	*big = malloc(n);

		assert_non_null(big);
		memset(big, ' ', n);
		assert_null(authz_settings_parse(big, n, "<test>", &err));
		assert_non_null(strstr(err.msg, "limit"));
		free(big);
	}
}

/* Unknown and unenforced keys warn and never fail the load. */
static void
test_warnings(void **state)
{
	static const char doc[] = V2(
	    "\"enhancedContainerIsolation\":{\"value\":true,\"locked\":false,\"mode\":\"strict\","
	    " \"dockerSocketMount\":{\"imageList\":{\"images\":[\"docker:cli\",\"*\"],\"extra\":1},"
	    "  \"commandList\":{\"type\":\"allow\",\"commands\":[],\"comment\":\"x\"},\"other\":[]}},"
	    "\"exposeDockerAPIOnTCP2375\":{\"locked\":true,\"value\":false},"
	    "\"proxy\":{\"locked\":true,\"mode\":\"system\"},"
	    "\"containersProxy\":{\"locked\":true,\"mode\":\"manual\"},"
	    "\"linuxVM\":{\"wslEngineEnabled\":{\"locked\":false,\"value\":false}},"
	    "\"blockDockerLoad\":{\"locked\":false,\"value\":true},"
	    "\"filesharingAllowedDirectories\":[{\"path\":\"$HOME\",\"sharedByDefault\":true}],"
	    "\"portBindingBehavior\":{\"locked\":true,\"value\":\"local-only-port-binding\"},"
	    "\"kubernetes\":{\"locked\":false,\"enabled\":false},"
	    "\"madeUpKey\":true,"
	    "\"bad\\u0001key\":1");
	struct authz_settings	*s;

	s = parse_ok(doc);
	assert_true(s->eci_enabled);
	assert_false(s->eci_locked);
	assert_int_equal(s->cmdlist_type, AUTHZ_CMDLIST_ALLOW);
	assert_int_equal(s->commands.n, 0);
	assert_warning(s, "unknown key enhancedContainerIsolation.mode, ignored");
	assert_warning(s, "unknown key enhancedContainerIsolation.dockerSocketMount.imageList.extra, ignored");
	assert_warning(s, "unknown key enhancedContainerIsolation.dockerSocketMount.commandList.comment, ignored");
	assert_warning(s, "unknown key enhancedContainerIsolation.dockerSocketMount.other, ignored");
	assert_warning(s, "enhancedContainerIsolation.dockerSocketMount.imageList.images[1]: \"*\" lets EVERY image mount the Docker socket");
	assert_warning(s, "commandList: an allow list with no commands blocks every Docker command");
	assert_warning(s, "exposeDockerAPIOnTCP2375: Docker Desktop setting, not enforced by this version of dockward");
	assert_warning(s, "proxy: Docker Desktop setting, not enforced");
	/* Enforced since issue 14 (air-gapped containers): no longer "not enforced". */
	assert_int_equal(find_warning(s, "containersProxy"), -1);
	assert_true(s->egress_enabled);
	assert_warning(s, "linuxVM: Docker Desktop setting");
	/* The engine-side Docker Desktop settings are enforced, not warned about. */
	assert_int_equal(find_warning(s, "blockDockerLoad"), -1);
	assert_int_equal(find_warning(s, "filesharingAllowedDirectories"), -1);
	assert_int_equal(find_warning(s, "portBindingBehavior"), -1);
	assert_true(s->desktop.block_load);
	assert_int_equal(s->desktop.ports, AUTHZ_PORTS_LOCAL_ONLY);
	assert_true(s->desktop.share_set);
	assert_warning(s, "kubernetes: Docker Desktop setting");
	assert_warning(s, "unknown key madeUpKey, ignored");
	/* Untrusted key names are escaped. */
	assert_warning(s, "unknown key bad\\x01key, ignored");
	assert_int_equal(s->warnings.n, 12);	/* no "wait for the gatekeeper" warning now */
	assert_int_equal(s->nimages, 2);
	assert_true(s->images[1].any_image);
	assert_null(s->images[1].name);
	authz_settings_free(s);
}

/* ECI switched off: honoured, but every way of saying so warns. */
static void
test_eci_off(void **state)
{
	struct authz_settings	*s;

	s = parse_ok(V2("\"enhancedContainerIsolation\":{\"value\":false,\"locked\":true}"));
	assert_false(s->eci_enabled);
	assert_int_equal(s->warnings.n, 1);
	assert_warning(s, "enhancedContainerIsolation.value is false, so ECI is off");
	authz_settings_free(s);

	s = parse_ok(V2("\"enhancedContainerIsolation\":{\"locked\":true}"));
	assert_false(s->eci_enabled);
	assert_warning(s, "enhancedContainerIsolation.value is missing, so ECI is off");
	authz_settings_free(s);

	s = parse_ok(V2("\"enhancedContainerIsolation\":{\"value\":false,"
	    "\"dockerSocketMount\":{\"imageList\":{\"images\":[\"docker:cli\"]}}}"));
	assert_false(s->eci_enabled);
	assert_int_equal(s->nimages, 1);
	assert_int_equal(s->warnings.n, 2);
	assert_warning(s, "enhancedContainerIsolation.dockerSocketMount: ECI is off, "
	    "so its image and command lists are not applied and any container "
	    "may mount the Docker socket");
	authz_settings_free(s);

	s = parse_ok(V2("\"enhancedContainerIsolation\":{\"value\":false,"
	    "\"dockerSocketMount\":{\"commandList\":{\"type\":\"deny\",\"commands\":[\"push\"]}}}"));
	assert_warning(s, "ECI is off, so its image and command lists are not applied");
	authz_settings_free(s);

	/* ECI on: no such warning. */
	s = parse_ok(V2(IMAGES("\"docker:cli\"")));
	assert_int_equal(find_warning(s, "ECI is off"), -1);
	authz_settings_free(s);
}

/*
 * containersProxy and dockward.egress: what authz keeps of them (the
 * egress module parses the rest), the shapes it checks, and the warnings.
 */
static void
test_egress(void **state)
{
	static const struct {
		const char	*doc;
		const char	*want;
	} bad[] = {
		{ V2("\"containersProxy\":true"), "containersProxy: expected an object" },
		{ V2("\"containersProxy\":null"), "containersProxy: expected an object" },
		{ V2("\"dockward\":{\"egress\":[]}"), "dockward.egress: expected an object" },
		{ V2("\"dockward\":{\"egress\":{\"udp\":\"some\"}}"),
		    "dockward.egress.udp: expected \"dns-only\", \"allow\" or \"block\", got \"some\"" },
		{ V2("\"dockward\":{\"egress\":{\"udp\":false}}"), "dockward.egress.udp: expected" },
		{ V2("\"dockward\":{\"egress\":{\"dnsServers\":\"10.0.0.53\"}}"),
		    "dockward.egress.dnsServers: expected an array of strings" },
		{ V2("\"dockward\":{\"egress\":{\"dnsServers\":[\"10.0.0.53\",\"dns.example\"]}}"),
		    "dockward.egress.dnsServers[1]: \"dns.example\" is not an IP address" },
		{ V2("\"dockward\":{\"egress\":{\"dnsServers\":[\"10.0.0.53:53\"]}}"),
		    "dockward.egress.dnsServers[0]: \"10.0.0.53:53\" is not an IP address" },
	};
	struct authz_settings	*s;
	struct dw_err		 err;
	char			*out = NULL;
	size_t			 i, len = 0;
	FILE			*f;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		s = authz_settings_parse(bad[i].doc, strlen(bad[i].doc), "<t>", &err);
		if (s != NULL)
			fail_msg("accepted: %s", bad[i].doc);
		if (strstr(err.msg, bad[i].want) == NULL)
			fail_msg("%s: got \"%s\", want \"%s\"", bad[i].doc, err.msg,
			    bad[i].want);
	}

	/* absent: off, and no references held */
	s = parse_ok(V2(ECI_ON));
	assert_false(s->egress_enabled);
	assert_null(s->containers_proxy);
	assert_null(s->egress);
	assert_true(s->egress_dns_rule);
	authz_settings_free(s);

	/* the blocks are kept (after the document is gone) for egress_policy_parse */
	s = parse_ok(V2(ECI_ON ",\"containersProxy\":{\"locked\":true,\"mode\":\"manual\","
	    "\"http\":\"\",\"https\":\"\",\"exclude\":[],\"pac\":\"http://pac.example/p.pac\","
	    "\"transparentPorts\":\"*\"},\"dockward\":{\"egress\":{\"udp\":\"dns-only\","
	    "\"dnsServers\":[\"10.0.0.53\",\"fd00::53\",\"10.0.0.53\"],\"port\":15001,"
	    "\"pacGraceSeconds\":0}}"));
	assert_true(s->egress_enabled);
	assert_non_null(s->containers_proxy);
	assert_string_equal(json_string_value(json_object_get(s->containers_proxy,
	    "pac")), "http://pac.example/p.pac");
	assert_non_null(s->egress);
	assert_int_equal(json_integer_value(json_object_get(s->egress, "port")), 15001);
	assert_int_equal(s->egress_dns.n, 2);
	assert_string_equal(s->egress_dns.v[1], "fd00::53");
	assert_true(s->egress_dns_rule);
	assert_true(authz_settings_egress_dns_allowed(s, "fd00:0::53"));
	assert_false(authz_settings_egress_dns_allowed(s, "fd00::54"));
	/* the egress module owns the other keys: authz neither warns nor refuses */
	assert_int_equal(find_warning(s, "egress"), -1);
	assert_int_equal(find_warning(s, "containersProxy"), -1);
	assert_int_equal(s->warnings.n, 0);
	f = open_memstream(&out, &len);
	assert_non_null(f);
	authz_settings_print(s, f);
	fclose(f);
	assert_non_null(strstr(out, "air-gapped containers (containersProxy): on"));
	assert_non_null(strstr(out, "--dns: only these resolvers: 2\n  10.0.0.53\n  fd00::53\n"));
	free(out);
	authz_settings_free(s);

	s = parse_ok(V2(ECI_ON ",\"containersProxy\":{},\"dockward\":{\"egress\":{\"udp\":\"allow\"}}"));
	assert_false(s->egress_dns_rule);
	authz_settings_free(s);
	s = parse_ok(V2(ECI_ON ",\"containersProxy\":{},\"dockward\":{\"egress\":{\"udp\":\"block\"}}"));
	assert_true(s->egress_dns_rule);
	assert_int_equal(s->egress_dns.n, 0);
	authz_settings_free(s);

	/* ECI off: what it means for the egress policy */
	s = parse_ok(V2("\"containersProxy\":{\"mode\":\"manual\"}"));
	assert_true(s->egress_enabled);
	assert_warning(s, "containersProxy: ECI is off, so containers may run privileged");
	assert_warning(s, "enter the host's network namespace");
	authz_settings_free(s);

	/* dockward.egress alone does nothing */
	s = parse_ok(V2(ECI_ON ",\"dockward\":{\"egress\":{\"udp\":\"block\"}}"));
	assert_false(s->egress_enabled);
	assert_non_null(s->egress);
	assert_warning(s, "dockward.egress: has no effect without containersProxy");
	authz_settings_free(s);
}

/* What `dockward check` prints. */
static void
test_print(void **state)
{
	static const char doc[] = V2(
	    "\"enhancedContainerIsolation\":{\"value\":true,\"locked\":true,"
	    " \"dockerSocketMount\":{\"imageList\":{\"images\":[\"docker.io/testcontainers/ryuk:*\","
	    "  \"docker:cli\",\"registry.example/pinned@" D64 "\"],\"allowDerivedImages\":true},"
	    "  \"commandList\":{\"type\":\"deny\",\"commands\":[\"push\",\"image*\"]}}},"
	    "\"dockward\":{\"allowedCapabilities\":[\"net_admin\"],\"allowedDevices\":[\"/dev/fuse\"]},"
	    "\"blockDockerLoad\":{\"value\":true}");
	struct authz_settings	*s;
	char			*text = NULL;
	size_t			 len = 0;
	FILE			*f;

	s = parse_ok(doc);
	assert_non_null(f = open_memstream(&text, &len));
	authz_settings_print(s, f);
	fclose(f);
	assert_non_null(strstr(text, "ECI: enabled (locked)\n"));
	assert_non_null(strstr(text, "socket image list: 3 entries\n"));
	assert_non_null(strstr(text, "  docker.io/testcontainers/ryuk:*  (any tag)\n"));
	assert_non_null(strstr(text, "  docker.io/library/docker:cli  (written \"docker:cli\")\n"));
	assert_non_null(strstr(text, "  registry.example/pinned@" D64 "\n"));
	assert_non_null(strstr(text, "derived images: allowed\n"));
	assert_non_null(strstr(text, "socket command list: deny (listed commands are blocked), 2 commands\n  push\n  image*\n"));
	assert_non_null(strstr(text, "protected paths: 39\n  /\n  /etc\n"));
	assert_non_null(strstr(text, "allowed runtimes: 2\n  runc\n  io.containerd.runc.v2\n"));
	assert_non_null(strstr(text, "allowed capabilities: 1\n  NET_ADMIN\n"));
	assert_non_null(strstr(text, "allowed devices: 1\n  /dev/fuse\n"));
	assert_non_null(strstr(text, "allowed sysctls: none"));
	assert_non_null(strstr(text, "swarm join: denied\n"));
	assert_non_null(strstr(text, "image load and import: blocked (blockDockerLoad)\n"));
	assert_non_null(strstr(text, "port binding: default-port-binding\n"));
	assert_non_null(strstr(text, "file sharing: any host directory"));
	free(text);
	authz_settings_free(s);

	/* ECI off, no lists. */
	s = parse_ok("{\"configurationFileVersion\":2}");
	text = NULL;
	assert_non_null(f = open_memstream(&text, &len));
	authz_settings_print(s, f);
	fclose(f);
	assert_non_null(strstr(text, "ECI: disabled"));
	assert_non_null(strstr(text, "socket image list: 0 entries"));
	assert_non_null(strstr(text, "socket command list: none"));
	assert_non_null(strstr(text, "warning: enhancedContainerIsolation: absent"));
	free(text);
	authz_settings_free(s);
}

/* Command patterns that name no docker command warn (typo guard); good ones do not. */
static void
test_command_typos(void **state)
{
	struct authz_settings	*s;

	s = parse_ok(V2(SOCK("\"commandList\":{\"type\":\"deny\",\"commands\":"
	    "[\"push\",\"pusj\",\"image*\",\"container ls\",\"system prune\","
	    "\"logout\",\"*\"]}")));
	assert_int_equal(s->commands.n, 7);
	assert_int_equal(s->warnings.n, 2);
	assert_warning(s, "enhancedContainerIsolation.dockerSocketMount.commandList."
	    "commands[1]: \"pusj\" matches no docker command that uses the Engine "
	    "API, so it has no effect; check the spelling");
	/* logout never reaches the engine. */
	assert_warning(s, "commandList.commands[5]: \"logout\" matches no docker command");
	authz_settings_free(s);

	s = parse_ok(V2("\"dockward\":{\"users\":{\"commandList\":{\"type\":\"allow\","
	    "\"commands\":[\"ps\",\"volume lss\"]}}}"));
	assert_warning(s, "dockward.users.commandList.commands[1]: \"volume lss\" "
	    "matches no docker command");
	assert_int_equal(find_warning(s, "commands[0]"), -1);
	authz_settings_free(s);

	/* Docker's documented wildcards are all known. */
	s = parse_ok(V2(SOCK("\"commandList\":{\"type\":\"allow\",\"commands\":"
	    "[\"container*\",\"image*\",\"volume*\",\"network*\",\"build*\",\"system*\"]}")));
	assert_int_equal(s->warnings.n, 0);
	authz_settings_free(s);
}

/* dockward.users: names and ids resolved at load, unknown names ignored with a warning. */
static void
test_users(void **state)
{
	struct authz_settings	*s;
	struct passwd		*pw;
	struct group		*gr;
	uid_t			 daemon_uid;
	gid_t			 daemon_gid;

	/* "daemon" is in every Debian base-passwd; the expected ids come from the host. */
	assert_non_null(pw = getpwnam("daemon"));
	daemon_uid = pw->pw_uid;
	assert_non_null(gr = getgrnam("daemon"));
	daemon_gid = gr->gr_gid;

	s = parse_ok(V2("\"dockward\":{\"users\":{"
	    "\"allowUsers\":[\"daemon\",\"1001\",\"no-such-user-dw\",\"1001\"],"
	    "\"allowGroups\":[\"daemon\",\"0\",\"root\",\"no-such-group-dw\"],"
	    "\"exemptUsers\":[\"root\",\"4294967294\"],\"exemptGroups\":[],"
	    "\"commandList\":{\"type\":\"deny\",\"commands\":[\"system prune\",\"push\"]},"
	    "\"comment\":\"x\"}}"));
	assert_true(s->users.present);
	assert_true(s->users.restrict_connect);
	/* In order, without duplicates, unknown names dropped. */
	assert_int_equal(s->users.nallow_uids, 2);
	assert_int_equal(s->users.allow_uids[0], daemon_uid);
	assert_int_equal(s->users.allow_uids[1], 1001);
	assert_int_equal(s->users.nallow_gids, 2);
	assert_int_equal(s->users.allow_gids[0], daemon_gid);
	assert_int_equal(s->users.allow_gids[1], 0);
	assert_int_equal(s->users.nexempt_uids, 2);
	assert_int_equal(s->users.exempt_uids[0], 0);
	assert_int_equal(s->users.exempt_uids[1], 4294967294u);
	assert_int_equal(s->users.nexempt_gids, 0);
	assert_int_equal(s->users.cmdlist_type, AUTHZ_CMDLIST_DENY);
	assert_int_equal(s->users.commands.n, 2);
	assert_string_equal(s->users.commands.v[0], "system prune");
	assert_warning(s, "dockward.users.allowUsers[2]: no user \"no-such-user-dw\" "
	    "on this host, entry ignored");
	assert_warning(s, "dockward.users.allowGroups[3]: no group \"no-such-group-dw\" "
	    "on this host, entry ignored");
	assert_warning(s, "unknown key dockward.users.comment, ignored");
	/* ECI absent, 2 unknown names, 1 unknown key. */
	assert_int_equal(s->warnings.n, 4);
	/* The socket list is separate. */
	assert_int_equal(s->cmdlist_type, AUTHZ_CMDLIST_NONE);
	authz_settings_free(s);

	/* Only unknown names: only root may connect, and that is said. */
	s = parse_ok(V2("\"dockward\":{\"users\":{\"allowUsers\":[\"no-such-user-dw\"]}}"));
	assert_true(s->users.restrict_connect);
	assert_int_equal(s->users.nallow_uids, 0);
	assert_warning(s, "dockward.users: allowUsers and allowGroups name no user or "
	    "group of this host, so only root may use the gatekeeper socket");
	authz_settings_free(s);

	/* Exemptions without a list do nothing; an empty allow list blocks everything. */
	s = parse_ok(V2("\"dockward\":{\"users\":{\"exemptGroups\":[\"root\"]}}"));
	assert_false(s->users.restrict_connect);
	assert_warning(s, "dockward.users: exemptUsers and exemptGroups have no effect "
	    "without dockward.users.commandList");
	authz_settings_free(s);
	s = parse_ok(V2("\"dockward\":{\"users\":{\"commandList\":{\"type\":\"allow\","
	    "\"commands\":[]}}}"));
	assert_int_equal(s->users.cmdlist_type, AUTHZ_CMDLIST_ALLOW);
	assert_warning(s, "dockward.users.commandList: an allow list with no commands "
	    "blocks every Docker command for host users");
	authz_settings_free(s);
	s = parse_ok(V2("\"dockward\":{\"users\":{\"commandList\":{}}}"));
	assert_int_equal(s->users.cmdlist_type, AUTHZ_CMDLIST_NONE);
	assert_warning(s, "dockward.users.commandList: empty, no command is restricted");
	authz_settings_free(s);

	/* Absent: nothing restricted. */
	s = parse_ok(V2(ECI_ON));
	assert_false(s->users.present);
	assert_false(s->users.restrict_connect);
	assert_int_equal(s->users.cmdlist_type, AUTHZ_CMDLIST_NONE);
	authz_settings_free(s);
}

/* What `dockward check` prints about dockward.users. */
static void
test_print_users(void **state)
{
	struct authz_settings	*s;
	char			*text = NULL;
	size_t			 len = 0;
	FILE			*f;

	s = parse_ok(V2(ECI_ON ",\"dockward\":{\"users\":{\"allowUsers\":[\"1001\",\"1002\"],"
	    "\"allowGroups\":[\"999\"],\"exemptUsers\":[\"1002\"],"
	    "\"commandList\":{\"type\":\"deny\",\"commands\":[\"push\"]}}}"));
	assert_non_null(f = open_memstream(&text, &len));
	authz_settings_print(s, f);
	fclose(f);
	assert_non_null(strstr(text, "gatekeeper users: only root; uids 1001, 1002; gids 999\n"));
	assert_non_null(strstr(text, "host user command list: deny (listed commands are "
	    "blocked), 1 command\n  push\n  exempt: root; uids 1002\n"));
	free(text);
	authz_settings_free(s);

	s = parse_ok(V2(ECI_ON));
	text = NULL;
	assert_non_null(f = open_memstream(&text, &len));
	authz_settings_print(s, f);
	fclose(f);
	assert_non_null(strstr(text, "gatekeeper users: any host user that can open the socket\n"));
	assert_non_null(strstr(text, "host user command list: none (every command allowed)\n"));
	assert_null(strstr(text, "exempt:"));
	free(text);
	authz_settings_free(s);
}

/* allowBuildKit and allowedVolumeTypes: parsed, warned about, printed. */
static void
test_buildkit_volume_types(void **state)
{
	struct authz_settings	*s;
	char			*text = NULL;
	size_t			 len = 0;
	FILE			*f;

	s = parse_ok(V2(ECI_ON ",\"dockward\":{\"allowBuildKit\":true,"
	    "\"allowedVolumeTypes\":[\"nfs\",\"cifs\",\"nfs\"]}"));
	assert_true(s->allow_buildkit);
	assert_int_equal(s->allowed_volume_types.n, 2);
	assert_string_equal(s->allowed_volume_types.v[0], "nfs");
	assert_string_equal(s->allowed_volume_types.v[1], "cifs");
	assert_warning(s, "dockward.allowBuildKit: BuildKit builds (POST /grpc, "
	    "/session, /build?version=2) pass without dockward seeing their steps");
	assert_warning(s, "dockward.allowedVolumeTypes: local volumes of these "
	    "types are mounted as root on the host");
	assert_non_null(f = open_memstream(&text, &len));
	authz_settings_print(s, f);
	fclose(f);
	assert_non_null(strstr(text, "network volume types: 2\n  nfs\n  cifs\n"));
	assert_non_null(strstr(text, "BuildKit (/grpc, /session, /build?version=2): "
	    "allowed, its steps unexamined (dockward.allowBuildKit)\n"));
	free(text);
	authz_settings_free(s);

	/* Defaults: BuildKit denied under ECI, no network volume types, no warnings. */
	s = parse_ok(V2(ECI_ON));
	assert_false(s->allow_buildkit);
	assert_int_equal(s->allowed_volume_types.n, 0);
	assert_int_equal(s->warnings.n, 0);
	text = NULL;
	assert_non_null(f = open_memstream(&text, &len));
	authz_settings_print(s, f);
	fclose(f);
	assert_non_null(strstr(text, "network volume types: none"));
	assert_non_null(strstr(text, "BuildKit (/grpc, /session, /build?version=2): "
	    "denied (classic builds only)\n"));
	free(text);
	authz_settings_free(s);

	/* Under ECI, allowUncheckedBuilds does not cover BuildKit, and check says so. */
	s = parse_ok(V2(ECI_ON ",\"dockward\":{\"allowUncheckedBuilds\":true,"
	    "\"registryAccess\":{\"allowed\":[\"docker.io\"]}}"));
	text = NULL;
	assert_non_null(f = open_memstream(&text, &len));
	authz_settings_print(s, f);
	fclose(f);
	assert_non_null(strstr(text, "through the gatekeeper: allowed "
	    "(dockward.allowUncheckedBuilds), except BuildKit, which under ECI needs "
	    "dockward.allowBuildKit\n"));
	assert_non_null(strstr(text, "BuildKit (/grpc, /session, /build?version=2): "
	    "denied (classic builds only)\n"));
	free(text);
	authz_settings_free(s);

	/* Without ECI or access rules BuildKit is not refused: the setting does nothing. */
	s = parse_ok(V2("\"dockward\":{\"allowBuildKit\":true}"));
	assert_warning(s, "dockward.allowBuildKit: has no effect");
	authz_settings_free(s);
}

/* The shipped example policy parses without a single warning. */
static void
test_contrib_example(void **state)
{
	struct authz_settings	*s;
	struct dw_err		 err;
	const char		*top = getenv("top_srcdir");
	char			 path[PATH_MAX], *buf;
	size_t			 n = 0;

	snprintf(path, sizeof(path), "%s/contrib/examples/admin-settings.json",
	    top != NULL ? top : ".");
	if ((buf = test_file_read(path, &n)) == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	assert_true(n > 0);
	s = authz_settings_parse(buf, n, path, &err);
	free(buf);
	if (s == NULL)
		fail_msg("%s: %s", path, err.msg);
	assert_true(s->eci_enabled);
	assert_true(s->nimages > 0);
	if (s->warnings.n != 0)
		fail_msg("%s: warning: %s", path, s->warnings.v[0]);
	authz_settings_free(s);
}

/* ---- ownership: a scratch tree under /tmp ---- */

struct tree {
	char	dir[64];	/* mkdtemp: root-owned, 0700 */
	char	file[PATH_MAX];	/* dir/admin-settings.json, 0644 */
};

static const char good_doc[] = V2(ECI_ON);

/* Write a file with mode. */
static void
write_file(const char *path, const char *text, mode_t mode)
{
	int	fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

/* A fresh scratch directory with a valid root-owned policy file in it. */
static int
tree_setup(void **state)
{
	struct tree	*t;

	if (geteuid() != 0)
		return 0;	/* the tests skip */
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/dw-settings-XXXXXX");
	if (mkdtemp(t->dir) == NULL) {
		free(t);
		return -1;
	}
	snprintf(t->file, sizeof(t->file), "%s/admin-settings.json", t->dir);
	write_file(t->file, good_doc, 0644);
	*state = t;
	return 0;
}

/* nftw callback: remove everything, deepest first, without following links. */
static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Remove the scratch directory and everything the test put there. */
static int
tree_teardown(void **state)
{
	struct tree	*t = *state;

	if (t == NULL)
		return 0;
	nftw(t->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

/* The fixture, or a skip when not root. */
static struct tree *
tree_get(void **state)
{
	if (geteuid() != 0 || *state == NULL)
		skip();
	return *state;
}

/* Fail unless check_owner gives want and (for errors) names needle. */
static void
expect_owner(const char *path, int want, const char *needle)
{
	struct dw_err	err;
	int		r;

	memset(&err, 0, sizeof(err));
	r = authz_settings_check_owner(path, &err);
	if (r != want)
		fail_msg("%s: got %d (%s), want %d", path, r, err.msg, want);
	if (needle != NULL && strstr(err.msg, needle) == NULL)
		fail_msg("%s: error \"%s\" lacks \"%s\"", path, err.msg, needle);
}

/* Root-owned 0644 file in a root-owned 0700 directory under /tmp (1777): accepted and loaded. */
static void
test_owner_ok(void **state)
{
	struct tree		*t = tree_get(state);
	struct authz_settings	*s;
	struct dw_err		 err;
	time_t			 before = time(NULL);

	expect_owner(t->file, 0, NULL);
	/* Also 0600, 0444 and 0755 are fine. */
	assert_int_equal(chmod(t->file, 0600), 0);
	expect_owner(t->file, 0, NULL);
	assert_int_equal(chmod(t->file, 0755), 0);
	expect_owner(t->file, 0, NULL);
	s = authz_settings_load(t->file, &err);
	if (s == NULL)
		fail_msg("load: %s", err.msg);
	assert_string_equal(s->origin, t->file);
	assert_true(s->loaded_at >= before);
	assert_true(s->eci_enabled);
	authz_settings_free(s);
}

/* A group/world-writable file is refused, naming path, owner, mode and fix. */
static void
test_owner_file_mode(void **state)
{
	struct tree	*t = tree_get(state);
	struct dw_err	 err;
	char		 fix[PATH_MAX * 2 + 64];

	assert_int_equal(chmod(t->file, 0666), 0);
	snprintf(fix, sizeof(fix), "chown root:root %s && chmod go-w %s", t->file, t->file);
	expect_owner(t->file, -EPERM, t->file);
	expect_owner(t->file, -EPERM, "mode 0666");
	expect_owner(t->file, -EPERM, fix);
	assert_null(authz_settings_load(t->file, &err));
	assert_non_null(strstr(err.msg, "writable by group or others"));
	assert_int_equal(chmod(t->file, 0620), 0);
	expect_owner(t->file, -EPERM, "mode 0620");
}

/* A group/world-writable directory is refused. */
static void
test_owner_dir_mode(void **state)
{
	struct tree	*t = tree_get(state);

	assert_int_equal(chmod(t->dir, 0777), 0);
	expect_owner(t->file, -EPERM, t->dir);
	expect_owner(t->file, -EPERM, "mode 0777");
	/* Sticky does not excuse the policy's own directory. */
	assert_int_equal(chmod(t->dir, 01777), 0);
	expect_owner(t->file, -EPERM, "policy's directory");
	assert_int_equal(chmod(t->dir, 0775), 0);
	expect_owner(t->file, -EPERM, "mode 0775");
	assert_int_equal(chmod(t->dir, 0755), 0);
	expect_owner(t->file, 0, NULL);
}

/* A file or directory owned by someone else is refused. */
static void
test_owner_uid(void **state)
{
	struct tree	*t = tree_get(state);

	assert_int_equal(chown(t->file, 65534, 0), 0);
	expect_owner(t->file, -EPERM, "owner uid 65534");
	expect_owner(t->file, -EPERM, "not owned by root");
	assert_int_equal(chown(t->file, 0, 0), 0);
	expect_owner(t->file, 0, NULL);
	assert_int_equal(chown(t->dir, 65534, 0), 0);
	expect_owner(t->file, -EPERM, "owner uid 65534");
	expect_owner(t->file, -EPERM, t->dir);
}

/* Symlinks are followed and everything on the way is checked. */
static void
test_owner_symlink(void **state)
{
	struct tree		*t = tree_get(state);
	struct authz_settings	*s;
	struct dw_err		 err;
	char			 bad[256], good[256], target[PATH_MAX];
	char			 link[PATH_MAX], rel[PATH_MAX];
	size_t			 i;

	/* A link to a file in a 0777 directory. */
	snprintf(bad, sizeof(bad), "%s/open", t->dir);
	assert_int_equal(mkdir(bad, 0777), 0);
	assert_int_equal(chmod(bad, 0777), 0);
	snprintf(target, sizeof(target), "%s/policy.json", bad);
	write_file(target, good_doc, 0644);
	snprintf(link, sizeof(link), "%s/link.json", t->dir);
	assert_int_equal(symlink(target, link), 0);
	expect_owner(link, -EPERM, bad);
	assert_null(authz_settings_load(link, &err));
	assert_non_null(strstr(err.msg, "writable by group or others"));

	/* A link into a safe directory, absolute and relative. */
	snprintf(good, sizeof(good), "%s/safe", t->dir);
	assert_int_equal(mkdir(good, 0755), 0);
	snprintf(target, sizeof(target), "%s/policy.json", good);
	write_file(target, good_doc, 0644);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink(target, link), 0);
	expect_owner(link, 0, NULL);
	s = authz_settings_load(link, &err);
	if (s == NULL)
		fail_msg("load via link: %s", err.msg);
	authz_settings_free(s);
	snprintf(rel, sizeof(rel), "%s/rel.json", t->dir);
	assert_int_equal(symlink("./safe/../safe/./policy.json", rel), 0);
	expect_owner(rel, 0, NULL);
	/* Passing through the open directory is refused even when ".." leaves it. */
	snprintf(rel, sizeof(rel), "%s/rel2.json", t->dir);
	assert_int_equal(symlink("open/../safe/policy.json", rel), 0);
	expect_owner(rel, -EPERM, bad);

	/* A link owned by someone else is refused. */
	assert_int_equal(lchown(link, 65534, 0), 0);
	expect_owner(link, -EPERM, "symlink");
	expect_owner(link, -EPERM, "uid 65534");

	/* Up to 40 links are followed, as by the kernel. */
	for (i = 0; i <= 40; i++) {
		snprintf(link, sizeof(link), "%s/chain%zu", t->dir, i);
		if (i == 0)
			snprintf(rel, sizeof(rel), "safe/policy.json");
		else
			snprintf(rel, sizeof(rel), "chain%zu", i - 1);
		assert_int_equal(symlink(rel, link), 0);
		expect_owner(link, i < 40 ? 0 : -ELOOP, NULL);
	}

	/* A link loop. */
	snprintf(link, sizeof(link), "%s/loop", t->dir);
	assert_int_equal(symlink("loop", link), 0);
	expect_owner(link, -ELOOP, "symbolic links");
}

/* Missing files, directories and other non-files. */
static void
test_owner_not_file(void **state)
{
	struct tree	*t = tree_get(state);
	struct dw_err	 err;
	char		 path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/missing.json", t->dir);
	expect_owner(path, -ENOENT, "missing.json");
	assert_null(authz_settings_load(path, &err));
	assert_non_null(strstr(err.msg, "no such file"));
	snprintf(path, sizeof(path), "%s/missing/x.json", t->dir);
	expect_owner(path, -ENOENT, NULL);
	expect_owner(t->dir, -EPERM, "is a directory");
	snprintf(path, sizeof(path), "%s/fifo", t->dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	expect_owner(path, -EPERM, "not a regular file");
	snprintf(path, sizeof(path), "%s/admin-settings.json/x", t->dir);
	expect_owner(path, -ENOTDIR, NULL);
	snprintf(path, sizeof(path), "%s/admin-settings.json/", t->dir);
	expect_owner(path, -ENOTDIR, NULL);
	snprintf(path, sizeof(path), "%s/", t->dir);
	expect_owner(path, -EPERM, "is a directory");
	expect_owner("", -EINVAL, NULL);
}

/* load refuses oversized and invalid files with the reason. */
static void
test_load_content(void **state)
{
	struct tree	*t = tree_get(state);
	struct dw_err	 err;
	char		*big;
	size_t		 n = DW_SETTINGS_MAX + 2;

	write_file(t->file, "{\"configurationFileVersion\":2,\n  \"x\": }\n", 0644);
	assert_null(authz_settings_load(t->file, &err));
	assert_non_null(strstr(err.msg, "line 2"));

	write_file(t->file, "{\"configurationFileVersion\":1}", 0644);
	assert_null(authz_settings_load(t->file, &err));
	assert_non_null(strstr(err.msg, "configurationFileVersion"));

	assert_non_null(big = malloc(n));
	memset(big, ' ', n - 1);
	big[n - 1] = '\0';
	big[0] = '{';
	write_file(t->file, big, 0644);
	free(big);
	assert_null(authz_settings_load(t->file, &err));
	assert_non_null(strstr(err.msg, "limit"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_default_paths),
		cmocka_unit_test(test_design_example),
		cmocka_unit_test(test_image_forms),
		cmocka_unit_test(test_dockward_block),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_eci_off),
		cmocka_unit_test(test_egress),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_command_typos),
		cmocka_unit_test(test_users),
		cmocka_unit_test(test_print_users),
		cmocka_unit_test(test_buildkit_volume_types),
		cmocka_unit_test(test_contrib_example),
		cmocka_unit_test_setup_teardown(test_owner_ok, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_owner_file_mode, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_owner_dir_mode, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_owner_uid, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_owner_symlink, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_owner_not_file, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_load_content, tree_setup, tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
