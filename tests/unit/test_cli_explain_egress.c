/*
 * Unit tests for cli_explain_egress: `dockward explain --egress` on
 * fixtures.  The engine, the resolver, the PAC server and the PAC worker
 * are fakes (struct cli_explain_egress_ops); the policy, the static
 * decision and the decider (the name proof, the cache) are the real ones.
 * Each case runs the command line through cli_explain_opts_parse and
 * cli_explain_egress_run and checks the exit status and lines of the
 * report.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <jansson.h>

#include "cli/cli_explain.h"
#include "cli/cli_explain_egress.h"
#include "authz/authz_settings.h"
#include "egress/egress_answer.h"

/* ---- fakes ---- */

/* The fake world: what the fakes answer and what they were asked. */
struct world {
	const char	*pac_script;	/* NULL: the fetch fails */
	bool		 pac_broken;	/* the script does not compile */
	int		 fetches, starts, stops, evals;
	char		 last_name[EGRESS_HOST_MAX];	/* the name the PAC saw */
};

static struct world	W;

/* Names and their addresses. */
static const struct {
	const char	*name;
	const char	*addr[2];
} names[] = {
	{ "allowed.example", { "192.0.2.10", NULL } },
	{ "blocked.example", { "192.0.2.20", NULL } },
	{ "proxied.example", { "192.0.2.30", NULL } },
	{ "two.example", { "192.0.2.40", "192.0.2.41" } },
	{ "v6.example", { "2001:db8::6", NULL } },
};

static int
fake_resolve(void *ctx, const char *name, struct egress_addr *out, size_t max)
{
	size_t	i, n = 0;

	(void)ctx;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(names[i].name, name) != 0)
			continue;
		for (n = 0; n < 2 && n < max && names[i].addr[n] != NULL; n++)
			assert_int_equal(egress_addr_parse(names[i].addr[n], &out[n]), 0);
		return (int)n;
	}
	return -ENOENT;
}

/* Containers and networks the fake engine knows. */
static const char *const containers[][2] = {
	{ "web", "{\"Id\": \"aaaaaaaaaaaabbbbbbbbbbbbccccccccccccddddddddddddeeeeeeeeeeeeffff\","
	    "\"Name\": \"/web\", \"Config\": {\"Image\": \"busybox\"},"
	    "\"HostConfig\": {\"NetworkMode\": \"default\"},"
	    "\"NetworkSettings\": {\"Networks\": {\"bridge\": {\"NetworkID\": \"n1\","
	    "\"IPAddress\": \"172.17.0.2\", \"GlobalIPv6Address\": \"fd00::2\"}}}}" },
	{ "side", "{\"Id\": \"1111\", \"Name\": \"/side\", \"Config\": {\"Image\": \"busybox\"},"
	    "\"HostConfig\": {\"NetworkMode\": \"container:web\"},"
	    "\"NetworkSettings\": {\"Networks\": {}}}" },
	{ "hostnet", "{\"Id\": \"2222\", \"Name\": \"/hostnet\", \"Config\": {\"Image\": \"x\"},"
	    "\"HostConfig\": {\"NetworkMode\": \"host\"},"
	    "\"NetworkSettings\": {\"Networks\": {\"host\": {\"NetworkID\": \"h\"}}}}" },
	{ "mv", "{\"Id\": \"3333\", \"Name\": \"/mv\", \"Config\": {\"Image\": \"x\"},"
	    "\"HostConfig\": {\"NetworkMode\": \"lan\"},"
	    "\"NetworkSettings\": {\"Networks\": {\"lan\": {\"NetworkID\": \"n2\","
	    "\"IPAddress\": \"10.9.0.5\"}}}}" },
	{ "stopped", "{\"Id\": \"4444\", \"Name\": \"/stopped\", \"Config\": {\"Image\": \"x\"},"
	    "\"HostConfig\": {\"NetworkMode\": \"default\"},"
	    "\"NetworkSettings\": {\"Networks\": {\"bridge\": {\"NetworkID\": \"n1\","
	    "\"IPAddress\": \"\"}}}}" },
};

static int
fake_engine(void *ctx, const char *sock, const char *kind, const char *id, json_t **ret,
    struct dw_err *err)
{
	const char	*text = NULL;
	size_t		 i;

