/*
 * egress_peek: the Host header and the TLS SNI from a connection's first
 * bytes.  See egress_peek.h.  Every index is checked against the bytes we
 * have before it is read; nothing here allocates.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include "egress/egress_peek.h"

#define TLS_RECORD_HANDSHAKE	0x16
#define TLS_RECORD_MAX		16384	/* a plaintext record's payload (2^14) */
#define TLS_HS_CLIENT_HELLO	1
#define TLS_EXT_SERVER_NAME	0
#define TLS_SNI_HOST_NAME	0
#define DNS_NAME_MAX		253	/* a name without its final dot */

const char *
egress_peek_result_name(enum egress_peek_result r)
{
	switch (r) {
	case EGRESS_PEEK_NEED_MORE:
		return "need-more";
	case EGRESS_PEEK_FOUND:
		return "found";
	case EGRESS_PEEK_NONE:
		return "none";
	case EGRESS_PEEK_MALFORMED:
		return "malformed";
	}
	return "malformed";
}

/* Not all there yet: wait, unless the caller will never peek more. */
static enum egress_peek_result
incomplete(size_t len, size_t limit)
{
	return len >= limit ? EGRESS_PEEK_NONE : EGRESS_PEEK_NEED_MORE;
}

static enum egress_peek_result
malformed(struct dw_err *err, const char *why)
{
	dw_err_set(err, "%s", why);
	return EGRESS_PEEK_MALFORMED;
}

/* RFC 9110 tchar. */
static bool
is_tchar(uint8_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static uint8_t
lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a') : c;
}

/*
 * A DNS name (letters, digits, '-', '_', dots between non-empty labels, one
 * final dot dropped), lower-cased into name.  FOUND or MALFORMED.
 */
static enum egress_peek_result
name_copy(const uint8_t *s, size_t n, char name[EGRESS_HOST_MAX], struct dw_err *err)
{
	size_t	i;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0)
		return malformed(err, "empty host name");
	if (n > DNS_NAME_MAX)
		return malformed(err, "host name longer than 253 characters");
	for (i = 0; i < n; i++) {
		uint8_t	c = s[i];

		if (c == '.') {
			if (i == 0 || s[i - 1] == '.')
				return malformed(err, "empty label in host name");
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return malformed(err, "invalid character in host name");
	}
	for (i = 0; i < n; i++)
		name[i] = (char)lower(s[i]);
	name[n] = '\0';
	return EGRESS_PEEK_FOUND;
}

/*
 * "host", "host:port", "[v6]", "[v6]:port" (the Host header's grammar,
 * also an absolute URI's authority) into name.  Empty: NONE.
 */
static enum egress_peek_result
host_parse(const uint8_t *s, size_t n, char name[EGRESS_HOST_MAX], struct dw_err *err)
{
	char		 v6[INET6_ADDRSTRLEN];
	struct in6_addr	 a6;
	size_t		 i, hlen, p;
	unsigned long	 port = 0;

	if (n == 0)
		return EGRESS_PEEK_NONE;
	if (s[0] == '[') {
		for (i = 1; i < n && s[i] != ']'; i++)
			;
		if (i == n)
			return malformed(err, "unterminated IPv6 literal in host");
		hlen = i - 1;
		if (hlen == 0 || hlen >= sizeof(v6))
			return malformed(err, "bad IPv6 literal in host");
		memcpy(v6, s + 1, hlen);
		v6[hlen] = '\0';
		if (strspn(v6, "0123456789abcdefABCDEF:.") != hlen ||
		    inet_pton(AF_INET6, v6, &a6) != 1)
			return malformed(err, "bad IPv6 literal in host");
		p = i + 1;
	} else {
		for (i = 0; i < n && s[i] != ':'; i++)
			;
		hlen = i;
		p = i;
	}
	if (p < n) {
		if (s[p] != ':')
			return malformed(err, "junk after the IPv6 literal in host");
		if (n - p - 1 > 5)
			return malformed(err, "bad port in host");
		for (i = p + 1; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return malformed(err, "bad port in host");
			port = port * 10 + (unsigned long)(s[i] - '0');
		}
		if (port > 65535)
			return malformed(err, "bad port in host");
	}
	if (s[0] == '[') {
		for (i = 0; i < hlen; i++)
			name[i] = (char)lower((uint8_t)v6[i]);
		name[hlen] = '\0';
		return EGRESS_PEEK_FOUND;
	}
	return name_copy(s, hlen, name, err);
}

