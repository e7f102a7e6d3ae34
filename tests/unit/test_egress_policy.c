/*
 * Unit tests for egress_policy.c: Docker's three documented examples and
 * the PAC example parse; transparentPorts, exclude and proxy URL
 * tables; errors that name the JSON path and the fix; the static decision
 * table; mode "system" from a fake environment; the default resolvers
 * from a temporary resolv.conf; the description.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "egress/egress_policy.h"

/* The docs' examples (eci-and-sign-in-docs.md, "Configuration examples"). */
static const char doc_block[] =
    "{\"locked\": true, \"mode\": \"manual\", \"http\": \"\", \"https\": \"\","
    " \"exclude\": [], \"transparentPorts\": \"*\"}";
static const char doc_internal[] =
    "{\"locked\": true, \"mode\": \"manual\", \"http\": \"\", \"https\": \"\","
    " \"exclude\": [\"internal.company.com\", \"10.0.0.0/8\"],"
    " \"transparentPorts\": \"80,443\"}";
static const char doc_corporate[] =
    "{\"locked\": true, \"mode\": \"manual\","
    " \"http\": \"http://corporate-proxy.company.com:8080\","
    " \"https\": \"http://corporate-proxy.company.com:8080\","
    " \"exclude\": [\"localhost\", \"*.company.local\"], \"transparentPorts\": \"*\"}";
/* The docs' PAC example (and the issue's). */
static const char doc_pac[] =
    "{\"locked\": true, \"mode\": \"manual\", \"http\": \"\", \"https\": \"\","
    " \"exclude\": [], \"pac\": \"http://192.168.1.16:62039/proxy.pac\","
    " \"transparentPorts\": \"*\"}";

static json_t *
json_or_fail(const char *s)
{
	json_error_t	 e;
	json_t		*j;

	if ((j = json_loads(s, 0, &e)) == NULL)
		fail_msg("bad test JSON (%s): %s", e.text, s);
	return j;
}

/* Parse a containersProxy text and an optional dockward.egress text. */
static int
parse(const char *cp, const char *eg, struct egress_policy **out, struct dw_err *err)
{
	json_t	*c = json_or_fail(cp), *e = eg != NULL ? json_or_fail(eg) : NULL;
	int	 r;

	err->msg[0] = '\0';
	r = egress_policy_parse(c, e, out, err);
	json_decref(c);
	json_decref(e);
	return r;
}

static struct egress_policy *
parse_ok(const char *cp, const char *eg)
{
	struct egress_policy	*p = NULL;
	struct dw_err		 err;

	if (parse(cp, eg, &p, &err) != 0)
		fail_msg("refused: %s\n%s", err.msg, cp);
	assert_non_null(p);
	return p;
}

static void
parse_fails(const char *cp, const char *eg, int want_r, const char *want)
{
	struct egress_policy	*p = (struct egress_policy *)0x1;
	struct dw_err		 err;
	int			 r;

	r = parse(cp, eg, &p, &err);
	if (r == 0)
		fail_msg("accepted: %s %s", cp, eg ? eg : "");
	if (r != want_r)
		fail_msg("%s: returned %d, expected %d (%s)", cp, r, want_r, err.msg);
	assert_ptr_equal(p, (struct egress_policy *)0x1);	/* out untouched */
	if (strstr(err.msg, want) == NULL)
		fail_msg("%s %s: message \"%s\" lacks \"%s\"", cp, eg ? eg : "", err.msg, want);
}

static struct egress_target
target(const char *ip, uint16_t port, const char *name)
{
	struct egress_target	t;

	memset(&t, 0, sizeof(t));
	assert_int_equal(egress_addr_parse(ip, &t.ip), 0);
	t.port = port;
	snprintf(t.name, sizeof(t.name), "%s", name);
	t.source = name[0] ? EGRESS_NAME_HOST : EGRESS_NAME_IP;
	return t;
}

