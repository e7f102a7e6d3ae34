/*
 * egress_pac_fn: the PAC helper functions (Netscape's list, with the
 * semantics Firefox and Chromium give them) in C, for the globals that
 * egress_pac registers in its Duktape heap.  Pure: no I/O.  The one answer
 * dnsResolve knows (the connection's own name and original address: a PAC
 * never makes the worker resolve a name) and the clock come in as
 * arguments, so tests inject them.
 *
 * Where a browser returns garbage for malformed arguments of the time
 * functions, these return -EINVAL and the binding throws: the evaluation
 * fails and the connection is refused (fail closed).
 */
#ifndef EGRESS_PAC_FN_H
#define EGRESS_PAC_FN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "egress/egress_addr.h"

/* shExpMatch operands longer than this: -E2BIG (the binding throws). */
#define EGRESS_PAC_FN_MATCH_MAX	4096
/* dotted IPv4 text, NUL included ("255.255.255.255"). */
#define EGRESS_PAC_FN_IPV4_STRLEN	16
/* Arguments read by weekdayRange, dateRange, timeRange ("GMT" included). */
#define EGRESS_PAC_FN_ARGS_MAX	7

/* What dnsResolve and myIpAddress answer during one evaluation. */
struct egress_pac_fn_dns {
	const char		*name;	/* borrowed: the host asked about ("" or NULL: none) */
	struct egress_addr	 ip;	/* what name resolves to (family 0: nothing) */
	struct egress_addr	 my_ip;	/* myIpAddress() (family 0: 127.0.0.1) */
};

/* The clock, broken down in local time and in GMT. */
struct egress_pac_fn_now {
	struct tm	local;
	struct tm	gmt;
};

/* Fill out for t (localtime_r, gmtime_r). */
void	egress_pac_fn_now(time_t t, struct egress_pac_fn_now *out);

/* isPlainHostName: no dot (and no colon: an IPv6 literal is not plain). */
bool	egress_pac_fn_is_plain_host_name(const char *host);
/* dnsDomainIs: host ends with domain (case-sensitive, as in browsers). */
bool	egress_pac_fn_dns_domain_is(const char *host, const char *domain);
/* localHostOrDomainIs: host == hostdom, or host is hostdom's first label. */
bool	egress_pac_fn_local_host_or_domain_is(const char *host, const char *hostdom);
/* dnsDomainLevels: the number of dots. */
unsigned egress_pac_fn_dns_domain_levels(const char *host);
/* True when s is four dot-separated decimal numbers of 1-3 digits, each <= 255. */
bool	egress_pac_fn_is_ipv4(const char *s, uint32_t *ret_addr);
/*
 * dnsResolve: an IPv4 literal answers itself; dns->name (case-insensitive)
 * answers dns->ip when that is IPv4 (browsers' dnsResolve is IPv4 only);
 * any other name is not resolvable.  Writes dotted text into buf (at least
 * EGRESS_PAC_FN_IPV4_STRLEN) and returns 0, or -ENOENT (JavaScript null).
 */
int	egress_pac_fn_dns_resolve(const struct egress_pac_fn_dns *dns, const char *host,
	    char *buf, size_t sz);
/* isResolvable: dnsResolve answers. */
bool	egress_pac_fn_is_resolvable(const struct egress_pac_fn_dns *dns, const char *host);
/* myIpAddress into buf (>= EGRESS_ADDR_STRLEN); returns buf. */
const char *egress_pac_fn_my_ip_address(const struct egress_pac_fn_dns *dns, char *buf,
	    size_t sz);
/*
 * isInNet(host, pattern, mask): pattern and mask must be IPv4 literals
 * (else false); host is one or is resolved with dnsResolve (unresolvable:
 * false); then (host & mask) == (pattern & mask).
 */
bool	egress_pac_fn_is_in_net(const struct egress_pac_fn_dns *dns, const char *host,
	    const char *pattern, const char *mask);
/* convert_addr: "a.b.c.d" as a signed 32-bit number, each part & 0xff (JavaScript's). */
int32_t	egress_pac_fn_convert_addr(const char *ipchars);
/*
 * shExpMatch(str, pattern): '*' any run, '?' any one byte, the rest
 * literal, the whole string.  No backtracking explosion: at most
 * slen * plen steps, and both are capped.  1 match, 0 not, -E2BIG over
 * EGRESS_PAC_FN_MATCH_MAX.
 */
int	egress_pac_fn_sh_exp_match(const char *str, size_t slen, const char *pattern,
	    size_t plen);
/*
 * The time functions take their arguments as JavaScript String() of each
 * (argc <= EGRESS_PAC_FN_ARGS_MAX), a last "GMT" selecting now->gmt.  They
 * return 1 (in range), 0 (not), or -EINVAL (a form browsers do not
 * define).  Ranges whose start is after their end wrap around.
 *   weekdayRange(wd1 [, wd2]): "SUN".."SAT".
 *   dateRange(day | month | year), (day1, day2), (month1, month2),
 *     (year1, year2), (day1, month1, day2, month2), (month1, year1,
 *     month2, year2), (day1, month1, year1, day2, month2, year2): day
 *     1..31, month "JAN".."DEC", year >= 32; each half in any order.
 *   timeRange(hour), (hour1, hour2) (no wrap, as in browsers), (h1, m1,
 *     h2, m2) (to m2's last second), (h1, m1, s1, h2, m2, s2).
 */
int	egress_pac_fn_weekday_range(const char *const *argv, size_t argc,
	    const struct egress_pac_fn_now *now);
int	egress_pac_fn_date_range(const char *const *argv, size_t argc,
	    const struct egress_pac_fn_now *now);
int	egress_pac_fn_time_range(const char *const *argv, size_t argc,
	    const struct egress_pac_fn_now *now);

#endif