	(void)ctx;
	assert_string_equal(sock, "/fake/docker.sock");
	if (strcmp(kind, "networks") == 0) {
		if (strcmp(id, "n1") == 0)
			text = "{\"Name\": \"bridge\", \"Driver\": \"bridge\"}";
		else if (strcmp(id, "n2") == 0)
			text = "{\"Name\": \"lan\", \"Driver\": \"macvlan\"}";
	} else
		for (i = 0; i < sizeof(containers) / sizeof(containers[0]); i++)
			if (strcmp(containers[i][0], id) == 0)
				text = containers[i][1];
	if (text == NULL) {
		dw_err_set(err, "no such %s", kind);
		return -ENOENT;
	}
	assert_non_null(*ret = json_loads(text, 0, NULL));
	return 0;
}

static int
fake_pac_fetch(void *ctx, const struct egress_policy *p, char **ret, size_t *ret_len,
    struct dw_err *err)
{
	(void)ctx;
	W.fetches++;
	assert_string_equal(p->pac_url, "http://pac.test/proxy.pac");
	if (W.pac_script == NULL) {
		dw_err_set(err, "HTTP 404");
		return -EIO;
	}
	assert_non_null(*ret = strdup(W.pac_script));
	*ret_len = strlen(W.pac_script);
	return 0;
}

static int
fake_pac_start(void *ctx, const char *script, size_t len, void **ret_pac,
    struct dw_err *err)
{
	(void)ctx;
	assert_int_equal(len, strlen(script));
	W.starts++;
	if (W.pac_broken) {
		dw_err_set(err, "SyntaxError: parse error (line 1)");
		return -EINVAL;
	}
	*ret_pac = &W;
	return 0;
}

/*
 * The "PAC": DIRECT for allowed.example, a proxy for proxied.example,
 * reject else; its words are spaced unlike the parsed routes' format.
 */
static int
fake_pac_eval(void *ctx, const struct egress_target *t, struct egress_answer *out,
    char *raw, size_t rawsz, struct dw_err *err)
{
	const char	*s;

	assert_ptr_equal(ctx, &W);
	W.evals++;
	snprintf(W.last_name, sizeof(W.last_name), "%s", t->name);
	if (strcmp(t->name, "allowed.example") == 0)
		s = "DIRECT";
	else if (strcmp(t->name, "proxied.example") == 0)
		s = "PROXY proxy.corp:3128;DIRECT";
	else
		s = "PROXY reject.docker.internal:1234";
	if (raw != NULL)
		snprintf(raw, rawsz, "%s", s);
	return egress_answer_parse(s, strlen(s), out, err);
}

static void
fake_pac_stop(void *ctx, void *pac)
{
	(void)ctx;
	assert_ptr_equal(pac, &W);
	W.stops++;
}

static const struct cli_explain_egress_ops fake_ops = {
	.engine_inspect = fake_engine,
	.resolve = fake_resolve,
	.pac_fetch = fake_pac_fetch,
	.pac_start = fake_pac_start,
	.pac_eval = fake_pac_eval,
	.pac_stop = fake_pac_stop,
};

/* ---- policies ---- */

#define POLICY_HEAD	"{\"configurationFileVersion\": 2, "

static const char	static_policy[] = POLICY_HEAD
    "\"containersProxy\": {\"locked\": true, \"mode\": \"manual\", \"http\": \"\","
    "\"https\": \"\", \"exclude\": [\"allowed.example\", \"10.0.0.0/8\"],"
    "\"transparentPorts\": \"*\"}, "
    "\"dockward\": {\"egress\": {\"dnsServers\": [\"192.0.2.53\"]}}}";

static const char	proxy_policy[] = POLICY_HEAD
    "\"containersProxy\": {\"mode\": \"manual\", \"http\": \"http://proxy.corp:3128\","
    "\"https\": \"\", \"exclude\": [], \"transparentPorts\": \"80,443\"}, "
    "\"dockward\": {\"egress\": {\"dnsServers\": [\"192.0.2.53\"]}}}";

