/*
 * egress_pac_fn: the PAC helper functions in C (see the header for the
 * semantics).  Firefox's and Chromium's JavaScript versions were read for
 * their behaviour; nothing here runs JavaScript, and shExpMatch does not
 * build a regular expression (a container picks the host name: a
 * backtracking matcher is a denial of service).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "egress/egress_pac_fn.h"

/* Largest number a time-function argument may spell (a year). */
#define PAC_FN_NUM_MAX	99999

void
egress_pac_fn_now(time_t t, struct egress_pac_fn_now *out)
{
	memset(out, 0, sizeof(*out));
	(void)localtime_r(&t, &out->local);
	(void)gmtime_r(&t, &out->gmt);
}

bool
egress_pac_fn_is_plain_host_name(const char *host)
{
	return strpbrk(host, ".:") == NULL;
}

bool
egress_pac_fn_dns_domain_is(const char *host, const char *domain)
{
	size_t	hl = strlen(host), dl = strlen(domain);

	return hl >= dl && memcmp(host + hl - dl, domain, dl) == 0;
}

bool
egress_pac_fn_local_host_or_domain_is(const char *host, const char *hostdom)
{
	size_t	hl = strlen(host);

	if (strcmp(host, hostdom) == 0)
		return true;
	/* hostdom starts with host + "." */
	return strncmp(hostdom, host, hl) == 0 && hostdom[hl] == '.';
}

unsigned
egress_pac_fn_dns_domain_levels(const char *host)
{
	unsigned	n = 0;

	for (; *host != '\0'; host++)
		if (*host == '.')
			n++;
	return n;
}

bool
egress_pac_fn_is_ipv4(const char *s, uint32_t *ret_addr)
{
	uint32_t	addr = 0;
	unsigned	part, digits;
	int		i;

	for (i = 0; i < 4; i++) {
		if (i > 0 && *s++ != '.')
			return false;
		part = 0;
		for (digits = 0; *s >= '0' && *s <= '9'; s++, digits++) {
			if (digits == 3)
				return false;
			part = part * 10 + (unsigned)(*s - '0');
		}
		if (digits == 0 || part > 255)
			return false;
		addr = addr << 8 | part;
	}
	if (*s != '\0')
		return false;
	if (ret_addr != NULL)
		*ret_addr = addr;
	return true;
}

static void
ipv4_format(uint32_t a, char *buf, size_t sz)
{
	(void)snprintf(buf, sz, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff,
	    a & 0xff);
}

/* dnsResolve as a number; 0 or -ENOENT. */
static int
resolve4(const struct egress_pac_fn_dns *dns, const char *host, uint32_t *ret_addr)
{
	if (egress_pac_fn_is_ipv4(host, ret_addr))
		return 0;
	if (dns == NULL || dns->name == NULL || dns->name[0] == '\0' ||
	    strcasecmp(host, dns->name) != 0 || dns->ip.family != AF_INET)
		return -ENOENT;
	*ret_addr = ntohl(dns->ip.u.v4.s_addr);
	return 0;
}

int
egress_pac_fn_dns_resolve(const struct egress_pac_fn_dns *dns, const char *host, char *buf,
    size_t sz)
{
	uint32_t	a;
	int		r;

	if ((r = resolve4(dns, host, &a)) != 0)
		return r;
	ipv4_format(a, buf, sz);
	return 0;
}

bool
egress_pac_fn_is_resolvable(const struct egress_pac_fn_dns *dns, const char *host)
{
	uint32_t	a;

	return resolve4(dns, host, &a) == 0;
}

const char *
egress_pac_fn_my_ip_address(const struct egress_pac_fn_dns *dns, char *buf, size_t sz)
{
	const void	*src = NULL;

	if (dns != NULL && dns->my_ip.family == AF_INET)
		src = &dns->my_ip.u.v4;
	else if (dns != NULL && dns->my_ip.family == AF_INET6)
		src = &dns->my_ip.u.v6;
	if (src == NULL || inet_ntop(dns->my_ip.family, src, buf, (socklen_t)sz) == NULL)
		(void)snprintf(buf, sz, "127.0.0.1");
	return buf;
}