static void
test_docs_examples(void **state)
{
	struct egress_policy	*p;

	p = parse_ok(doc_block, NULL);
	assert_true(p->locked);
	assert_int_equal(p->mode, EGRESS_MODE_MANUAL);
	assert_false(p->http.set);
	assert_false(p->https.set);
	assert_int_equal(p->nexclude, 0);
	assert_null(p->pac_url);
	assert_true(p->ports.all);
	/* The dockward.egress defaults. */
	assert_int_equal(p->udp, EGRESS_UDP_DNS_ONLY);
	assert_int_equal(p->port, EGRESS_PORT_DEFAULT);
	assert_int_equal(p->pac_refresh_s, 300);
	assert_int_equal(p->pac_grace_s, 0);
	assert_false(p->dns_explicit);
	assert_null(p->ca_file);
	egress_policy_free(p);

	p = parse_ok(doc_internal, NULL);
	assert_int_equal(p->nexclude, 2);
	assert_int_equal(p->exclude[0].kind, EGRESS_EXCLUDE_HOST);
	assert_string_equal(p->exclude[0].text, "internal.company.com");
	assert_int_equal(p->exclude[1].kind, EGRESS_EXCLUDE_CIDR);
	assert_int_equal(p->exclude[1].cidr.prefix, 8);
	assert_false(p->ports.all);
	assert_int_equal(p->ports.n, 2);
	egress_policy_free(p);

	p = parse_ok(doc_corporate, NULL);
	assert_true(p->http.set);
	assert_int_equal(p->http.kind, EGRESS_ROUTE_PROXY);
	assert_string_equal(p->http.host, "corporate-proxy.company.com");
	assert_int_equal(p->http.port, 8080);
	assert_true(p->https.set);
	assert_int_equal(p->nexclude, 2);
	assert_int_equal(p->exclude[0].kind, EGRESS_EXCLUDE_HOST);
	assert_string_equal(p->exclude[0].text, "localhost");
	assert_int_equal(p->exclude[1].kind, EGRESS_EXCLUDE_SUFFIX);
	assert_string_equal(p->exclude[1].text, ".company.local");
	egress_policy_free(p);

	p = parse_ok(doc_pac, "{\"udp\":\"block\",\"dnsServers\":[\"10.0.0.2\",\"fd00::53\"],"
	    "\"pacGraceSeconds\":60,\"pacRefreshSeconds\":30,\"port\":15999,"
	    "\"caFile\":\"/etc/dockward/pac-ca.pem\"}");
	assert_string_equal(p->pac_url, "http://192.168.1.16:62039/proxy.pac");
	assert_int_equal(p->udp, EGRESS_UDP_BLOCK);
	assert_true(p->dns_explicit);
	assert_int_equal(p->ndns, 2);
	assert_int_equal(p->dns[1].family, AF_INET6);
	assert_int_equal(p->pac_grace_s, 60);
	assert_int_equal(p->pac_refresh_s, 30);
	assert_int_equal(p->port, 15999);
	assert_string_equal(p->ca_file, "/etc/dockward/pac-ca.pem");
	egress_policy_free(p);

	/* The minimum, and Docker's schema growing: unknown keys ignored. */
	p = parse_ok("{\"newDockerKey\": {\"x\": 1}}", "{}");
	assert_true(p->ports.all);
	egress_policy_free(p);
	egress_policy_free(NULL);
}