/* Case-insensitive: s[0, n) begins with the lower-case prefix. */
static bool
has_prefix_ci(const uint8_t *s, size_t n, const char *prefix)
{
	size_t	i, pl = strlen(prefix);

	if (n < pl)
		return false;
	for (i = 0; i < pl; i++)
		if (lower(s[i]) != (uint8_t)prefix[i])
			return false;
	return true;
}

/*
 * The authority of an absolute-form request target ("http://h:p/x"), or
 * nothing (*ret_n 0) for the origin and asterisk forms.
 */
static enum egress_peek_result
target_authority(const uint8_t *t, size_t n, const uint8_t **ret_a, size_t *ret_n,
    struct dw_err *err)
{
	size_t	i, skip;

	*ret_a = NULL;
	*ret_n = 0;
	if (has_prefix_ci(t, n, "http://"))
		skip = 7;
	else if (has_prefix_ci(t, n, "https://"))
		skip = 8;
	else
		return EGRESS_PEEK_FOUND;
	for (i = skip; i < n && t[i] != '/' && t[i] != '?' && t[i] != '#'; i++)
		if (t[i] == '@')
			return malformed(err, "user information in the request target");
	*ret_a = t + skip;
	*ret_n = i - skip;
	return EGRESS_PEEK_FOUND;
}

/* A line ending at b[i]: 1 (LF) or 2 (CRLF) bytes, 0 incomplete, -1 bare CR. */
static int
eol_at(const uint8_t *b, size_t len, size_t i)
{
	if (b[i] == '\n')
		return 1;
	if (i + 1 >= len)
		return 0;
	return b[i + 1] == '\n' ? 2 : -1;
}