bool
egress_pac_fn_is_in_net(const struct egress_pac_fn_dns *dns, const char *host,
    const char *pattern, const char *mask)
{
	uint32_t	h, p, m;

	if (!egress_pac_fn_is_ipv4(pattern, &p) || !egress_pac_fn_is_ipv4(mask, &m))
		return false;
	if (resolve4(dns, host, &h) != 0)
		return false;
	return (h & m) == (p & m);
}

int32_t
egress_pac_fn_convert_addr(const char *ipchars)
{
	uint32_t	r = 0, part;
	const char	*s = ipchars;
	int		i;

	/*
	 * JavaScript splits on '.', and a part that is not a number (or is
	 * missing) counts as 0 under "& 0xff"; a decimal number keeps its
	 * value modulo 256.
	 */
	for (i = 0; i < 4; i++) {
		const char	*end = strchr(s, '.');
		size_t		 len = end != NULL ? (size_t)(end - s) : strlen(s);
		size_t		 k;

		part = 0;
		for (k = 0; k < len; k++) {
			if (s[k] < '0' || s[k] > '9') {
				part = 0;
				break;
			}
			part = (part * 10 + (uint32_t)(s[k] - '0')) & 0xff;
		}
		r = r << 8 | part;
		if (end == NULL) {
			/* The missing parts are 0. */
			r <<= 8 * (3 - i);
			break;
		}
		s = end + 1;
	}
	return (int32_t)r;
}

int
egress_pac_fn_sh_exp_match(const char *str, size_t slen, const char *pattern, size_t plen)
{
	size_t	s = 0, p = 0, star = 0, mark = 0;
	bool	have_star = false;

	if (slen > EGRESS_PAC_FN_MATCH_MAX || plen > EGRESS_PAC_FN_MATCH_MAX)
		return -E2BIG;
	/*
	 * Greedy with one resume point: on a mismatch, the last '*' takes one
	 * more byte and matching resumes after it.  An earlier '*' never needs
	 * to be revisited (the text it could give up is matched by the later
	 * one), so the work is at most slen * plen, not exponential.
	 */
	while (s < slen) {
		if (p < plen && pattern[p] == '*') {
			have_star = true;
			star = p++;
			mark = s;
		} else if (p < plen && (pattern[p] == '?' || pattern[p] == str[s])) {
			p++;
			s++;
		} else if (have_star) {
			p = star + 1;
			s = ++mark;
		} else
			return 0;
	}
	while (p < plen && pattern[p] == '*')
		p++;
	return p == plen;
}

/* A time-function argument: decimal digits only, <= PAC_FN_NUM_MAX; -1 otherwise. */
static long
num_arg(const char *s)
{
	long	v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > PAC_FN_NUM_MAX)
			return -1;
	}
	return v;
}