static void
test_ports(void **state)
{
	static const struct {
		const char	*in;
		int		 r;
		const char	*msg;
		uint16_t	 yes[4], no[4];	/* 0 ends */
	} t[] = {
		{ "*", 0, "", { 1, 80, 65535 }, { 0 } },
		{ " * ", 0, "", { 1, 65535 }, { 0 } },
		{ "80,443", 0, "", { 80, 443 }, { 81, 442, 8080 } },
		{ "80, 443 ,8000-8100", 0, "", { 80, 443, 8000, 8100 }, { 7999, 8101 } },
		{ "1-65535", 0, "", { 1, 65535 }, { 0 } },
		{ "22", 0, "", { 22 }, { 21, 23 } },
		{ "5-5", 0, "", { 5 }, { 4, 6 } },
		{ "", -EINVAL, "transparentPorts: empty: write \"*\"" , { 0 }, { 0 } },
		{ "0", -EINVAL, "from 1 to 65535" , { 0 }, { 0 } },
		{ "65536", -EINVAL, "from 1 to 65535" , { 0 }, { 0 } },
		{ "100000", -EINVAL, "from 1 to 65535" , { 0 }, { 0 } },
		{ "80-", -EINVAL, "\"80-\": a range needs two ports" , { 0 }, { 0 } },
		{ "-80", -EINVAL, "a range needs two ports" , { 0 }, { 0 } },
		{ "100-90", -EINVAL, "a range goes from low to high" , { 0 }, { 0 } },
		{ "80,,443", -EINVAL, "an empty item" , { 0 }, { 0 } },
		{ "80,", -EINVAL, "an empty item" , { 0 }, { 0 } },
		{ ",80", -EINVAL, "an empty item" , { 0 }, { 0 } },
		{ "80,*", -EINVAL, "\"*\" stands alone" , { 0 }, { 0 } },
		{ "http", -EINVAL, "from 1 to 65535" , { 0 }, { 0 } },
		{ "8 0", -EINVAL, "from 1 to 65535" , { 0 }, { 0 } },
		{ "+80", -EINVAL, "from 1 to 65535" , { 0 }, { 0 } },
		{ "1-2-3", -EINVAL, "from 1 to 65535" , { 0 }, { 0 } },
	};
	struct egress_policy	*p;
	char			 js[256];
	size_t			 i, k;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(js, sizeof(js), "{\"transparentPorts\": \"%s\"}", t[i].in);
		if (t[i].r != 0) {
			parse_fails(js, NULL, t[i].r, t[i].msg);
			continue;
		}
		p = parse_ok(js, NULL);
		for (k = 0; k < 4 && t[i].yes[k] != 0; k++)
			if (!egress_ports_match(&p->ports, t[i].yes[k]))
				fail_msg("\"%s\": %u not matched", t[i].in, t[i].yes[k]);
		for (k = 0; k < 4 && t[i].no[k] != 0; k++)
			if (egress_ports_match(&p->ports, t[i].no[k]))
				fail_msg("\"%s\": %u matched", t[i].in, t[i].no[k]);
		egress_policy_free(p);
	}
	parse_fails("{\"transparentPorts\": 80}", NULL, -EINVAL,
	    "containersProxy.transparentPorts: must be a string");

	/* EGRESS_PORT_RANGES_MAX ranges fit, one more does not. */
	{
		char	big[EGRESS_PORT_RANGES_MAX * 8 + 64];
		size_t	len = (size_t)snprintf(big, sizeof(big), "{\"transparentPorts\": \"");

		for (k = 0; k < EGRESS_PORT_RANGES_MAX; k++)
			len += (size_t)snprintf(big + len, sizeof(big) - len, "%s%zu",
			    k ? "," : "", k + 1);
		snprintf(big + len, sizeof(big) - len, "\"}");
		p = parse_ok(big, NULL);
		assert_int_equal(p->ports.n, EGRESS_PORT_RANGES_MAX);
		assert_true(egress_ports_match(&p->ports, EGRESS_PORT_RANGES_MAX));
		assert_false(egress_ports_match(&p->ports, EGRESS_PORT_RANGES_MAX + 1));
		egress_policy_free(p);
		snprintf(big + len, sizeof(big) - len, ",999\"}");
		parse_fails(big, NULL, -E2BIG, "more than 64 ports");
	}
}

static void
test_exclude(void **state)
{
	static const char cp[] =
	    "{\"exclude\": [\"Internal.Company.COM\", \"*.company.local\", \".corp.example\","
	    " \"10.0.0.0/8\", \"192.168.1.7\", \"fd00::/8\", \"[::1]\", \"localhost\","
	    " \"trailing.example.\", \"<local>\"]}";
	static const struct {
		const char	*name;
		const char	*ip;
		bool		 excluded;
	} t[] = {
		{ "internal.company.com", "203.0.113.1", true },
		{ "INTERNAL.company.com", "203.0.113.1", true },
		{ "internal.company.com.", "203.0.113.1", true },
		{ "x.internal.company.com", "203.0.113.1", false },	/* exact name only */
		{ "company.local", "203.0.113.1", false },	/* subdomains only */
		{ "a.company.local", "203.0.113.1", true },
		{ "a.b.company.local", "203.0.113.1", true },
		{ "evilcompany.local", "203.0.113.1", false },
		{ "corp.example", "203.0.113.1", false },
		{ "www.corp.example", "203.0.113.1", true },
		{ "", "10.1.2.3", true },
		{ "anything.example", "10.1.2.3", true },	/* the address decides too */
		{ "", "11.1.2.3", false },
		{ "", "192.168.1.7", true },
		{ "", "192.168.1.8", false },
		{ "", "fd12::1", true },
		{ "", "fe80::1", false },
		{ "", "::1", true },
		{ "localhost", "203.0.113.1", true },
		{ "trailing.example", "203.0.113.1", true },
		{ "intranet", "203.0.113.1", true },		/* <local> */
		{ "", "203.0.113.1", false },
		{ "docker.io", "203.0.113.1", false },
	};
	struct egress_policy	*p = parse_ok(cp, NULL);
	struct egress_addr	 a;
	size_t			 i;

	assert_int_equal(p->nexclude, 10);
	assert_string_equal(p->exclude[0].text, "internal.company.com");
	assert_string_equal(p->exclude[2].text, ".corp.example");
	assert_int_equal(p->exclude[9].kind, EGRESS_EXCLUDE_PLAIN);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(egress_addr_parse(t[i].ip, &a), 0);
		if (egress_policy_excluded(p, t[i].name, &a) != t[i].excluded)
			fail_msg("%s/%s: expected %d", t[i].name, t[i].ip, t[i].excluded);
	}
	assert_false(egress_policy_excluded(p, NULL, NULL));
	assert_true(egress_policy_excluded(p, "a.company.local", NULL));
	egress_policy_free(p);

	/* One comma-separated string, as Docker's `proxy` setting writes it. */
	p = parse_ok("{\"exclude\": \"a.example, 10.0.0.0/8 ,,\"}", NULL);
	assert_int_equal(p->nexclude, 2);
	egress_policy_free(p);
}

