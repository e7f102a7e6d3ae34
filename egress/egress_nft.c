/*
 * egress_nft: dockward's own nftables table, `table inet dockward`
 * (DESIGN.md §11), built from the policy as nft text and applied in one
 * libnftables transaction.  The table, for transparentPorts "80,443",
 * udp "dns-only", proxy port 15001:
 *
 *   add table inet dockward
 *   delete table inet dockward
 *   table inet dockward {
 *     comment "<EGRESS_NFT_MARKER>"
 *     set transparent_ports { type inet_service; flags interval; auto-merge; elements = { 80, 443 }; }
 *     set dns4 { type ipv4_addr; elements = { ... }; }
 *     set dns6 { type ipv6_addr; elements = { ... }; }
 *     chain prerouting { type nat hook prerouting priority dstnat - 10; policy accept;
 *       meta iifkind "bridge" meta l4proto tcp jump to_proxy }   (1)
 *     chain to_proxy {
 *       fib daddr . iif oif exists return                        (2)
 *       tcp dport 53 ip daddr @dns4 return                       (3)
 *       tcp dport 53 ip6 daddr @dns6 return
 *       tcp dport 15001 fib daddr type local return              (4)
 *       tcp dport @transparent_ports redirect to :15001 }        (5)
 *     chain input { type filter hook input priority filter - 10; policy accept;
 *       tcp dport 15001 meta iifkind "bridge" ct status dnat accept   (6)
 *       tcp dport 15001 drop
 *       meta iifkind "bridge" icmpv6 type { nd-*, mld-* } accept (7)
 *       meta iifkind "bridge" jump police }
 *     chain forward { type filter hook forward priority filter - 10; policy accept;
 *       meta iifkind "bridge" fib daddr . iif oif exists accept  (2)
 *       meta iifkind "bridge" jump police }
 *     chain police {                                             (8)
 *       meta l4proto { tcp, udp } th dport 53 ip daddr @dns4 accept
 *       meta l4proto { tcp, udp } th dport 53 ip6 daddr @dns6 accept
 *       ct direction reply accept
 *       ct state related accept
 *       tcp dport @transparent_ports drop                        (9)
 *       meta l4proto tcp accept
 *       [udp "allow": meta l4proto { udp, icmp, ipv6-icmp } accept]
 *       drop }
 *   }
 *
 * Why each rule:
 * (1) Container traffic is what enters through a Linux bridge: packets
 *     from a container's veth reach the IP hooks with the bridge as their
 *     input device (with br_netfilter too: it presents the bridge, not the
 *     port).  Matched by kind, never by name: a network made with
 *     `-o com.docker.network.bridge.name=evil0` is covered, and so is a
 *     network created after the table, with no action from us.  A host
 *     whose uplink is itself a Linux bridge would have its LAN traffic
 *     treated as container traffic: `dockward doctor` should say so.
 *     Every such test is positive (`meta iifkind "bridge" jump ...`),
 *     never `meta iifkind != "bridge"`: on a device without a kind
 *     (loopback, a physical NIC: virtio_net, e1000, ...) the kernel has
 *     no kind to compare, so neither `==` nor `!=` matches and a rule
 *     "return/accept unless a bridge" would let loopback and the LAN fall
 *     through into the redirect and the police chain (with "*", SSH to
 *     the host redirected and dropped).  Only what enters from a bridge
 *     is ever redirected or policed; everything else passes untouched,
 *     except the proxy port (6).
 * (2) Between containers of one bridge: the route to the destination goes
 *     out of the bridge the packet came in on (`fib ... . iif` answers only
 *     when the route's device is the input device).  Such packets reach the
 *     IP hooks only with br_netfilter; they are not egress, dockerd's own
 *     rules (icc) decide.  No update is needed when networks come and go.
 *     A container on ANOTHER local bridge cannot be told apart in
 *     prerouting (fib gives the output device, not its kind): on a
 *     transparent port it goes to the proxy like any destination, where
 *     dockerd would have dropped it (network isolation); the proxy
 *     refuses destinations inside local bridge networks whatever the
 *     policy says (egress_bridges.h, api_egress.c).  Other protocols to it
 *     meet the police chain (dropped unless the udp setting allows them).
 * (3) TCP DNS to an allowed resolver is never redirected, whatever
 *     transparentPorts says (except with udp "block": no resolver is
 *     special there, TCP 53 is an ordinary port).
 * (4) A container connecting to the proxy port of a host address itself
 *     is not redirected, so the input chain drops it (else "*" would
 *     redirect it to the proxy as a connection "to" the proxy).
 * (5) The redirect runs at dstnat - 10, before dockerd's DNAT, so a
 *     published port reached through a host address goes to the proxy too
 *     (Docker Desktop's PACs can refuse host.docker.internal); traffic to
 *     the host itself is policed like traffic to anywhere.  Redirected
 *     flows go INPUT -> proxy -> OUTPUT: the forward chain never sees them.
 * (6) The proxy port answers only flows our redirect made, from a bridge;
 *     from anywhere else (the LAN, loopback, a container aiming at it) it is
 *     dropped.  The proxy can then trust SO_ORIGINAL_DST.
 * (7) Neighbour discovery and MLD are link-local (never forwarded) and
 *     IPv6 needs them; only in input.
 * (8) What a container may send that is not redirected, to the host
 *     (input) or beyond (forward): DNS to the allowed resolvers (not with
 *     "block"); answers to connections others opened to the container
 *     (published ports); ICMP errors about tracked flows (path MTU); TCP
 *     outside transparentPorts (direct, as in Docker Desktop); UDP, ICMP
 *     and ICMPv6 with "allow" only.  Everything else is dropped: other UDP
 *     and ICMP with "dns-only" and "block", and with every setting the
 *     protocols the proxy cannot police (SCTP, GRE, ESP, ...).  "block"
 *     drops DNS too: the embedded resolver of user-defined networks
 *     forwards from inside the container's namespace, over the bridge,
 *     so that is cut as well; containers then reach names only through
 *     an explicit proxy.
 * (9) A flow on a transparent port that reaches here escaped the redirect
 *     (it existed before the table, or began while the table was flushed):
 *     cut it, including its established packets.
 *
 * The batch deletes the old table and adds the new one in one transaction
 * (`add` first so that `delete` cannot fail when there is none: nftables
 * 1.0.6 has no `destroy`): applying is atomic and idempotent, and a
 * failure leaves the previous table as it was.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "egress/egress_nft.h"

/* The table's comment: present() tells ours from a table someone else named so. */
#define EGRESS_NFT_MARKER	"dockward egress: managed by dockward, rewritten on reload"

