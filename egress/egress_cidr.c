/*
 * egress_cidr: the CIDR half of egress_addr.h (declared there; a file of
 * its own because every public function of X.c is named X_...).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "egress/egress_addr.h"

/* The address's bytes in network order and their count. */
static const unsigned char *
addr_bytes(const struct egress_addr *a, size_t *n)
{
	if (a->family == AF_INET) {
		*n = 4;
		return (const unsigned char *)&a->u.v4;
	}
	*n = 16;
	return a->u.v6.s6_addr;
}

/* Zero the bits after prefix, so that "10.1.2.3/8" is kept as 10.0.0.0/8. */
static void
cidr_mask(struct egress_cidr *c)
{
	unsigned char	*b;
	size_t		 n, i;
	unsigned	 bits = c->prefix;

	if (c->addr.family == AF_INET) {
		b = (unsigned char *)&c->addr.u.v4;
		n = 4;
	} else {
		b = c->addr.u.v6.s6_addr;
		n = 16;
	}
	for (i = 0; i < n; i++) {
		if (bits >= 8) {
			bits -= 8;
			continue;
		}
		b[i] &= (unsigned char)(0xff00u >> bits);
		bits = 0;
	}
}

/*
 * "addr" or "addr/prefix", prefix in decimal without sign or leading
 * blanks.  An IPv4-mapped IPv6 prefix ("::ffff:10.0.0.0/104") becomes the
 * IPv4 one (10.0.0.0/8); one shorter than /96 would cover IPv6 addresses
 * that are not mapped at all and is refused.
 */
int
egress_cidr_parse(const char *s, struct egress_cidr *out, struct dw_err *err)
{
	struct egress_cidr	 c;
	char			 buf[EGRESS_ADDR_STRLEN + 8];
	const char		*slash, *p;
	unsigned long		 prefix = 0;
	unsigned		 max;
	size_t			 alen;
	bool			 v6text, has_prefix;

	if (s == NULL || *s == '\0') {
		dw_err_set(err, "an empty address");
		return -EINVAL;
	}
	slash = strchr(s, '/');
	alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (alen == 0 || alen >= sizeof(buf)) {
		dw_err_set(err, "\"%.64s\": not an IP address or CIDR", s);
		return -EINVAL;
	}
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(&c, 0, sizeof(c));
	if (egress_addr_parse(buf, &c.addr) != 0) {
		dw_err_set(err, "\"%.64s\": not an IP address or CIDR", s);
		return -EINVAL;
	}
	v6text = strchr(buf, ':') != NULL;
	has_prefix = slash != NULL;
	if (has_prefix) {
		p = slash + 1;
		if (*p == '\0' || strlen(p) > 3 || strspn(p, "0123456789") != strlen(p)) {
			dw_err_set(err, "\"%.64s\": the prefix length must be a number", s);
			return -EINVAL;
		}
		for (; *p != '\0'; p++)
			prefix = prefix * 10 + (unsigned long)(*p - '0');
	}
	max = v6text ? 128 : 32;
	if (!has_prefix)
		prefix = max;
	if (prefix > max) {
		dw_err_set(err, "\"%.64s\": the prefix length is at most %u", s, max);
		return -EINVAL;
	}
	if (v6text && c.addr.family == AF_INET) {
		if (prefix < 96) {
			dw_err_set(err, "\"%.64s\": an IPv4-mapped prefix must be /96 or longer",
			    s);
			return -EINVAL;
		}
		prefix -= 96;
	}
	c.prefix = (unsigned)prefix;
	cidr_mask(&c);
	*out = c;
	return 0;
}

bool
egress_cidr_contains(const struct egress_cidr *c, const struct egress_addr *a)
{
	const unsigned char	*x, *y;
	size_t			 n, m, i;
	unsigned		 bits = c->prefix;
	unsigned char		 mask;

	if (c->addr.family != a->family ||
	    (a->family != AF_INET && a->family != AF_INET6))
		return false;
	x = addr_bytes(&c->addr, &n);
	y = addr_bytes(a, &m);
	if (bits > n * 8)
		return false;
	for (i = 0; i < n && bits > 0; i++) {
		if (bits >= 8) {
			if (x[i] != y[i])
				return false;
			bits -= 8;
			continue;
		}
		mask = (unsigned char)(0xff00u >> bits);
		if ((x[i] & mask) != (y[i] & mask))
			return false;
		bits = 0;
	}
	return true;
}