static void
test_exclude_bad(void **state)
{
	static const struct {
		const char	*entry;
		const char	*msg;
	} t[] = {
		{ "*", "\"*\" would exclude every destination" },
		{ "", "exclude[0]: an empty entry" },
		{ "foo*.example", "wildcards only as a leading" },
		{ "*example.com", "wildcards only as a leading" },
		{ "a.*.example", "wildcards only as a leading" },
		{ "*.", "not a host name" },
		{ "host.example:8080", "ports are not supported" },
		{ "10.0.0.0/33", "at most 32" },
		{ "10.0.0.0/", "must be a number" },
		{ "1.2.3", "not an IP address" },
		{ "[zz]", "not an IP address" },
		{ "under score.example", "not a host name" },
		{ "a..b", "not a host name" },
		{ "http://x.example", "not an IP address or CIDR" },
	};
	char	js[256];
	size_t	i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(js, sizeof(js), "{\"exclude\": [\"%s\"]}", t[i].entry);
		parse_fails(js, NULL, -EINVAL, t[i].msg);
		parse_fails(js, NULL, -EINVAL, "containersProxy.exclude[0]");
	}
	parse_fails("{\"exclude\": [1]}", NULL, -EINVAL, "containersProxy.exclude[0]: must be a string");
	parse_fails("{\"exclude\": {}}", NULL, -EINVAL, "containersProxy.exclude: must be a list");

	/* EGRESS_EXCLUDES_MAX entries, then one more. */
	{
		json_t			*cp = json_object(), *arr = json_array();
		struct egress_policy	*p = NULL;
		struct dw_err		 err;
		char			 name[32];

		for (i = 0; i < EGRESS_EXCLUDES_MAX; i++) {
			snprintf(name, sizeof(name), "h%zu.example", i);
			json_array_append_new(arr, json_string(name));
		}
		json_object_set_new(cp, "exclude", arr);
		assert_int_equal(egress_policy_parse(cp, NULL, &p, &err), 0);
		assert_int_equal(p->nexclude, EGRESS_EXCLUDES_MAX);
		egress_policy_free(p);
		p = NULL;
		json_array_append_new(arr, json_string("one.more"));
		assert_int_equal(egress_policy_parse(cp, NULL, &p, &err), -E2BIG);
		assert_null(p);
		assert_non_null(strstr(err.msg, "more than 1024 entries"));
		json_decref(cp);
	}
}

static void
test_upstreams(void **state)
{
	static const struct {
		const char	*url;
		int		 kind;
		const char	*host;
		uint16_t	 port;
	} ok[] = {
		{ "http://proxy.example:3128", EGRESS_ROUTE_PROXY, "proxy.example", 3128 },
		{ "HTTP://Proxy.Example:3128/", EGRESS_ROUTE_PROXY, "proxy.example", 3128 },
		{ "http://proxy.example", EGRESS_ROUTE_PROXY, "proxy.example", 80 },
		{ "proxy.example:8080", EGRESS_ROUTE_PROXY, "proxy.example", 8080 },
		{ "10.0.0.1:3128", EGRESS_ROUTE_PROXY, "10.0.0.1", 3128 },
		{ "http://[fd00::1]:3128", EGRESS_ROUTE_PROXY, "fd00::1", 3128 },
		{ "socks5://s.example:1081", EGRESS_ROUTE_SOCKS5, "s.example", 1081 },
		{ "socks5://s.example", EGRESS_ROUTE_SOCKS5, "s.example", 1080 },
		{ "socks5h://s.example:9050", EGRESS_ROUTE_SOCKS5, "s.example", 9050 },
	};
	static const struct {
		const char	*url;
		const char	*msg;
	} bad[] = {
		{ "https://proxy.example:3128", "TLS to the proxy is not supported: write "
		    "\"http://proxy.example:3128\"" },
		{ "ftp://proxy.example", "the scheme must be http:// or socks5://" },
		{ "socks4://proxy.example", "the scheme must be" },
		{ "http://user:pw@proxy.example:3128", "credentials in a proxy URL" },
		{ "http://proxy.example:0", "not a proxy address" },
		{ "http://proxy.example:70000", "not a proxy address" },
		{ "http://proxy.example:80/path", "not a proxy address" },
		{ "http://", "not a proxy address" },
		{ "http://::1:3128", "not a proxy address" },
		{ "proxy example", "not a proxy address" },
	};
	struct egress_policy	*p;
	char			 js[512];
	size_t			 i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(js, sizeof(js), "{\"http\": \"%s\", \"https\": \"%s\"}", ok[i].url,
		    ok[i].url);
		p = parse_ok(js, NULL);
		assert_true(p->http.set);
		assert_int_equal(p->http.kind, ok[i].kind);
		assert_string_equal(p->http.host, ok[i].host);
		assert_int_equal(p->http.port, ok[i].port);
		assert_int_equal(p->https.port, ok[i].port);
		egress_policy_free(p);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(js, sizeof(js), "{\"https\": \"%s\"}", bad[i].url);
		parse_fails(js, NULL, -EINVAL, bad[i].msg);
		parse_fails(js, NULL, -EINVAL, "containersProxy.https: ");
		snprintf(js, sizeof(js), "{\"http\": \"%s\"}", bad[i].url);
		parse_fails(js, NULL, -EINVAL, "containersProxy.http: ");
	}
	parse_fails("{\"http\": 3128}", NULL, -EINVAL, "containersProxy.http: must be a string");
}