enum egress_peek_result
egress_peek_http_host(const uint8_t *b, size_t len, size_t limit,
    char name[EGRESS_HOST_MAX], struct dw_err *err)
{
	enum egress_peek_result	 r;
	const uint8_t		*host = NULL, *auth;
	size_t			 i, t0, t1, hn = 0, an, n0, v0, v1;
	char			 tname[EGRESS_HOST_MAX];
	int			 e;
	bool			 seen_host = false;
	static const char	 ver[] = "HTTP/1.";

	if (len > limit)
		len = limit;
	/* The method: upper-case letters (and '-', '_'), then one space. */
	for (i = 0; i < len && ((b[i] >= 'A' && b[i] <= 'Z') || b[i] == '-' || b[i] == '_'); i++)
		if (i >= EGRESS_PEEK_METHOD_MAX)
			return EGRESS_PEEK_NONE;
	if (i == len)
		return incomplete(len, limit);
	if (i == 0 || b[i] != ' ')
		return EGRESS_PEEK_NONE;
	/* The request target: visible characters up to a space. */
	t0 = ++i;
	while (i < len && b[i] > 0x20 && b[i] < 0x7f)
		i++;
	if (i == len)
		return incomplete(len, limit);
	if (b[i] == '\r' || b[i] == '\n')
		return EGRESS_PEEK_NONE;	/* HTTP/0.9: no headers, no name */
	if (b[i] != ' ' || i == t0)
		return malformed(err, "bad request target");
	t1 = i++;
	/* HTTP/1.x: the only version with a Host header in plain text. */
	for (n0 = 0; n0 < sizeof(ver) - 1; n0++, i++) {
		if (i == len)
			return incomplete(len, limit);
		if (b[i] != (uint8_t)ver[n0])
			return EGRESS_PEEK_NONE;
	}
	if (i == len)
		return incomplete(len, limit);
	if (b[i] < '0' || b[i] > '9')
		return EGRESS_PEEK_NONE;
	if (++i == len)
		return incomplete(len, limit);
	if (b[i] != '\r' && b[i] != '\n')
		return malformed(err, "junk after the HTTP version");
	if ((e = eol_at(b, len, i)) == 0)
		return incomplete(len, limit);
	if (e < 0)
		return malformed(err, "bare CR in the request line");
	i += (size_t)e;

	/* Header lines up to the empty one. */
	for (;;) {
		if (i == len)
			return incomplete(len, limit);
		if (b[i] == '\r' || b[i] == '\n') {
			if ((e = eol_at(b, len, i)) == 0)
				return incomplete(len, limit);
			if (e < 0)
				return malformed(err, "bare CR in the header");
			break;
		}
		if (b[i] == ' ' || b[i] == '\t')
			return malformed(err, "folded or indented header line");
		n0 = i;
		while (i < len && is_tchar(b[i]))
			i++;
		if (i == len)
			return incomplete(len, limit);
		if (b[i] != ':' || i == n0)
			return malformed(err, "bad header name");
		if (i - n0 == 4 && has_prefix_ci(b + n0, 4, "host")) {
			if (seen_host)
				return malformed(err, "two Host headers");
			seen_host = true;
		} else
			n0 = SIZE_MAX;
		i++;
		while (i < len && (b[i] == ' ' || b[i] == '\t'))
			i++;
		v0 = i;
		while (i < len && b[i] != '\r' && b[i] != '\n') {
			if ((b[i] < 0x20 && b[i] != '\t') || b[i] == 0x7f)
				return malformed(err, "control character in a header");
			i++;
		}
		if (i == len)
			return incomplete(len, limit);
		if ((e = eol_at(b, len, i)) == 0)
			return incomplete(len, limit);
		if (e < 0)
			return malformed(err, "bare CR in a header");
		v1 = i;
		while (v1 > v0 && (b[v1 - 1] == ' ' || b[v1 - 1] == '\t'))
			v1--;
		if (n0 != SIZE_MAX) {
			host = b + v0;
			hn = v1 - v0;
		}
		i += (size_t)e;
	}

	if ((r = target_authority(b + t0, t1 - t0, &auth, &an, err)) != EGRESS_PEEK_FOUND)
		return r;
	if (auth != NULL) {
		if ((r = host_parse(auth, an, tname, err)) == EGRESS_PEEK_MALFORMED)
			return r;
		if (r == EGRESS_PEEK_NONE)
			return malformed(err, "empty authority in the request target");
		if (seen_host) {
			char	hname[EGRESS_HOST_MAX];

			if (host_parse(host, hn, hname, err) != EGRESS_PEEK_FOUND ||
			    strcmp(hname, tname) != 0)
				return malformed(err, "Host header and request target disagree");
		}
		memcpy(name, tname, strlen(tname) + 1);
		return EGRESS_PEEK_FOUND;
	}
	if (!seen_host)
		return EGRESS_PEEK_NONE;
	return host_parse(host, hn, name, err);
}

static size_t
be16(const uint8_t *p)
{
	return (size_t)p[0] << 8 | p[1];
}

