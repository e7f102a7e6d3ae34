/*
 * egress_nft: the table's text for several policies (transparentPorts
 * "*" and lists with ranges, udp dns-only/allow/block, IPv4 and IPv6
 * resolvers, another proxy port), then, as root in a network namespace
 * of a forked child (skipped when there is none): apply, apply again,
 * present after `nft flush ruleset` and `nft flush table`, a foreign table
 * of our name, remove, and nft's own message when it refuses.
 * tests/egress/nft-lab.sh shows the table against real traffic.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <nftables/libnftables.h>

#include "egress/egress_nft.h"

static void
add_dns(struct egress_policy *p, const char *s)
{
	struct egress_addr *a = &p->dns[p->ndns++];

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->u.v4) == 1)
		a->family = AF_INET;
	else {
		assert_int_equal(inet_pton(AF_INET6, s, &a->u.v6), 1);
		a->family = AF_INET6;
	}
}

/* 80,443,8000-8100, dns-only, one resolver of each family, port 15001. */
static void
policy_list(struct egress_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->port = EGRESS_PORT_DEFAULT;
	p->udp = EGRESS_UDP_DNS_ONLY;
	p->ports.n = 3;
	p->ports.r[0].lo = p->ports.r[0].hi = 80;
	p->ports.r[1].lo = p->ports.r[1].hi = 443;
	p->ports.r[2].lo = 8000;
	p->ports.r[2].hi = 8100;
	add_dns(p, "10.0.0.53");
	add_dns(p, "2001:db8::53");
}

static void
assert_has(const char *text, const char *line)
{
	if (strstr(text, line) == NULL)
		fail_msg("missing: %s\nin:\n%s", line, text);
}

static void
assert_lacks(const char *text, const char *line)
{
	if (strstr(text, line) != NULL)
		fail_msg("unexpected: %s\nin:\n%s", line, text);
}

/* The parts every table has, whatever the policy. */
static void
assert_common(const char *t)
{
	const char *head = "add table inet dockward\ndelete table inet dockward\n"
	    "table inet dockward {\n\tcomment \"";

	/* One batch: the old table goes (even when absent) and the new comes. */
	assert_true(strncmp(t, head, strlen(head)) == 0);
	assert_has(t, "type nat hook prerouting priority dstnat - 10; policy accept;\n");
	/*
	 * By the bridge's kind, never a name, and always in the positive:
	 * `!=` does not match on a device without a kind (lo, a NIC).
	 */
	assert_has(t, "\t\tmeta iifkind \"bridge\" meta l4proto tcp jump to_proxy\n\t}\n"
	    "\tchain to_proxy {\n\t\tfib daddr . iif oif exists return\n");
	assert_has(t, "\t\tmeta iifkind \"bridge\" icmpv6 type { nd-router-solicit, ");
	assert_has(t, " } accept\n\t\tmeta iifkind \"bridge\" jump police\n\t}\n");
	assert_has(t, "\t\tmeta iifkind \"bridge\" fib daddr . iif oif exists accept\n"
	    "\t\tmeta iifkind \"bridge\" jump police\n\t}\n");
	assert_lacks(t, "!=");
	assert_lacks(t, "iifname");
	assert_lacks(t, "docker0");
	assert_has(t, "type filter hook input priority filter - 10; policy accept;\n");
	assert_has(t, "type filter hook forward priority filter - 10; policy accept;\n");
	assert_has(t, "nd-neighbor-solicit, nd-neighbor-advert");
	assert_has(t, "\t\tct direction reply accept\n");
	/* The police chain ends in a drop, the table after it. */
	assert_has(t, "\t\tdrop\n\t}\n}\n");
}