static void
test_errors(void **state)
{
	static const struct {
		const char	*cp, *eg;
		int		 r;
		const char	*msg;
	} t[] = {
		{ "[]", NULL, -EINVAL, "containersProxy: must be an object" },
		{ "{\"locked\": \"yes\"}", NULL, -EINVAL, "containersProxy.locked: must be true or false" },
		{ "{\"mode\": \"auto\"}", NULL, -EINVAL, "containersProxy.mode: \"auto\": must be \"manual\" or \"system\"" },
		{ "{\"mode\": \"system\", \"pac\": \"http://p/x.pac\"}", NULL, -EINVAL,
		    "containersProxy.pac: not used with mode \"system\"" },
		{ "{\"pac\": \"file:///etc/proxy.pac\"}", NULL, -EINVAL,
		    "containersProxy.pac: \"file:///etc/proxy.pac\": only http:// and https://" },
		{ "{\"pac\": \"ftp://h/p.pac\"}", NULL, -EINVAL, "only http:// and https://" },
		{ "{\"pac\": \"http:///p.pac\"}", NULL, -EINVAL, "the URL has no host" },
		{ "{\"pac\": \"http://h/a b.pac\"}", NULL, -EINVAL, "percent-encoded" },
		{ "{\"pac\": 1}", NULL, -EINVAL, "containersProxy.pac: must be a string" },
		{ "{}", "[]", -EINVAL, "dockward.egress: must be an object" },
		{ "{}", "{\"udp\": \"maybe\"}", -EINVAL,
		    "dockward.egress.udp: must be \"dns-only\", \"allow\" or \"block\"" },
		{ "{}", "{\"udp\": 1}", -EINVAL, "dockward.egress.udp" },
		{ "{}", "{\"dns\": []}", -EINVAL, "dockward.egress.dns: unknown key (known: udp," },
		{ "{}", "{\"dnsServers\": \"1.1.1.1\"}", -EINVAL, "dockward.egress.dnsServers: must be a list" },
		{ "{}", "{\"dnsServers\": [\"1.1.1.1\", \"dns.example\"]}", -EINVAL,
		    "dockward.egress.dnsServers[1]: must be an IP address" },
		{ "{}", "{\"dnsServers\": [\"1.1.1.1:53\"]}", -EINVAL, "dnsServers[0]" },
		{ "{}", "{\"dnsServers\": [\"1.1.1.1\",\"1.1.1.2\",\"1.1.1.3\",\"1.1.1.4\","
		    "\"1.1.1.5\",\"1.1.1.6\",\"1.1.1.7\",\"1.1.1.8\",\"1.1.1.9\",\"1.1.1.10\","
		    "\"1.1.1.11\",\"1.1.1.12\",\"1.1.1.13\",\"1.1.1.14\",\"1.1.1.15\",\"1.1.1.16\","
		    "\"1.1.1.17\"]}", -E2BIG, "more than 16 servers" },
		{ "{}", "{\"pacGraceSeconds\": -1}", -EINVAL, "dockward.egress.pacGraceSeconds: -1 is outside 0..604800" },
		{ "{}", "{\"pacGraceSeconds\": 1.5}", -EINVAL, "pacGraceSeconds: must be a whole number" },
		{ "{}", "{\"pacGraceSeconds\": \"60\"}", -EINVAL, "must be a whole number" },
		{ "{}", "{\"pacRefreshSeconds\": 1}", -EINVAL, "pacRefreshSeconds: 1 is outside 10..86400" },
		{ "{}", "{\"port\": 0}", -EINVAL, "dockward.egress.port: 0 is outside 1..65535" },
		{ "{}", "{\"port\": 65536}", -EINVAL, "port: 65536 is outside" },
		{ "{}", "{\"caFile\": \"ca.pem\"}", -EINVAL, "dockward.egress.caFile: \"ca.pem\": must be an absolute path" },
		{ "{}", "{\"caFile\": 5}", -EINVAL, "dockward.egress.caFile: must be a string" },
	};
	size_t	i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		parse_fails(t[i].cp, t[i].eg, t[i].r, t[i].msg);
}

