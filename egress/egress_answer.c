/*
 * egress_answer: PAC result strings in, an ordered list of routes out.
 *
 * The grammar read is the browsers' one, strictly: entries separated by
 * ';', each a keyword and, except for DIRECT, one "host:port".  A missing
 * port takes the browsers' default (80 for PROXY/HTTP, 1080 for SOCKS).
 * Anything we cannot use is skipped and named in err, so an answer never
 * silently turns into something the PAC did not say; when nothing usable
 * is left the answer is REFUSE (fail closed).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "egress/egress_answer.h"

/* Docker's documented "refuse" proxy: any port. */
#define ANSWER_REJECT_HOST	"reject.docker.internal"
#define ANSWER_PORT_HTTP	80
#define ANSWER_PORT_SOCKS	1080

static bool
answer_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A host name: LDH labels (and '_', seen in the wild), 1..63 each. */
bool
egress_answer_name_ok(const char *h)
{
	size_t	label = 0, total = 0;

	if (*h == '\0' || *h == '.' || *h == '-')
		return false;
	for (; *h != '\0'; h++) {
		if (++total >= EGRESS_HOST_MAX)
			return false;
		if (*h == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*h) && *h != '-' && *h != '_')
			return false;
		if (++label > 63)
			return false;
	}
	return true;
}

int
egress_answer_hostport(const char *s, uint16_t defport, char *ret_host, size_t sz,
    uint16_t *ret_port)
{
	struct egress_addr	 a;
	char			 host[EGRESS_HOST_MAX];
	const char		*end, *colon, *p;
	unsigned long		 port = 0;
	size_t			 hlen, i;

	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL)
			return -EINVAL;
		hlen = (size_t)(end - s - 1);
		if (hlen == 0 || hlen >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, hlen);
		host[hlen] = '\0';
		if (strchr(host, ':') == NULL || egress_addr_parse(host, &a) != 0)
			return -EINVAL;
		p = end + 1;
		if (*p == '\0')
			colon = NULL;
		else if (*p == ':')
			colon = p;
		else
			return -EINVAL;
	} else {
		colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			return -EINVAL;	/* a bare IPv6 address: ambiguous */
		hlen = colon != NULL ? (size_t)(colon - s) : strlen(s);
		if (hlen == 0 || hlen >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, hlen);
		host[hlen] = '\0';
		if (!egress_answer_name_ok(host))
			return -EINVAL;
	}
	for (i = 0; i < hlen; i++)
		host[i] = (char)tolower((unsigned char)host[i]);
	if (colon != NULL) {
		p = colon + 1;
		if (*p == '\0' || strlen(p) > 5 || strspn(p, "0123456789") != strlen(p))
			return -EINVAL;
		for (; *p != '\0'; p++)
			port = port * 10 + (unsigned long)(*p - '0');
		if (port == 0 || port > 65535)
			return -EINVAL;
	} else if (defport != 0)
		port = defport;
	else
		return -EINVAL;
	if (hlen + 1 > sz)
		return -EINVAL;
	memcpy(ret_host, host, hlen + 1);
	*ret_port = (uint16_t)port;
	return 0;
}

/* Docker's "refuse": the host reject.docker.internal, with any port or none. */
static bool
answer_is_reject(const char *s)
{
	size_t	n = sizeof(ANSWER_REJECT_HOST) - 1;

	return strncasecmp(s, ANSWER_REJECT_HOST, n) == 0 &&
	    (s[n] == '\0' || s[n] == ':');
}

/* Note a skipped entry in err (the first few; the message stays one line). */
static void
answer_skip(struct dw_err *err, size_t *nskip, const char *entry, const char *why)
{
	size_t	len;

	if (err == NULL)
		return;
	len = strlen(err->msg);
	if (*nskip == 0)
		snprintf(err->msg, sizeof(err->msg), "skipped \"%.64s\" (%s)", entry, why);
	else if (len + 2 < sizeof(err->msg))
		snprintf(err->msg + len, sizeof(err->msg) - len, ", \"%.64s\" (%s)", entry, why);
	(*nskip)++;
}

int
egress_answer_parse(const char *s, size_t len, struct egress_answer *out,
    struct dw_err *err)
{
	struct egress_answer	 a;
	struct egress_route	 rt;
	char			 buf[EGRESS_ANSWER_MAX + 1];
	char			*entry, *next, *end, *kw, *arg;
	size_t			 nskip = 0, nentries = 0;
	uint16_t		 defport;
	bool			 reject, ended = false, dropped = false;
	enum egress_route_kind	 kind;
	int			 r = 0;