static int
name_index(const char *s, const char *const *names, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

static const char *const wdays[] = { "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT" };
static const char *const months[] = { "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL",
	"AUG", "SEP", "OCT", "NOV", "DEC" };

/* Strip a last "GMT"; pick the broken-down time it selects. */
static const struct tm *
strip_gmt(const char *const *argv, size_t *argc, const struct egress_pac_fn_now *now)
{
	if (*argc > 0 && strcmp(argv[*argc - 1], "GMT") == 0) {
		(*argc)--;
		return &now->gmt;
	}
	return &now->local;
}

static int
in_range(long lo, long hi, long v)
{
	if (lo <= hi)
		return lo <= v && v <= hi;
	return v >= lo || v <= hi;
}

int
egress_pac_fn_weekday_range(const char *const *argv, size_t argc,
    const struct egress_pac_fn_now *now)
{
	const struct tm	*tm;
	int		 wd1, wd2;

	if (argc > EGRESS_PAC_FN_ARGS_MAX)
		return -EINVAL;
	tm = strip_gmt(argv, &argc, now);
	if (argc < 1 || argc > 2)
		return -EINVAL;
	wd1 = name_index(argv[0], wdays, 7);
	wd2 = argc == 2 ? name_index(argv[1], wdays, 7) : wd1;
	if (wd1 < 0 || wd2 < 0)
		return -EINVAL;
	return in_range(wd1, wd2, tm->tm_wday);
}

/* dateRange fields present in one half. */
#define DATE_DAY	0x1
#define DATE_MON	0x2
#define DATE_YEAR	0x4

struct date_half {
	unsigned	fields;
	long		day, mon, year;
};

static int
date_half_parse(const char *const *argv, size_t n, struct date_half *h)
{
	size_t	i;
	long	v;
	int	m;

	memset(h, 0, sizeof(*h));
	for (i = 0; i < n; i++) {
		if ((m = name_index(argv[i], months, 12)) >= 0) {
			if (h->fields & DATE_MON)
				return -EINVAL;
			h->fields |= DATE_MON;
			h->mon = m;
		} else if ((v = num_arg(argv[i])) >= 1 && v <= 31) {
			if (h->fields & DATE_DAY)
				return -EINVAL;
			h->fields |= DATE_DAY;
			h->day = v;
		} else if (v >= 32) {
			if (h->fields & DATE_YEAR)
				return -EINVAL;
			h->fields |= DATE_YEAR;
			h->year = v;
		} else
			return -EINVAL;
	}
	/* A day and a year with no month between them is no form. */
	if (h->fields == (DATE_DAY | DATE_YEAR))
		return -EINVAL;
	return 0;
}

/* The fields of a date as one number that orders them (year, month, day). */
static long
date_key(unsigned fields, long year, long mon, long day)
{
	long	k = 0;

	if (fields & DATE_YEAR)
		k = year;
	if (fields & DATE_MON)
		k = k * 12 + mon;
	if (fields & DATE_DAY)
		k = k * 32 + day;
	return k;
}

int
egress_pac_fn_date_range(const char *const *argv, size_t argc,
    const struct egress_pac_fn_now *now)
{
	const struct tm		*tm;
	struct date_half	 a, b;
	long			 k;

	if (argc > EGRESS_PAC_FN_ARGS_MAX)
		return -EINVAL;
	tm = strip_gmt(argv, &argc, now);
	if (argc == 1) {
		if (date_half_parse(argv, 1, &a) != 0)
			return -EINVAL;
		b = a;
	} else if (argc == 2 || argc == 4 || argc == 6) {
		if (date_half_parse(argv, argc / 2, &a) != 0 ||
		    date_half_parse(argv + argc / 2, argc / 2, &b) != 0 ||
		    a.fields != b.fields)
			return -EINVAL;
	} else
		return -EINVAL;
	k = date_key(a.fields, tm->tm_year + 1900L, tm->tm_mon, tm->tm_mday);
	return in_range(date_key(a.fields, a.year, a.mon, a.day),
	    date_key(b.fields, b.year, b.mon, b.day), k);
}

/* Seconds of the day from (h, m, s) arguments; -1 when malformed. */
static long
tod_arg(const char *h, const char *m, const char *s, long s_default)
{
	long	hv = num_arg(h), mv = num_arg(m), sv = s != NULL ? num_arg(s) : s_default;

	if (hv < 0 || hv > 24 || mv < 0 || mv > 59 || sv < 0 || sv > 59)
		return -1;
	return hv * 3600 + mv * 60 + sv;
}

int
egress_pac_fn_time_range(const char *const *argv, size_t argc,
    const struct egress_pac_fn_now *now)
{
	const struct tm	*tm;
	long		 t1, t2, h1, h2, cur;

	if (argc > EGRESS_PAC_FN_ARGS_MAX)
		return -EINVAL;
	tm = strip_gmt(argv, &argc, now);
	cur = tm->tm_hour * 3600L + tm->tm_min * 60L + tm->tm_sec;
	switch (argc) {
	case 1:
		if ((h1 = num_arg(argv[0])) < 0 || h1 > 24)
			return -EINVAL;
		return tm->tm_hour == h1;
	case 2:
		h1 = num_arg(argv[0]);
		h2 = num_arg(argv[1]);
		if (h1 < 0 || h1 > 24 || h2 < 0 || h2 > 24)
			return -EINVAL;
		return h1 <= tm->tm_hour && tm->tm_hour <= h2;
	case 4:
		t1 = tod_arg(argv[0], argv[1], NULL, 0);
		t2 = tod_arg(argv[2], argv[3], NULL, 59);
		break;
	case 6:
		t1 = tod_arg(argv[0], argv[1], argv[2], 0);
		t2 = tod_arg(argv[3], argv[4], argv[5], 0);
		break;
	default:
		return -EINVAL;
	}
	if (t1 < 0 || t2 < 0)
		return -EINVAL;
	return in_range(t1, t2, cur);
}