static const char	pac_policy[] = POLICY_HEAD
    "\"containersProxy\": {\"mode\": \"manual\", \"pac\": \"http://pac.test/proxy.pac\","
    "\"transparentPorts\": \"*\"}, "
    "\"dockward\": {\"egress\": {\"dnsServers\": [\"192.0.2.53\"]}}}";

static const char	no_policy[] = POLICY_HEAD "\"blockDockerLoad\": {\"value\": true}}";

/* ---- running a case ---- */

struct result {
	int	rc;
	char	*out;
	char	*err;
};

/* Run `explain ARGS...` (NULL-terminated) under policy; the caller frees the result. */
static struct result
run(const char *policy, ...)
{
	struct cli_explain_opts	 o;
	struct authz_settings	*s;
	struct dw_err		 err;
	struct result		 res = { 0 };
	char			*argv[32];
	size_t			 outlen = 0, errlen = 0;
	va_list			 ap;
	FILE			*fo, *fe;
	int			 argc = 0;

	argv[argc++] = "explain";
	argv[argc++] = "--engine-socket";
	argv[argc++] = "/fake/docker.sock";
	va_start(ap, policy);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	assert_non_null(s = authz_settings_parse(policy, strlen(policy), "<test>", &err));
	assert_non_null(fo = open_memstream(&res.out, &outlen));
	assert_non_null(fe = open_memstream(&res.err, &errlen));
	if ((res.rc = cli_explain_opts_parse(argc, argv, &o, fe)) == 0) {
		struct cli_explain_egress_opts eo = { .url = o.egress_url,
		    .from = o.from, .from_ip = o.from_ip, .to_ip = o.to_ip,
		    .engine_sockets = &o.engine_sockets, .json = o.json };

		if (o.egress_url == NULL)
			fail_msg("not an --egress command line");
		res.rc = cli_explain_egress_run(&eo, s, &fake_ops, fo, fe);
		cli_explain_opts_clear(&o);
	}
	fclose(fo);
	fclose(fe);
	authz_settings_free(s);
	return res;
}

static void
result_free(struct result *r)
{
	free(r->out);
	free(r->err);
}