/* The chains present() expects, each with at least one rule. */
static const char *const egress_nft_chains[] = {
	"prerouting", "to_proxy", "input", "forward", "police",
};

/* Neighbour discovery and MLD: what IPv6 needs on a link. */
#define EGRESS_NFT_ICMPV6_LINK	"nd-router-solicit, nd-router-advert, " \
	"nd-neighbor-solicit, nd-neighbor-advert, nd-redirect, " \
	"mld-listener-query, mld-listener-report, mld-listener-done, " \
	"mld2-listener-report"

/* The elements of a set of resolvers of one family, or nothing when none. */
static void
put_dns(FILE *f, const struct egress_policy *p, int family)
{
	char	buf[INET6_ADDRSTRLEN];
	size_t	i, j;
	int	first = 1;

	for (i = 0; i < p->ndns && i < EGRESS_DNS_MAX; i++) {
		const struct egress_addr *a = &p->dns[i];

		if (a->family != family)
			continue;
		/* nft refuses nothing here, but a repeated one reads badly. */
		for (j = 0; j < i; j++)
			if (p->dns[j].family == family &&
			    memcmp(&p->dns[j].u, &a->u, family == AF_INET ?
			    sizeof(a->u.v4) : sizeof(a->u.v6)) == 0)
				break;
		if (j < i)
			continue;
		if (inet_ntop(family, &a->u, buf, sizeof(buf)) == NULL)
			continue;
		fprintf(f, "%s%s", first ? "\t\telements = { " : ", ", buf);
		first = 0;
	}
	if (!first)
		fprintf(f, " }\n");
}