static size_t
be24(const uint8_t *p)
{
	return (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
}

/* The server_name extension's body: one host_name, valid. */
static enum egress_peek_result
sni_parse(const uint8_t *e, size_t n, char name[EGRESS_HOST_MAX], struct dw_err *err)
{
	enum egress_peek_result	r = EGRESS_PEEK_NONE;
	size_t			p = 2, l;

	if (n < 2 || be16(e) != n - 2 || n == 2)
		return malformed(err, "bad server_name list length");
	while (p < n) {
		if (n - p < 3)
			return malformed(err, "truncated server_name entry");
		l = be16(e + p + 1);
		if (n - p - 3 < l)
			return malformed(err, "truncated server_name entry");
		if (e[p] == TLS_SNI_HOST_NAME) {
			if (r == EGRESS_PEEK_FOUND)
				return malformed(err, "two host_name entries in server_name");
			if ((r = name_copy(e + p + 3, l, name, err)) != EGRESS_PEEK_FOUND)
				return r;
		}
		p += 3 + l;
	}
	return r;
}

/* A complete ClientHello body (after the 4-byte handshake header). */
static enum egress_peek_result
hello_parse(const uint8_t *h, size_t n, char name[EGRESS_HOST_MAX], struct dw_err *err)
{
	enum egress_peek_result	r = EGRESS_PEEK_NONE;
	uint8_t			seen[65536 / 8];
	size_t			p, l, end, type;

	p = 2 + 32;			/* legacy_version, random */
	if (n < p + 1)
		return malformed(err, "truncated ClientHello");
	l = h[p];
	if (l > 32 || n - p - 1 < l)
		return malformed(err, "bad session id length");
	p += 1 + l;
	if (n - p < 2)
		return malformed(err, "truncated ClientHello");
	l = be16(h + p);
	if (l < 2 || l % 2 != 0 || n - p - 2 < l)
		return malformed(err, "bad cipher suites length");
	p += 2 + l;
	if (n - p < 1)
		return malformed(err, "truncated ClientHello");
	l = h[p];
	if (l < 1 || n - p - 1 < l)
		return malformed(err, "bad compression methods length");
	p += 1 + l;
	if (p == n)
		return EGRESS_PEEK_NONE;	/* no extensions, no name */
	if (n - p < 2 || be16(h + p) != n - p - 2)
		return malformed(err, "bad extensions length");
	p += 2;
	end = n;
	memset(seen, 0, sizeof(seen));
	while (p < end) {
		if (end - p < 4)
			return malformed(err, "truncated extension");
		type = be16(h + p);
		l = be16(h + p + 2);
		if (end - p - 4 < l)
			return malformed(err, "truncated extension");
		if (seen[type / 8] & (1u << (type % 8)))
			return malformed(err, "an extension repeated in ClientHello");
		seen[type / 8] |= (uint8_t)(1u << (type % 8));
		if (type == TLS_EXT_SERVER_NAME &&
		    (r = sni_parse(h + p + 4, l, name, err)) == EGRESS_PEEK_MALFORMED)
			return r;
		p += 4 + l;
	}
	return r;
}

enum egress_peek_result
egress_peek_tls_sni(const uint8_t *b, size_t len, size_t limit,
    char name[EGRESS_HOST_MAX], struct dw_err *err)
{
	uint8_t	hs[EGRESS_PEEK_HELLO_MAX];
	size_t	off = 0, hn = 0, need = 0, rlen, avail, take;

	if (len > limit)
		len = limit;
	while (need == 0 || hn < need) {
		if (off == len)
			return incomplete(len, limit);
		if (b[off] != TLS_RECORD_HANDSHAKE) {
			if (off == 0)
				return EGRESS_PEEK_NONE;
			return malformed(err, "a record of another type inside the ClientHello");
		}
		if (len - off >= 2 && b[off + 1] != 3) {
			if (off == 0)
				return EGRESS_PEEK_NONE;
			return malformed(err, "bad record version inside the ClientHello");
		}
		if (len - off < 5)
			return incomplete(len, limit);
		rlen = be16(b + off + 3);
		if (rlen == 0)
			return malformed(err, "empty handshake record");
		if (rlen > TLS_RECORD_MAX)
			return malformed(err, "record longer than 2^14");
		avail = len - off - 5;
		if (avail > rlen)
			avail = rlen;
		take = avail;
		if (take > sizeof(hs) - hn)
			take = sizeof(hs) - hn;
		memcpy(hs + hn, b + off + 5, take);
		hn += take;
		if (need == 0 && hn >= 4) {
			if (hs[0] != TLS_HS_CLIENT_HELLO)
				return malformed(err, "first handshake message is not a ClientHello");
			need = 4 + be24(hs + 1);
			if (need > sizeof(hs) || need > limit)
				return EGRESS_PEEK_NONE;	/* too big to see: decide on the IP */
		}
		if (need != 0 && hn >= need)
			break;
		if (avail < rlen)
			return incomplete(len, limit);
		off += 5 + rlen;
	}
	return hello_parse(hs + 4, need - 4, name, err);
}