static void
test_decide_static(void **state)
{
	static const struct {
		const char	*cp;
		const char	*ip;
		uint16_t	 port;
		const char	*name;
		const char	*answer;
	} t[] = {
		/* Block everything: nothing excluded, no proxy. */
		{ doc_block, "203.0.113.1", 80, "www.example", "REFUSE" },
		{ doc_block, "203.0.113.1", 5432, "", "REFUSE" },
		/* Internal services on 80/443 only. */
		{ doc_internal, "203.0.113.1", 443, "internal.company.com", "DIRECT" },
		{ doc_internal, "10.9.9.9", 80, "", "DIRECT" },
		{ doc_internal, "203.0.113.1", 443, "www.google.com", "REFUSE" },
		{ doc_internal, "203.0.113.1", 22, "", "DIRECT" },	/* not a transparent port */
		/* Corporate proxy. */
		{ doc_corporate, "203.0.113.1", 443, "docker.io",
		    "PROXY corporate-proxy.company.com:8080" },
		{ doc_corporate, "203.0.113.1", 5000, "",
		    "PROXY corporate-proxy.company.com:8080" },
		{ doc_corporate, "10.0.0.5", 80, "git.company.local", "DIRECT" },
		/* Per-port proxies, and the other one when one is empty. */
		{ "{\"http\": \"h.example:1\", \"https\": \"socks5://s.example:2\"}",
		    "203.0.113.1", 443, "", "SOCKS5 s.example:2" },
		{ "{\"http\": \"h.example:1\", \"https\": \"socks5://s.example:2\"}",
		    "203.0.113.1", 80, "", "PROXY h.example:1" },
		{ "{\"http\": \"h.example:1\"}", "203.0.113.1", 443, "", "PROXY h.example:1" },
		{ "{\"https\": \"h.example:2\"}", "203.0.113.1", 80, "", "PROXY h.example:2" },
		{ "{\"https\": \"[fd00::3]:3128\"}", "2001:db8::1", 80, "", "PROXY [fd00::3]:3128" },
	};
	struct egress_policy	*p;
	struct egress_target	 tg;
	struct egress_answer	 a;
	char			 buf[EGRESS_ANSWER_MAX];
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		p = parse_ok(t[i].cp, NULL);
		tg = target(t[i].ip, t[i].port, t[i].name);
		memset(&a, 0xee, sizeof(a));
		egress_policy_decide_static(p, &tg, &a);
		assert_int_equal(a.n, 1);
		egress_answer_format(&a, buf, sizeof(buf));
		if (strcmp(buf, t[i].answer) != 0)
			fail_msg("case %zu (%s:%u %s): \"%s\", expected \"%s\"", i, t[i].ip,
			    t[i].port, t[i].name, buf, t[i].answer);
		egress_policy_free(p);
	}
}

/* A fake environment: "NAME=value" pairs. */
static const char *const *fake_env;

static const char *
fake_get(const char *name)
{
	size_t	i, n = strlen(name);

	for (i = 0; fake_env[i] != NULL; i++)
		if (strncmp(fake_env[i], name, n) == 0 && fake_env[i][n] == '=')
			return fake_env[i] + n + 1;
	return NULL;
}