/* The report has line (a whole line). */
static void
has_line(const struct result *r, const char *line)
{
	const char	*p = r->out;
	size_t		 n = strlen(line);

	for (; p != NULL && *p != '\0'; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
			return;
	fail_msg("no line \"%s\" in:\n%s(stderr: %s)", line, r->out, r->err);
}

static void
has_text(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("no \"%s\" in:\n%s", needle, hay);
}

static int
setup(void **state)
{
	(void)state;
	memset(&W, 0, sizeof(W));
	W.pac_script = "function FindProxyForURL(url, host) { return \"DIRECT\"; }";
	return 0;
}

/* ---- static policy ---- */

static void
test_static_excluded(void **state)
{
	struct result	r = run(static_policy, "--egress", "https://allowed.example/path",
	    "--from-ip", "172.17.0.2", NULL);

	(void)state;
	assert_int_equal(r.rc, CLI_EXPLAIN_ALLOW);
	has_line(&r, "source: 172.17.0.2");
	has_line(&r, "destination: 192.0.2.10:443 (allowed.example)");
	has_line(&r, "name: allowed.example (sni, resolves to the destination: counts)");
	has_line(&r, "subject: yes (transparentPorts \"*\")");
	has_line(&r, "decision: direct");
	has_line(&r, "upstream: 192.0.2.10:443");
	has_line(&r, "rule: direct: allowed.example is in containersProxy.exclude "
	    "(entry \"allowed.example\")");
	assert_int_equal(W.fetches, 0);
	result_free(&r);
}

static void
test_static_refused(void **state)
{
	struct result	r = run(static_policy, "--egress", "http://blocked.example",
	    "--from-ip", "172.17.0.2", NULL);

	(void)state;
	assert_int_equal(r.rc, CLI_EXPLAIN_DENY);
	has_line(&r, "name: blocked.example (host, resolves to the destination: counts)");
	has_line(&r, "decision: refuse");
	has_line(&r, "upstream: -");
	has_text(r.out, "rule: refused: blocked.example is not in containersProxy.exclude");
	has_text(r.out, "fix: to allow it, add \"blocked.example\" (or its address "
	    "192.0.2.20) to containersProxy.exclude");
	result_free(&r);
}

/* An excluded CIDR by address, and a name on another port that does not count. */
static void
test_static_cidr_and_port(void **state)
{
	struct result	r = run(static_policy, "--egress", "10.1.2.3:5432", "--from-ip",
	    "172.17.0.2", NULL), r2;

	(void)state;
	assert_int_equal(r.rc, CLI_EXPLAIN_ALLOW);
	has_line(&r, "name: none (the URL names an address)");
	has_line(&r, "rule: direct: 10.1.2.3 is in containersProxy.exclude (entry "
	    "\"10.0.0.0/8\")");
	result_free(&r);
	/* allowed.example is excluded by name, but port 8080 carries no name. */
	r2 = run(static_policy, "--egress", "http://allowed.example:8080", "--from-ip",
	    "172.17.0.2", NULL);
	assert_int_equal(r2.rc, CLI_EXPLAIN_DENY);
	has_text(r2.out, "name: none (only ports 80 (Host header) and 443 (TLS SNI)");
	has_text(r2.out, "rule: refused: 192.0.2.10 is not in containersProxy.exclude");
	result_free(&r2);
}

/* A name that does not resolve to the destination does not count. */
static void
test_spoofed_name(void **state)
{
	struct result	r = run(static_policy, "--egress", "https://allowed.example",
	    "--to-ip", "192.0.2.99", "--from-ip", "172.17.0.2", NULL);

	(void)state;
	assert_int_equal(r.rc, CLI_EXPLAIN_DENY);
	has_line(&r, "destination: 192.0.2.99:443 (allowed.example)");
	has_line(&r, "name: allowed.example (sni, does not resolve to the destination: "
	    "decided on the address)");
	has_text(r.out, "note: the name allowed.example does not resolve to 192.0.2.99");
	has_line(&r, "decision: refuse");
	result_free(&r);
}

static void
test_static_proxy_and_ports(void **state)
{
	struct result	r = run(proxy_policy, "--egress", "https://blocked.example",
	    "--from-ip", "172.17.0.2", NULL), r2;

	(void)state;
	/* https is empty: 443 goes through the http proxy. */
	assert_int_equal(r.rc, CLI_EXPLAIN_ALLOW);
	has_line(&r, "decision: proxy");
	has_line(&r, "upstream: proxy.corp:3128");
	has_text(r.out, "rule: proxy: not in containersProxy.exclude; port 443 goes "
	    "through containersProxy.http");
	result_free(&r);
	/* 22 is not in "80,443": direct, no decision. */
	r2 = run(proxy_policy, "--egress", "tcp://blocked.example:22", "--from-ip",
	    "172.17.0.2", NULL);
	assert_int_equal(r2.rc, CLI_EXPLAIN_ALLOW);
	has_line(&r2, "subject: no (transparentPorts \"80,443\")");
	has_line(&r2, "decision: direct");
	has_text(r2.out, "rule: direct: port 22 is not in containersProxy.transparentPorts");
	has_text(r2.out, "fix: to police it, add 22");
	result_free(&r2);
}

static void
test_dns_resolver(void **state)
{
	struct result	r = run(static_policy, "--egress", "tcp://192.0.2.53:53",
	    "--from-ip", "172.17.0.2", NULL);

	(void)state;
	assert_int_equal(r.rc, CLI_EXPLAIN_ALLOW);
	has_text(r.out, "rule: direct: TCP 53 to 192.0.2.53, an allowed resolver");
	result_free(&r);
}

/* ---- PAC ---- */

static void
test_pac(void **state)
{
	struct result	r = run(pac_policy, "--egress", "https://blocked.example",
	    "--from-ip", "172.17.0.2", NULL), r2, r3;

	(void)state;
	assert_int_equal(r.rc, CLI_EXPLAIN_DENY);
	has_line(&r, "pac-call: FindProxyForURL(\"https://blocked.example:443\", "
	    "\"blocked.example\")");
	has_line(&r, "decision: refuse");
	/* The PAC's own words; the parsed answer is the routes. */
	has_line(&r, "pac-answer: PROXY reject.docker.internal:1234");
	has_line(&r, "routes: REFUSE");
	has_line(&r, "rule: refused: PROXY reject.docker.internal from the PAC at "
	    "http://pac.test/proxy.pac");
	has_text(r.out, "fix: to allow it, make FindProxyForURL(\"https://blocked.example:443\", "
	    "\"blocked.example\") in the PAC return \"DIRECT\"");
	assert_int_equal(W.fetches, 1);
	assert_int_equal(W.starts, W.stops);
	result_free(&r);

	r2 = run(pac_policy, "--egress", "http://allowed.example/x", "--from-ip",
	    "172.17.0.2", NULL);
	assert_int_equal(r2.rc, CLI_EXPLAIN_ALLOW);
	has_line(&r2, "pac-call: FindProxyForURL(\"http://allowed.example:80\", "
	    "\"allowed.example\")");
	has_line(&r2, "decision: direct");
	has_line(&r2, "pac-answer: DIRECT");
	has_text(r2.out, "from the PAC at http://pac.test/proxy.pac");
	result_free(&r2);

	r3 = run(pac_policy, "--json", "--egress", "https://proxied.example", "--from-ip",
	    "172.17.0.2", NULL);
	assert_int_equal(r3.rc, CLI_EXPLAIN_ALLOW);
	has_text(r3.out, "\"decision\":\"proxy\"");
	has_text(r3.out, "\"upstream\":\"proxy.corp:3128\"");
	has_text(r3.out, "\"routes\":\"PROXY proxy.corp:3128; DIRECT\"");
	has_text(r3.out, "\"pacAnswer\":\"PROXY proxy.corp:3128;DIRECT\"");
	has_text(r3.out, "the proxy tries the routes in order");
	assert_int_equal(W.starts, W.stops);
	result_free(&r3);
}

/* A PAC that cannot be fetched or compiled refuses everything (fail closed). */
static void
test_pac_unavailable(void **state)
{
	struct result	r, r2;

	(void)state;
	W.pac_script = NULL;
	r = run(pac_policy, "--egress", "http://allowed.example", "--from-ip", "172.17.0.2",
	    NULL);
	assert_int_equal(r.rc, CLI_EXPLAIN_DENY);
	has_line(&r, "decision: refuse");
	has_text(r.out, "rule: refused: the PAC at http://pac.test/proxy.pac cannot be "
	    "used (fetch: HTTP 404)");
	assert_int_equal(W.evals, 0);
	result_free(&r);
	W.pac_script = "function FindProxyForURL(";
	W.pac_broken = true;
	r2 = run(pac_policy, "--egress", "http://allowed.example", "--from-ip",
	    "172.17.0.2", NULL);
	assert_int_equal(r2.rc, CLI_EXPLAIN_DENY);
	has_text(r2.out, "cannot be used (SyntaxError");
	assert_int_equal(W.evals, 0);
	result_free(&r2);
}

/* ---- the container ---- */

static void
test_from_container(void **state)
{
	struct result	r = run(static_policy, "--egress", "https://allowed.example",
	    "--from", "web", NULL), r2, r3;

	(void)state;
	assert_int_equal(r.rc, CLI_EXPLAIN_ALLOW);
	has_line(&r, "source: 172.17.0.2");
	has_line(&r, "container: web (aaaaaaaaaaaa, image busybox)");
	has_line(&r, "intercepted: yes");
	result_free(&r);
	/* IPv6 destination: the container's IPv6 address; container:web shares web's. */
	r2 = run(static_policy, "--egress", "https://v6.example", "--from", "side", NULL);
	assert_int_equal(r2.rc, CLI_EXPLAIN_DENY);
	has_line(&r2, "source: fd00::2");
	has_line(&r2, "destination: [2001:db8::6]:443 (v6.example)");
	result_free(&r2);
	r3 = run(static_policy, "--json", "--egress", "https://blocked.example", "--from",
	    "/web", NULL);
	assert_int_equal(r3.rc, CLI_EXPLAIN_DENY);
	has_text(r3.out, "\"container\":{\"id\":\"aaaaaaaaaaaabbbb");
	has_text(r3.out, "\"decision\":\"refuse\"");
	has_text(r3.out, "\"nameProof\":\"counts\"");
	result_free(&r3);
}

static void
test_not_intercepted(void **state)
{
	struct result	r = run(static_policy, "--egress", "https://blocked.example",
	    "--from", "hostnet", NULL), r2;

	(void)state;
	assert_int_equal(r.rc, CLI_EXPLAIN_ALLOW);
	has_line(&r, "intercepted: no");
	has_text(r.out, "note: the container uses the host's network namespace");
	result_free(&r);
	r2 = run(static_policy, "--egress", "https://blocked.example", "--from", "mv", NULL);
	assert_int_equal(r2.rc, CLI_EXPLAIN_ALLOW);
	has_line(&r2, "intercepted: no");
	has_text(r2.out, "uses the driver \"macvlan\", not \"bridge\"");
	result_free(&r2);
}

static void
test_usage(void **state)
{
	struct result	r;

	(void)state;
	r = run(static_policy, "--egress", "ftp://x", "--from-ip", "172.17.0.2", NULL);
	assert_int_equal(r.rc, CLI_EXPLAIN_USAGE);
	has_text(r.err, "want http://, https:// or tcp://");
	result_free(&r);
	r = run(static_policy, "--egress", "blocked.example", "--from-ip", "172.17.0.2", NULL);
	assert_int_equal(r.rc, CLI_EXPLAIN_USAGE);
	has_text(r.err, "needs a port");
	result_free(&r);
	r = run(static_policy, "--egress", "http://[2001:db8::1", "--from-ip", "1.2.3.4", NULL);
	assert_int_equal(r.rc, CLI_EXPLAIN_USAGE);
	result_free(&r);
	r = run(static_policy, "--egress", "http://x:99999", "--from-ip", "1.2.3.4", NULL);
	assert_int_equal(r.rc, CLI_EXPLAIN_USAGE);
	result_free(&r);
	r = run(static_policy, "--egress", "http://nowhere.example", "--from-ip", "1.2.3.4",
	    NULL);
	assert_int_equal(r.rc, CLI_EXPLAIN_USAGE);
	has_text(r.err, "does not resolve");
	result_free(&r);
	r = run(static_policy, "--egress", "http://allowed.example", NULL);
	assert_int_equal(r.rc, CLI_EXPLAIN_USAGE);
	has_text(r.err, "--from CONTAINER or --from-ip IP");
	result_free(&r);
	r = run(static_policy, "--egress", "http://allowed.example", "--from", "ghost", NULL);
	assert_int_equal(r.rc, CLI_EXPLAIN_USAGE);
	has_text(r.err, "no such container");
	result_free(&r);
	r = run(static_policy, "--egress", "http://allowed.example", "--from", "stopped", NULL);
	assert_int_equal(r.rc, CLI_EXPLAIN_USAGE);
	has_text(r.err, "is it running?");
	result_free(&r);
	r = run(static_policy, "--egress", "http://allowed.example", "--from", "a/b", NULL);
	assert_int_equal(r.rc, CLI_EXPLAIN_USAGE);
	result_free(&r);
	r = run(static_policy, "--from", "web", "--", "docker", "ps", NULL);
	assert_int_equal(r.rc, CLI_EXPLAIN_USAGE);
	result_free(&r);
}

static void
test_no_containers_proxy(void **state)
{
	struct result	r = run(no_policy, "--egress", "https://blocked.example",
	    "--from-ip", "172.17.0.2", NULL);

	(void)state;
	assert_int_equal(r.rc, CLI_EXPLAIN_ALLOW);
	has_line(&r, "decision: direct");
	has_text(r.out, "rule: not policed: the policy has no containersProxy");
	result_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_static_excluded, setup),
		cmocka_unit_test_setup(test_static_refused, setup),
		cmocka_unit_test_setup(test_static_cidr_and_port, setup),
		cmocka_unit_test_setup(test_spoofed_name, setup),
		cmocka_unit_test_setup(test_static_proxy_and_ports, setup),
		cmocka_unit_test_setup(test_dns_resolver, setup),
		cmocka_unit_test_setup(test_pac, setup),
		cmocka_unit_test_setup(test_pac_unavailable, setup),
		cmocka_unit_test_setup(test_from_container, setup),
		cmocka_unit_test_setup(test_not_intercepted, setup),
		cmocka_unit_test_setup(test_usage, setup),
		cmocka_unit_test_setup(test_no_containers_proxy, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