/* A list with ranges, dns-only, IPv4 and IPv6 resolvers. */
static void
test_ruleset_list(void **state)
{
	struct egress_policy	p;
	char			*t;

	(void)state;
	policy_list(&p);
	assert_non_null(t = egress_nft_ruleset(&p));
	assert_common(t);
	assert_has(t, "\t\tflags interval\n\t\tauto-merge\n"
	    "\t\telements = { 80, 443, 8000-8100 }\n");
	assert_has(t, "\t\ttcp dport @transparent_ports redirect to :15001\n");
	assert_has(t, "\t\ttype ipv4_addr\n\t\telements = { 10.0.0.53 }\n");
	assert_has(t, "\t\ttype ipv6_addr\n\t\telements = { 2001:db8::53 }\n");
	assert_has(t, "\t\ttcp dport 53 ip daddr @dns4 return\n");
	assert_has(t, "\t\ttcp dport 53 ip6 daddr @dns6 return\n");
	assert_has(t, "\t\tmeta l4proto { tcp, udp } th dport 53 ip daddr @dns4 accept\n");
	assert_has(t, "\t\tmeta l4proto { tcp, udp } th dport 53 ip6 daddr @dns6 accept\n");
	assert_has(t, "\t\ttcp dport 15001 meta iifkind \"bridge\" ct status dnat accept\n"
	    "\t\ttcp dport 15001 drop\n");
	assert_has(t, "\t\ttcp dport 15001 fib daddr type local return\n");
	assert_has(t, "\t\ttcp dport @transparent_ports drop\n\t\tmeta l4proto tcp accept\n"
	    "\t\tdrop\n");
	/* dns-only: no UDP or ICMP beyond DNS. */
	assert_lacks(t, "icmp }");
	assert_lacks(t, "meta l4proto { udp");
	free(t);
}

/* "*": every TCP port, no set; udp allow. */
static void
test_ruleset_all_allow(void **state)
{
	struct egress_policy	p;
	char			*t;

	(void)state;
	policy_list(&p);
	p.ports.all = true;
	p.ports.n = 0;
	p.udp = EGRESS_UDP_ALLOW;
	assert_non_null(t = egress_nft_ruleset(&p));
	assert_common(t);
	assert_lacks(t, "transparent_ports");
	assert_has(t, "\t\tmeta l4proto tcp redirect to :15001\n");
	assert_has(t, "\t\tmeta l4proto tcp drop\n\t\tmeta l4proto tcp accept\n"
	    "\t\tmeta l4proto { udp, icmp, ipv6-icmp } accept\n\t\tdrop\n");
	assert_has(t, "th dport 53 ip daddr @dns4 accept\n");
	free(t);
}

/* block: no resolver is special, no UDP, no ICMP. */
static void
test_ruleset_block(void **state)
{
	struct egress_policy	p;
	char			*t;

	(void)state;
	policy_list(&p);
	p.udp = EGRESS_UDP_BLOCK;
	assert_non_null(t = egress_nft_ruleset(&p));
	assert_common(t);
	assert_lacks(t, "dport 53");
	assert_lacks(t, "@dns");
	assert_lacks(t, "meta l4proto { udp");
	assert_has(t, "\t\tct state related accept\n\t\ttcp dport @transparent_ports drop\n"
	    "\t\tmeta l4proto tcp accept\n\t\tdrop\n");
	free(t);
}

/* IPv6 resolvers only, one repeated, a range written backwards, one port, another proxy port. */
static void
test_ruleset_v6_port(void **state)
{
	struct egress_policy	p;
	char			*t;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.port = 3129;
	p.ports.n = 2;
	p.ports.r[0].lo = p.ports.r[0].hi = 8443;
	p.ports.r[1].lo = 9100;
	p.ports.r[1].hi = 9000;
	add_dns(&p, "fd00::53");
	add_dns(&p, "2001:4860:4860::8888");
	add_dns(&p, "fd00::53");
	assert_non_null(t = egress_nft_ruleset(&p));
	assert_common(t);
	assert_has(t, "\t\telements = { 8443, 9000-9100 }\n");
	assert_has(t, "\t\ttype ipv4_addr\n\t}\n");
	assert_has(t, "\t\ttype ipv6_addr\n\t\telements = { fd00::53, 2001:4860:4860::8888 }\n");
	assert_has(t, "redirect to :3129\n");
	assert_has(t, "\t\ttcp dport 3129 drop\n");
	assert_lacks(t, "15001");
	free(t);
}

/* A zero proxy port is refused before nft is asked. */
static void
test_apply_port_zero(void **state)
{
	struct egress_policy	p;
	struct dw_err		err;

	(void)state;
	policy_list(&p);
	p.port = 0;
	assert_int_equal(egress_nft_apply(&p, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "port"));
}

/* In the child: a failed check exits with its line number. */
#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: %s (%s)\n", __FILE__, __LINE__,	\
		    #c, err.msg);					\
		_exit(1);						\
	}								\
} while (0)