static void
test_system(void **state)
{
	static const char *const env1[] = {
		"http_proxy=http://lower.example:1", "HTTP_PROXY=http://upper.example:3128",
		"https_proxy=socks5://s.example:1080",
		"NO_PROXY=", "no_proxy=corp.example, .svc.example,*.k8s.example,10.0.0.0/8,"
		    "[fd00::1],<local>",
		NULL,
	};
	static const char *const env_bad[] = { "HTTPS_PROXY=https://p.example:443", NULL };
	static const char *const env_star[] = { "no_proxy=*", NULL };
	static const char *const env_port[] = { "no_proxy=a.example:8080", NULL };
	static const char *const env_none[] = { NULL };
	struct egress_policy	*p;
	struct egress_addr	 a;
	struct dw_err		 err;

	p = parse_ok("{\"mode\": \"system\", \"http\": \"file.example:1\", "
	    "\"exclude\": [\"file.example\"]}", NULL);
	assert_int_equal(p->mode, EGRESS_MODE_SYSTEM);
	fake_env = env1;
	assert_int_equal(egress_policy_system(p, fake_get, &err), 0);
	assert_string_equal(p->http.host, "upper.example");	/* Go's order */
	assert_int_equal(p->http.port, 3128);
	assert_int_equal(p->https.kind, EGRESS_ROUTE_SOCKS5);
	assert_string_equal(p->https.host, "s.example");
	assert_int_equal(egress_addr_parse("203.0.113.1", &a), 0);
	/* The file's exclude is replaced; a bare name covers its subdomains. */
	assert_false(egress_policy_excluded(p, "file.example", &a));
	assert_true(egress_policy_excluded(p, "corp.example", &a));
	assert_true(egress_policy_excluded(p, "a.corp.example", &a));
	assert_false(egress_policy_excluded(p, "svc.example", &a));
	assert_true(egress_policy_excluded(p, "x.svc.example", &a));
	assert_false(egress_policy_excluded(p, "k8s.example", &a));
	assert_true(egress_policy_excluded(p, "x.k8s.example", &a));
	assert_true(egress_policy_excluded(p, "intranet", &a));
	assert_true(egress_policy_excluded(p, "", &(struct egress_addr){ .family = AF_INET,
	    .u.v4.s_addr = htonl(0x0a010203) }));
	assert_int_equal(egress_addr_parse("fd00::1", &a), 0);
	assert_true(egress_policy_excluded(p, NULL, &a));

	/* A failure leaves the policy as it was. */
	fake_env = env_bad;
	assert_int_equal(egress_policy_system(p, fake_get, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "HTTPS_PROXY: \"https://p.example:443\": TLS to the proxy"));
	assert_string_equal(p->http.host, "upper.example");
	fake_env = env_star;
	assert_int_equal(egress_policy_system(p, fake_get, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "NO_PROXY: \"*\" would exclude every destination"));
	fake_env = env_port;
	assert_int_equal(egress_policy_system(p, fake_get, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "ports are not supported"));
	assert_true(egress_policy_excluded(p, "a.corp.example", NULL));

	/* No proxy environment at all: nothing set, everything refused. */
	fake_env = env_none;
	assert_int_equal(egress_policy_system(p, fake_get, &err), 0);
	assert_false(p->http.set);
	assert_false(p->https.set);
	assert_int_equal(p->nexclude, 0);
	egress_policy_free(p);

	/* getenv by default. */
	p = parse_ok("{\"mode\": \"system\"}", NULL);
	assert_int_equal(setenv("HTTP_PROXY", "http://env.example:3128", 1), 0);
	assert_int_equal(egress_policy_system(p, NULL, &err), 0);
	unsetenv("HTTP_PROXY");
	assert_string_equal(p->http.host, "env.example");
	egress_policy_free(p);
}