/* transparentPorts as set elements; nothing for "*" (no set then). */
static void
put_ports(FILE *f, const struct egress_ports *ports)
{
	size_t	i;

	for (i = 0; i < ports->n && i < EGRESS_PORT_RANGES_MAX; i++) {
		unsigned lo = ports->r[i].lo, hi = ports->r[i].hi;

		if (lo > hi) {
			unsigned t = lo;

			lo = hi;
			hi = t;
		}
		fprintf(f, "%s", i == 0 ? "\t\telements = { " : ", ");
		if (lo == hi)
			fprintf(f, "%u", lo);
		else
			fprintf(f, "%u-%u", lo, hi);
	}
	if (i > 0)
		fprintf(f, " }\n");
}

/* The match of "a TCP packet to a transparent port". */
static const char *
tcp_transparent(const struct egress_policy *p)
{
	return p->ports.all ? "meta l4proto tcp" : "tcp dport @transparent_ports";
}

char *
egress_nft_ruleset(const struct egress_policy *p)
{
	FILE		*f;
	char		*text = NULL;
	size_t		 len = 0;
	unsigned	 port = p->port;
	int		 dns = p->udp != EGRESS_UDP_BLOCK;

	if ((f = open_memstream(&text, &len)) == NULL)
		return NULL;
	fprintf(f, "add table inet " EGRESS_NFT_TABLE "\n"
	    "delete table inet " EGRESS_NFT_TABLE "\n"
	    "table inet " EGRESS_NFT_TABLE " {\n"
	    "\tcomment \"" EGRESS_NFT_MARKER "\"\n");
	if (!p->ports.all) {
		fprintf(f, "\tset transparent_ports {\n"
		    "\t\ttype inet_service\n\t\tflags interval\n\t\tauto-merge\n");
		put_ports(f, &p->ports);
		fprintf(f, "\t}\n");
	}
	fprintf(f, "\tset dns4 {\n\t\ttype ipv4_addr\n");
	put_dns(f, p, AF_INET);
	fprintf(f, "\t}\n\tset dns6 {\n\t\ttype ipv6_addr\n");
	put_dns(f, p, AF_INET6);
	fprintf(f, "\t}\n");

	/* Every test of the input device's kind is positive: see (1). */
	fprintf(f, "\tchain prerouting {\n"
	    "\t\ttype nat hook prerouting priority dstnat - 10; policy accept;\n"
	    "\t\tmeta iifkind \"bridge\" meta l4proto tcp jump to_proxy\n"
	    "\t}\n");
	fprintf(f, "\tchain to_proxy {\n"
	    "\t\tfib daddr . iif oif exists return\n");
	if (dns)
		fprintf(f, "\t\ttcp dport 53 ip daddr @dns4 return\n"
		    "\t\ttcp dport 53 ip6 daddr @dns6 return\n");
	fprintf(f, "\t\ttcp dport %u fib daddr type local return\n"
	    "\t\t%s redirect to :%u\n"
	    "\t}\n", port, tcp_transparent(p), port);

	fprintf(f, "\tchain input {\n"
	    "\t\ttype filter hook input priority filter - 10; policy accept;\n"
	    "\t\ttcp dport %u meta iifkind \"bridge\" ct status dnat accept\n"
	    "\t\ttcp dport %u drop\n"
	    "\t\tmeta iifkind \"bridge\" icmpv6 type { " EGRESS_NFT_ICMPV6_LINK " } accept\n"
	    "\t\tmeta iifkind \"bridge\" jump police\n"
	    "\t}\n", port, port);

	fprintf(f, "\tchain forward {\n"
	    "\t\ttype filter hook forward priority filter - 10; policy accept;\n"
	    "\t\tmeta iifkind \"bridge\" fib daddr . iif oif exists accept\n"
	    "\t\tmeta iifkind \"bridge\" jump police\n"
	    "\t}\n");

	fprintf(f, "\tchain police {\n");
	if (dns)
		fprintf(f, "\t\tmeta l4proto { tcp, udp } th dport 53 ip daddr @dns4 accept\n"
		    "\t\tmeta l4proto { tcp, udp } th dport 53 ip6 daddr @dns6 accept\n");
	fprintf(f, "\t\tct direction reply accept\n"
	    "\t\tct state related accept\n"
	    "\t\t%s drop\n"
	    "\t\tmeta l4proto tcp accept\n", tcp_transparent(p));
	if (p->udp == EGRESS_UDP_ALLOW)
		fprintf(f, "\t\tmeta l4proto { udp, icmp, ipv6-icmp } accept\n");
	fprintf(f, "\t\tdrop\n\t}\n}\n");

	if (ferror(f)) {
		fclose(f);
		free(text);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* A context whose output and errors land in buffers, not on stdout/stderr. */
static struct nft_ctx *
ctx_new(void)
{
	struct nft_ctx	*ctx;

	if ((ctx = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL)
		return NULL;
	if (nft_ctx_buffer_output(ctx) != 0 || nft_ctx_buffer_error(ctx) != 0) {
		nft_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

/*
 * nft's message as one line into err ("what: Error: ...; <the command>"),
 * and the errno its words stand for.
 */
static int
ctx_error(struct nft_ctx *ctx, const char *what, struct dw_err *err)
{
	const char	*msg = nft_ctx_get_error_buffer(ctx);
	char		 line[DW_ERR_MAX];
	size_t		 i, n = 0;
	int		 r = -EIO;

	if (msg == NULL || *msg == '\0')
		msg = "nft failed without a message";
	if (strstr(msg, "Operation not permitted") != NULL)
		r = -EPERM;
	else if (strstr(msg, "No such file or directory") != NULL)
		r = -ENOENT;
	else if (strstr(msg, "syntax error") != NULL ||
	    strstr(msg, "Invalid argument") != NULL)
		r = -EINVAL;
	else if (strstr(msg, "Protocol not supported") != NULL ||
	    strstr(msg, "not supported") != NULL)
		r = -EOPNOTSUPP;
	/* Newlines and nft's caret lines folded: the message stays one line. */
	for (i = 0; msg[i] != '\0' && n + 2 < sizeof(line); i++) {
		if (msg[i] == '\n') {
			if (n > 0 && msg[i + 1] != '\0')
				line[n++] = ';', line[n++] = ' ';
			continue;
		}
		if (msg[i] == '^' || (msg[i] == ' ' && n > 0 && line[n - 1] == ' '))
			continue;
		line[n++] = (unsigned char)msg[i] < 0x20 ? ' ' : msg[i];
	}
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == ';'))
		n--;
	line[n] = '\0';
	dw_err_set(err, "%s: %s", what, line);
	return r;
}

/* Run one batch of nft commands; 0 or -errno with nft's message in err. */
static int
run(const char *cmds, const char *what, struct dw_err *err)
{
	struct nft_ctx	*ctx;
	int		 r = 0;

	if ((ctx = ctx_new()) == NULL) {
		dw_err_set(err, "%s: cannot make an nft context", what);
		return -ENOMEM;
	}
	if (nft_run_cmd_from_buffer(ctx, cmds) != 0)
		r = ctx_error(ctx, what, err);
	nft_ctx_free(ctx);
	return r;
}

int
egress_nft_apply(const struct egress_policy *p, struct dw_err *err)
{
	char	*text;
	int	 r;

	if (p->port == 0) {
		dw_err_set(err, "nft table: the proxy port is 0");
		return -EINVAL;
	}
	if ((text = egress_nft_ruleset(p)) == NULL) {
		dw_err_set(err, "nft table: out of memory");
		return -ENOMEM;
	}
	r = run(text, "nft table inet " EGRESS_NFT_TABLE, err);
	free(text);
	return r;
}

/*
 * In nft's listing of the table, the block of chain name: 1 when it has a
 * rule (a line deeper than its "type" line), 0 when it is empty or absent.
 */
static int
chain_has_rule(const char *listing, const char *name)
{
	char		 head[64];
	const char	*line, *end;

	snprintf(head, sizeof(head), "\n\tchain %s {\n", name);
	if ((line = strstr(listing, head)) == NULL)
		return 0;
	line += strlen(head);
	/* Each line of the block up to its closing "\t}". */
	for (; strncmp(line, "\t}", 2) != 0; line = end + 1) {
		if ((end = strchr(line, '\n')) == NULL)
			return 0;
		if (strncmp(line, "\t\t", 2) == 0 && strncmp(line, "\t\ttype ", 7) != 0)
			return 1;
	}
	return 0;
}

int
egress_nft_present(struct dw_err *err)
{
	struct nft_ctx	*ctx = NULL;
	const char	*out, *p;
	size_t		 i;
	int		 r = 0;

	/* `list tables` answers without an error when ours is absent. */
	if ((ctx = ctx_new()) == NULL) {
		dw_err_set(err, "nft: cannot make an nft context");
		return -ENOMEM;
	}
	if (nft_run_cmd_from_buffer(ctx, "list tables inet") != 0) {
		r = ctx_error(ctx, "nft list tables", err);
		goto out;
	}
	out = nft_ctx_get_output_buffer(ctx);
	if (out == NULL)
		goto out;
	for (p = out; (p = strstr(p, "table inet " EGRESS_NFT_TABLE)) != NULL; p++)
		if ((p == out || p[-1] == '\n') &&
		    (p[strlen("table inet " EGRESS_NFT_TABLE)] == '\n' ||
		    p[strlen("table inet " EGRESS_NFT_TABLE)] == '\0'))
			break;
	if (p == NULL)
		goto out;
	nft_ctx_free(ctx);
	if ((ctx = ctx_new()) == NULL) {
		dw_err_set(err, "nft: cannot make an nft context");
		return -ENOMEM;
	}
	if (nft_run_cmd_from_buffer(ctx, "list table inet " EGRESS_NFT_TABLE) != 0) {
		r = ctx_error(ctx, "nft list table inet " EGRESS_NFT_TABLE, err);
		goto out;
	}
	out = nft_ctx_get_output_buffer(ctx);
	/* Ours: the marker, and no chain emptied (`nft flush table` keeps them). */
	if (out == NULL || strncmp(out, "table inet " EGRESS_NFT_TABLE " {\n"
	    "\tcomment \"" EGRESS_NFT_MARKER "\"\n",
	    strlen("table inet " EGRESS_NFT_TABLE " {\n\tcomment \"" EGRESS_NFT_MARKER "\"\n")) != 0)
		goto out;
	for (i = 0; i < sizeof(egress_nft_chains) / sizeof(egress_nft_chains[0]); i++)
		if (!chain_has_rule(out, egress_nft_chains[i]))
			goto out;
	r = 1;
out:
	nft_ctx_free(ctx);
	return r;
}

int
egress_nft_remove(struct dw_err *err)
{
	return run("add table inet " EGRESS_NFT_TABLE "\n"
	    "delete table inet " EGRESS_NFT_TABLE "\n",
	    "nft delete table inet " EGRESS_NFT_TABLE, err);
}