/* Run nft commands directly in the child's namespace (what an admin would type). */
static int
nft(const char *cmds)
{
	struct nft_ctx	*ctx;
	int		 r;

	if ((ctx = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL)
		return -1;
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	r = nft_run_cmd_from_buffer(ctx, cmds);
	nft_ctx_free(ctx);
	return r;
}

static void
netns_child(void)
{
	struct egress_policy	p;
	struct dw_err		err;

	memset(&err, 0, sizeof(err));
	if (unshare(CLONE_NEWNET) != 0)
		_exit(77);
	/* A kernel without nf_tables (or a sandbox refusing it): nothing to test. */
	if (nft("add table inet dw_probe\ndelete table inet dw_probe\n") != 0)
		_exit(77);
	policy_list(&p);
	CHECK(egress_nft_present(&err) == 0);
	CHECK(egress_nft_remove(&err) == 0);		/* absent: fine */
	CHECK(egress_nft_apply(&p, &err) == 0);
	CHECK(egress_nft_present(&err) == 1);
	CHECK(egress_nft_apply(&p, &err) == 0);	/* idempotent */
	CHECK(egress_nft_present(&err) == 1);
	p.ports.all = true;
	p.udp = EGRESS_UDP_ALLOW;
	CHECK(egress_nft_apply(&p, &err) == 0);	/* replaced */
	CHECK(egress_nft_present(&err) == 1);
	/* nft flush ruleset: gone, and back on the next apply. */
	CHECK(nft("flush ruleset") == 0);
	CHECK(egress_nft_present(&err) == 0);
	CHECK(egress_nft_apply(&p, &err) == 0);
	CHECK(egress_nft_present(&err) == 1);
	/* nft flush table keeps the table and empties the chains: not ours any more. */
	CHECK(nft("flush table inet dockward") == 0);
	CHECK(egress_nft_present(&err) == 0);
	CHECK(egress_nft_apply(&p, &err) == 0);
	CHECK(egress_nft_present(&err) == 1);
	/* Nor with the redirect's own chain emptied (nothing would be redirected). */
	CHECK(nft("flush chain inet dockward to_proxy") == 0);
	CHECK(egress_nft_present(&err) == 0);
	CHECK(egress_nft_apply(&p, &err) == 0);
	CHECK(egress_nft_present(&err) == 1);
	/* Other tables are left alone. */
	CHECK(nft("add table ip other\nadd chain ip other c\n") == 0);
	CHECK(egress_nft_apply(&p, &err) == 0);
	CHECK(nft("list chain ip other c") == 0);
	CHECK(egress_nft_remove(&err) == 0);
	CHECK(egress_nft_present(&err) == 0);
	CHECK(nft("list table ip other") == 0);
	CHECK(egress_nft_remove(&err) == 0);
	/* A table of our name someone else made is not ours; apply replaces it. */
	CHECK(nft("add table inet dockward\nadd chain inet dockward prerouting\n") == 0);
	CHECK(egress_nft_present(&err) == 0);
	CHECK(egress_nft_apply(&p, &err) == 0);
	CHECK(egress_nft_present(&err) == 1);
	/* Without the privilege: nft's own words in err, the table untouched. */
	CHECK(setresuid(65534, 65534, 65534) == 0);
	memset(&err, 0, sizeof(err));
	CHECK(egress_nft_remove(&err) == -EPERM);
	CHECK(strstr(err.msg, "Operation not permitted") != NULL);
	CHECK(strchr(err.msg, '\n') == NULL);
	CHECK(egress_nft_apply(&p, &err) == -EPERM);
	CHECK(egress_nft_present(&err) == -EPERM);
	_exit(0);
}

static void
test_netns(void **state)
{
	pid_t	pid;
	int	status;

	(void)state;
	if (geteuid() != 0)
		skip();
	fflush(NULL);
	assert_true((pid = fork()) >= 0);
	if (pid == 0)
		netns_child();
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ruleset_list),
		cmocka_unit_test(test_ruleset_all_allow),
		cmocka_unit_test(test_ruleset_block),
		cmocka_unit_test(test_ruleset_v6_port),
		cmocka_unit_test(test_apply_port_zero),
		cmocka_unit_test(test_netns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