static void
test_default_dns(void **state)
{
	static const char conf[] =
	    "# generated\n"
	    "search corp.example\n"
	    "nameserver 127.0.0.53\n"
	    "nameserver 10.0.0.2 # the office\n"
	    "  nameserver\t2001:db8::53\n"
	    "nameserver ::1\n"
	    "nameserver fe80::1%eth0\n"
	    "nameserver not-an-ip\n"
	    "nameservers 10.9.9.9\n"
	    "nameserver 10.0.0.2\n"
	    "options ndots:2\n";
	char			 path[] = "/tmp/test_egress_policy_XXXXXX";
	struct dw_strv		 daemon = { NULL, 0 };
	struct egress_policy	*p;
	struct egress_addr	 a;
	struct dw_err		 err;
	char			*d;
	int			 fd;

	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, conf, sizeof(conf) - 1), (ssize_t)(sizeof(conf) - 1));
	close(fd);
	assert_int_equal(dw_strv_push(&daemon, "8.8.8.8"), 0);
	assert_int_equal(dw_strv_push(&daemon, "10.0.0.2"), 0);

	p = parse_ok("{}", NULL);
	assert_int_equal(egress_policy_default_dns(p, path, &daemon, &err), 0);
	/* 10.0.0.2, 2001:db8::53, 8.8.8.8: loopback and scoped skipped, deduplicated. */
	assert_int_equal(p->ndns, 3);
	assert_int_equal(egress_addr_parse("10.0.0.2", &a), 0);
	assert_true(egress_policy_dns_allowed(p, &a));
	assert_int_equal(egress_addr_parse("2001:db8::53", &a), 0);
	assert_true(egress_policy_dns_allowed(p, &a));
	assert_int_equal(egress_addr_parse("8.8.8.8", &a), 0);
	assert_true(egress_policy_dns_allowed(p, &a));
	assert_int_equal(egress_addr_parse("127.0.0.53", &a), 0);
	assert_false(egress_policy_dns_allowed(p, &a));
	assert_int_equal(egress_addr_parse("10.9.9.9", &a), 0);
	assert_false(egress_policy_dns_allowed(p, &a));
	d = egress_policy_describe(p);
	assert_non_null(strstr(d, "dns servers (resolv.conf and dockerd): 10.0.0.2, 2001:db8::53"));
	free(d);
	egress_policy_free(p);

	/* A missing file: dockerd's alone. */
	p = parse_ok("{}", NULL);
	assert_int_equal(egress_policy_default_dns(p, "/nonexistent/resolv.conf", &daemon, &err), 0);
	assert_int_equal(p->ndns, 2);
	egress_policy_free(p);

	/* dnsServers written: the defaults are not used. */
	p = parse_ok("{}", "{\"dnsServers\": [\"10.5.5.5\"]}");
	assert_int_equal(egress_policy_default_dns(p, path, &daemon, &err), 0);
	assert_int_equal(p->ndns, 1);
	egress_policy_free(p);

	/* A bad dockerd entry fails and leaves the list alone. */
	p = parse_ok("{}", NULL);
	assert_int_equal(dw_strv_push(&daemon, "dns.example"), 0);
	assert_int_equal(egress_policy_default_dns(p, path, &daemon, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "dockerd's dns \"dns.example\""));
	assert_int_equal(p->ndns, 0);
	egress_policy_free(p);
	dw_strv_clear(&daemon);
	unlink(path);
}

static void
test_describe(void **state)
{
	struct egress_policy	*p;
	char			*d;

	p = parse_ok(doc_corporate, "{\"udp\": \"allow\", \"port\": 15002}");
	assert_non_null(d = egress_policy_describe(p));
	assert_non_null(strstr(d, "mode: manual, locked\n"));
	assert_non_null(strstr(d, "transparent ports: * (every TCP port)"));
	assert_non_null(strstr(d, "http proxy: http://corporate-proxy.company.com:8080\n"));
	assert_non_null(strstr(d, "exclude (direct): localhost, *.company.local\n"));
	assert_non_null(strstr(d, "everything else via the proxy"));
	assert_non_null(strstr(d, "udp: allow\n"));
	assert_non_null(strstr(d, "proxy port: 15002\n"));
	free(d);
	egress_policy_free(p);

	p = parse_ok(doc_internal, NULL);
	assert_non_null(d = egress_policy_describe(p));
	assert_non_null(strstr(d, "transparent ports: 80,443; other ports go direct"));
	assert_non_null(strstr(d, "http proxy: none"));
	assert_non_null(strstr(d, "everything else refused"));
	assert_non_null(strstr(d, "udp: dns-only; dns servers (resolv.conf and dockerd): none (no DNS)"));
	free(d);
	egress_policy_free(p);

	p = parse_ok(doc_pac, "{\"caFile\": \"/etc/ca.pem\", \"pacGraceSeconds\": 120}");
	assert_non_null(d = egress_policy_describe(p));
	assert_non_null(strstr(d, "pac: http://192.168.1.16:62039/proxy.pac (refresh every 300 s, "
	    "last good kept 120 s on failure, CA file /etc/ca.pem)"));
	assert_null(strstr(d, "http proxy"));
	free(d);
	egress_policy_free(p);

	p = parse_ok("{\"mode\": \"system\", \"transparentPorts\": \"80,8000-8100\"}", NULL);
	assert_non_null(d = egress_policy_describe(p));
	assert_non_null(strstr(d, "mode: system (the unit's HTTP_PROXY"));
	assert_non_null(strstr(d, "80,8000-8100"));
	free(d);
	egress_policy_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docs_examples),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_exclude),
		cmocka_unit_test(test_exclude_bad),
		cmocka_unit_test(test_upstreams),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_decide_static),
		cmocka_unit_test(test_system),
		cmocka_unit_test(test_default_dns),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
