/*
 * tests/egress/nft_apply PORTS UDP PROXYPORT [DNS...]: apply dockward's
 * nft table (egress_nft_apply) to the network namespace it runs in, for
 * tests/egress/nft-lab.sh.  PORTS is "*" or "80,443,8000-8100", UDP is
 * dns-only, allow or block, DNS the allowed resolvers.  Only what the
 * table reads of a policy is filled in.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egress/egress_nft.h"

static int
parse_port(const char *s, char **end, uint16_t *out)
{
	unsigned long v;

	errno = 0;
	v = strtoul(s, end, 10);
	if (errno != 0 || *end == s || v == 0 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static int
parse_ports(const char *s, struct egress_ports *ports)
{
	char	*end;

	if (strcmp(s, "*") == 0) {
		ports->all = true;
		return 0;
	}
	while (*s != '\0') {
		if (ports->n == EGRESS_PORT_RANGES_MAX ||
		    parse_port(s, &end, &ports->r[ports->n].lo) != 0)
			return -1;
		ports->r[ports->n].hi = ports->r[ports->n].lo;
		if (*end == '-' && parse_port(end + 1, &end, &ports->r[ports->n].hi) != 0)
			return -1;
		ports->n++;
		if (*end == ',')
			end++;
		else if (*end != '\0')
			return -1;
		s = end;
	}
	return 0;
}

static int
parse_addr(const char *s, struct egress_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->u.v4) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a->u.v6) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return -1;
}

int
main(int argc, char **argv)
{
	struct egress_policy	p;
	struct dw_err		err;
	char			*end;
	int			i;

	memset(&p, 0, sizeof(p));
	if (argc < 4 || parse_ports(argv[1], &p.ports) != 0 ||
	    parse_port(argv[3], &end, &p.port) != 0 || *end != '\0') {
		fprintf(stderr, "usage: nft_apply PORTS dns-only|allow|block PROXYPORT [DNS...]\n");
		return 2;
	}
	if (strcmp(argv[2], "dns-only") == 0)
		p.udp = EGRESS_UDP_DNS_ONLY;
	else if (strcmp(argv[2], "allow") == 0)
		p.udp = EGRESS_UDP_ALLOW;
	else if (strcmp(argv[2], "block") == 0)
		p.udp = EGRESS_UDP_BLOCK;
	else {
		fprintf(stderr, "nft_apply: udp: %s?\n", argv[2]);
		return 2;
	}
	for (i = 4; i < argc; i++) {
		if (p.ndns == EGRESS_DNS_MAX || parse_addr(argv[i], &p.dns[p.ndns]) != 0) {
			fprintf(stderr, "nft_apply: dns: %s?\n", argv[i]);
			return 2;
		}
		p.ndns++;
	}
	if (egress_nft_apply(&p, &err) != 0) {
		fprintf(stderr, "nft_apply: %s\n", err.msg);
		return 1;
	}
	if (egress_nft_present(&err) != 1) {
		fprintf(stderr, "nft_apply: applied but not present\n");
		return 1;
	}
	return 0;
}
