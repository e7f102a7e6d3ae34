/*
 * Fuzz the PAC helpers that parse strings a PAC passes them: the first
 * byte picks one, the rest is its arguments separated by '\n'.
 *   0 shExpMatch(str, pattern), checked against a dynamic-programming
 *     matcher on short operands (the greedy one must agree);
 *   1 isInNet(host, pattern, mask), dnsResolve, convert_addr (which must
 *     agree with the strict IPv4 parser where that accepts);
 *   2 dateRange, 3 timeRange, 4 weekdayRange on a fixed clock (1, 0 or
 *     -EINVAL; the same answer with the arguments and with "GMT" on a
 *     clock whose GMT and local halves are equal);
 *   5 dnsDomainIs, localHostOrDomainIs, isPlainHostName, dnsDomainLevels.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "egress/egress_pac_fn.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DP_MAX	64

/* '*' and '?' glob by dynamic programming: the reference. */
static int
dp_match(const char *s, size_t sl, const char *p, size_t pl)
{
	static unsigned char	m[DP_MAX + 1][DP_MAX + 1];
	size_t			i, j;

	memset(m, 0, sizeof(m));
	m[0][0] = 1;
	for (j = 1; j <= pl; j++)
		m[0][j] = p[j - 1] == '*' && m[0][j - 1];
	for (i = 1; i <= sl; i++)
		for (j = 1; j <= pl; j++) {
			if (p[j - 1] == '*')
				m[i][j] = m[i - 1][j] || m[i][j - 1];
			else
				m[i][j] = (p[j - 1] == '?' || p[j - 1] == s[i - 1]) &&
				    m[i - 1][j - 1];
		}
	return m[sl][pl];
}

static struct egress_pac_fn_now
fixed_now(void)
{
	struct egress_pac_fn_now	now;

	memset(&now, 0, sizeof(now));
	now.local.tm_year = 124;
	now.local.tm_mon = 5;
	now.local.tm_mday = 30;
	now.local.tm_wday = 0;
	now.local.tm_hour = 23;
	now.local.tm_min = 59;
	now.local.tm_sec = 59;
	now.gmt = now.local;
	return now;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct egress_pac_fn_dns	 dns;
	struct egress_pac_fn_now	 now = fixed_now();
	const char			*argv[EGRESS_PAC_FN_ARGS_MAX + 2];
	char				*buf, *p, *nl, out[EGRESS_PAC_FN_IPV4_STRLEN];
	size_t				 argc = 0, i;
	uint32_t			 a;
	int				 r, r2;
	int (*range)(const char *const *, size_t, const struct egress_pac_fn_now *) = NULL;

	if (size < 1)
		return 0;
	if ((buf = malloc(size)) == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	/* Arguments: '\n'-separated (a NUL ends the last). */
	for (p = buf; argc < EGRESS_PAC_FN_ARGS_MAX + 1; p = nl + 1) {
		argv[argc++] = p;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
	}
	for (i = argc; i < 3; i++)
		argv[i] = "";

	memset(&dns, 0, sizeof(dns));
	dns.name = "dev.corp";
	dns.ip.family = AF_INET;
	dns.ip.u.v4.s_addr = htonl(0x0a090807);

	switch (data[0] % 6) {
	case 0:
		r = egress_pac_fn_sh_exp_match(argv[0], strlen(argv[0]), argv[1],
		    strlen(argv[1]));
		if (r != 0 && r != 1 && r != -E2BIG)
			abort();
		if (strlen(argv[0]) <= DP_MAX && strlen(argv[1]) <= DP_MAX &&
		    r != dp_match(argv[0], strlen(argv[0]), argv[1], strlen(argv[1])))
			abort();
		break;
	case 1:
		(void)egress_pac_fn_is_in_net(&dns, argv[0], argv[1], argv[2]);
		if (egress_pac_fn_dns_resolve(&dns, argv[0], out, sizeof(out)) == 0 &&
		    !egress_pac_fn_is_ipv4(out, NULL))
			abort();
		if (egress_pac_fn_is_ipv4(argv[0], &a) &&
		    egress_pac_fn_convert_addr(argv[0]) != (int32_t)a)
			abort();
		/* An address is always in 0.0.0.0/0, and in its own /32. */
		if (egress_pac_fn_is_ipv4(argv[0], NULL) &&
		    (!egress_pac_fn_is_in_net(&dns, argv[0], "0.0.0.0", "0.0.0.0") ||
		    !egress_pac_fn_is_in_net(&dns, argv[0], argv[0], "255.255.255.255")))
			abort();
		break;
	case 2:
		range = egress_pac_fn_date_range;
		break;
	case 3:
		range = egress_pac_fn_time_range;
		break;
	case 4:
		range = egress_pac_fn_weekday_range;
		break;
	case 5:
		(void)egress_pac_fn_dns_domain_is(argv[0], argv[1]);
		(void)egress_pac_fn_local_host_or_domain_is(argv[0], argv[1]);
		(void)egress_pac_fn_is_plain_host_name(argv[0]);
		if (egress_pac_fn_dns_domain_levels(argv[0]) > strlen(argv[0]))
			abort();
		/* A host is always in its own domain. */
		if (!egress_pac_fn_dns_domain_is(argv[0], argv[0]) ||
		    !egress_pac_fn_local_host_or_domain_is(argv[0], argv[0]))
			abort();
		break;
	}
	if (range != NULL) {
		r = range(argv, argc, &now);
		if (r != 0 && r != 1 && r != -EINVAL)
			abort();
		/* GMT and local are the same instant here: "GMT" changes nothing. */
		if (argc <= EGRESS_PAC_FN_ARGS_MAX && (argc == 0 ||
		    strcmp(argv[argc - 1], "GMT") != 0)) {
			argv[argc] = "GMT";
			r2 = range(argv, argc + 1, &now);
			if (r2 != r)
				abort();
		}
	}
	free(buf);
	return 0;
}