	dw_err_clear(err);
	memset(&a, 0, sizeof(a));
	if (len == 0) {
		dw_err_set(err, "an empty answer");
		r = -EINVAL;
		goto out;
	}
	if (len > EGRESS_ANSWER_MAX) {
		dw_err_set(err, "an answer of %zu bytes (at most %d)", len, EGRESS_ANSWER_MAX);
		r = -E2BIG;
		goto out;
	}
	if (memchr(s, '\0', len) != NULL) {
		dw_err_set(err, "a NUL byte in the answer");
		r = -EINVAL;
		goto out;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	for (entry = buf; entry != NULL && !ended; entry = next) {
		if ((next = strchr(entry, ';')) != NULL)
			*next++ = '\0';
		while (answer_blank(*entry))
			entry++;
		end = entry + strlen(entry);
		while (end > entry && answer_blank(end[-1]))
			*--end = '\0';
		if (*entry == '\0')
			continue;	/* "DIRECT;" and "; ;" are common */
		nentries++;
		kw = entry;
		for (arg = kw; *arg != '\0' && !answer_blank(*arg); arg++)
			;
		if (*arg != '\0') {
			*arg++ = '\0';
			while (answer_blank(*arg))
				arg++;
		}
		memset(&rt, 0, sizeof(rt));
		if (strcasecmp(kw, "DIRECT") == 0) {
			if (*arg != '\0') {
				answer_skip(err, &nskip, kw, "DIRECT takes no address");
				continue;
			}
			kind = EGRESS_ROUTE_DIRECT;
		} else if (strcasecmp(kw, "PROXY") == 0 || strcasecmp(kw, "HTTP") == 0) {
			kind = EGRESS_ROUTE_PROXY;
		} else if (strcasecmp(kw, "SOCKS5") == 0 || strcasecmp(kw, "SOCKS") == 0) {
			kind = EGRESS_ROUTE_SOCKS5;
		} else if (strcasecmp(kw, "HTTPS") == 0 || strcasecmp(kw, "QUIC") == 0 ||
		    strcasecmp(kw, "SOCKS4") == 0) {
			answer_skip(err, &nskip, kw, "not supported");
			continue;
		} else {
			answer_skip(err, &nskip, kw, "unknown keyword");
			continue;
		}
		if (kind != EGRESS_ROUTE_DIRECT) {
			if (*arg == '\0') {
				answer_skip(err, &nskip, kw, "no proxy address");
				continue;
			}
			if (strpbrk(arg, " \t\r\n") != NULL) {
				answer_skip(err, &nskip, arg, "one host:port expected");
				continue;
			}
			defport = kind == EGRESS_ROUTE_PROXY ? ANSWER_PORT_HTTP : ANSWER_PORT_SOCKS;
			reject = answer_is_reject(arg);
			if (!reject && egress_answer_hostport(arg, defport, rt.host,
			    sizeof(rt.host), &rt.port) != 0) {
				answer_skip(err, &nskip, arg, "bad host:port");
				continue;
			}
			if (reject) {
				/* Docker's "refuse": nothing after it is tried. */
				kind = EGRESS_ROUTE_REFUSE;
				memset(&rt, 0, sizeof(rt));
				ended = true;
			}
		}
		if (a.n == EGRESS_ROUTES_MAX) {
			dropped = true;
			break;
		}
		rt.kind = kind;
		a.r[a.n++] = rt;
	}
	if (dropped && err != NULL) {
		len = strlen(err->msg);
		snprintf(err->msg + len, sizeof(err->msg) - len, "%sonly the first %d routes are used",
		    len ? "; " : "", EGRESS_ROUTES_MAX);
	}
	if (a.n == 0) {
		if (nentries == 0)
			dw_err_set(err, "an empty answer");
		else if (nskip > 0)
			dw_err_prefix(err, "no usable route");
		r = -EINVAL;
	}
out:
	if (r != 0)
		egress_answer_one(&a, EGRESS_ROUTE_REFUSE, NULL, 0);
	*out = a;
	return r;
}

size_t
egress_answer_format(const struct egress_answer *a, char *buf, size_t sz)
{
	const struct egress_route	*r;
	size_t				 len = 0, i;
	int				 n;

	if (sz == 0)
		return 0;
	buf[0] = '\0';
	for (i = 0; i < a->n && i < EGRESS_ROUTES_MAX && len < sz - 1; i++) {
		r = &a->r[i];
		switch (r->kind) {
		case EGRESS_ROUTE_DIRECT:
			n = snprintf(buf + len, sz - len, "%sDIRECT", i ? "; " : "");
			break;
		case EGRESS_ROUTE_PROXY:
		case EGRESS_ROUTE_SOCKS5:
			n = snprintf(buf + len, sz - len,
			    strchr(r->host, ':') != NULL ? "%s%s [%s]:%u" : "%s%s %s:%u",
			    i ? "; " : "", r->kind == EGRESS_ROUTE_PROXY ? "PROXY" : "SOCKS5",
			    r->host, (unsigned)r->port);
			break;
		default:
			n = snprintf(buf + len, sz - len, "%sREFUSE", i ? "; " : "");
			break;
		}
		if (n < 0)
			break;
		len += (size_t)n;
	}
	if (a->n == 0)
		len = (size_t)snprintf(buf, sz, "REFUSE");
	if (len > sz - 1)
		len = sz - 1;
	return len;
}

void
egress_answer_one(struct egress_answer *a, enum egress_route_kind kind,
    const char *host, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->n = 1;
	a->r[0].kind = kind;
	if (host != NULL)
		snprintf(a->r[0].host, sizeof(a->r[0].host), "%s", host);
	a->r[0].port = port;
}
