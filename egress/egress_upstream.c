/*
 * egress_upstream: HTTP CONNECT and SOCKS5 client handshakes as state
 * machines.  See egress_upstream.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "egress/egress_upstream.h"

#define SOCKS_VERSION		5
#define SOCKS_NO_AUTH		0
#define SOCKS_NO_METHOD		0xff
#define SOCKS_CMD_CONNECT	1
#define SOCKS_ATYP_V4		1
#define SOCKS_ATYP_NAME		3
#define SOCKS_ATYP_V6		4
#define SOCKS_NAME_MAX		255

enum {
	S_HTTP_REPLY = 0,	/* CONNECT sent (or being sent): wait for the status */
	S_SOCKS_METHOD,		/* greeting sent: wait for the method */
	S_SOCKS_REPLY,		/* CONNECT sent: wait for the reply */
	S_DONE,
	S_FAILED,
};

const char *
egress_upstream_kind_name(enum egress_upstream_kind kind)
{
	return kind == EGRESS_UPSTREAM_SOCKS5 ? "SOCKS5" : "CONNECT";
}

/* Letters, digits, '-', '.', '_' (a name or an IPv4 address), or an IPv6 address. */
static int
host_kind(const char *host, int *ret_af)
{
	struct in6_addr	a6;
	struct in_addr	a4;
	size_t		n = strlen(host);

	if (n == 0 || n > SOCKS_NAME_MAX)
		return -EINVAL;
	if (inet_pton(AF_INET, host, &a4) == 1) {
		*ret_af = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6) == 1) {
		*ret_af = AF_INET6;
		return 0;
	}
	if (strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") != n)
		return -EINVAL;
	*ret_af = AF_UNSPEC;
	return 0;
}

int
egress_upstream_init(struct egress_upstream_hs *u, enum egress_upstream_kind kind,
    const char *host, uint16_t port, struct dw_err *err)
{
	int	af, n;

	if (host_kind(host, &af) != 0 || port == 0) {
		dw_err_set(err, "%s: cannot ask a proxy for this destination",
		    egress_upstream_kind_name(kind));
		return -EINVAL;
	}
	memset(u, 0, sizeof(*u));
	u->kind = kind;
	u->port = port;
	memcpy(u->host, host, strlen(host) + 1);
	if (kind == EGRESS_UPSTREAM_SOCKS5) {
		u->req[0] = SOCKS_VERSION;
		u->req[1] = 1;
		u->req[2] = SOCKS_NO_AUTH;
		u->req_len = 3;
		u->state = S_SOCKS_METHOD;
		return 0;
	}
	n = snprintf((char *)u->req, sizeof(u->req),
	    "CONNECT %s%s%s:%u HTTP/1.1\r\nHost: %s%s%s:%u\r\n\r\n",
	    af == AF_INET6 ? "[" : "", host, af == AF_INET6 ? "]" : "", port,
	    af == AF_INET6 ? "[" : "", host, af == AF_INET6 ? "]" : "", port);
	if (n < 0 || (size_t)n >= sizeof(u->req)) {
		dw_err_set(err, "CONNECT: request too long");
		return -EINVAL;
	}
	u->req_len = (size_t)n;
	u->state = S_HTTP_REPLY;
	return 0;
}

size_t
egress_upstream_output(const struct egress_upstream_hs *u, const uint8_t **ret_p)
{
	if (u->state == S_DONE || u->state == S_FAILED || u->req_off >= u->req_len)
		return 0;
	*ret_p = u->req + u->req_off;
	return u->req_len - u->req_off;
}

void
egress_upstream_sent(struct egress_upstream_hs *u, size_t n)
{
	if (n > u->req_len - u->req_off)
		n = u->req_len - u->req_off;
	u->req_off += n;
}

bool
egress_upstream_done(const struct egress_upstream_hs *u)
{
	return u->state == S_DONE;
}

static int	fail(struct egress_upstream_hs *, int, struct dw_err *, const char *, ...)
	    __attribute__((format(printf, 4, 5)));

/* The handshake failed: r, with "<kind> proxy: <why>" in err. */
static int
fail(struct egress_upstream_hs *u, int r, struct dw_err *err, const char *fmt, ...)
{
	char	msg[DW_ERR_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dw_err_set(err, "%s proxy: %s", egress_upstream_kind_name(u->kind), msg);
	u->state = S_FAILED;
	return r;
}

/* An HTTP status to an errno: authentication and policy are -EACCES. */
static int
http_status_errno(unsigned status)
{
	if (status == 401 || status == 403 || status == 407)
		return -EACCES;
	if (status == 504)
		return -ETIMEDOUT;
	if (status >= 400 && status < 600)
		return -ECONNREFUSED;
	return -EPROTO;
}

/*
 * The reply head: "HTTP/1.x SSS reason" and header lines up to the empty
 * one, each ending in LF or CRLF.  Nothing after the empty line is read.
 */
static int
http_reply(struct egress_upstream_hs *u, const uint8_t *b, size_t len, size_t *ret_used,
    struct dw_err *err)
{
	static const char	 ver[] = "HTTP/1.";
	size_t			 i, ls = 0, n;
	unsigned		 status = 0;
	bool			 first = true;

	n = len < sizeof(ver) - 1 ? len : sizeof(ver) - 1;
	if (memcmp(b, ver, n) != 0)
		return fail(u, -EPROTO, err, "answer is not HTTP/1.x");
	if (len > EGRESS_UPSTREAM_REPLY_MAX)
		len = EGRESS_UPSTREAM_REPLY_MAX;
	for (i = 0; i < len; i++) {
		if (b[i] == '\r') {
			if (i + 1 == len)
				break;
			if (b[i + 1] != '\n')
				return fail(u, -EPROTO, err, "bare CR in the answer");
			continue;
		}
		if (b[i] != '\n') {
			if ((b[i] < 0x20 && b[i] != '\t') || b[i] == 0x7f)
				return fail(u, -EPROTO, err, "control character in the answer");
			continue;
		}
		/* A line [ls, i] ends here. */
		n = i - ls;
		if (n > 0 && b[i - 1] == '\r')
			n--;
		if (first) {
			/* "HTTP/1.x SSS" then a space or the end of the line. */
			if (n < 12 || b[7] < '0' || b[7] > '9' || b[8] != ' ' ||
			    b[9] < '1' || b[9] > '5' || b[10] < '0' || b[10] > '9' ||
			    b[11] < '0' || b[11] > '9' || (n > 12 && b[12] != ' '))
				return fail(u, -EPROTO, err, "bad status line");
			status = (unsigned)(b[9] - '0') * 100 + (unsigned)(b[10] - '0') * 10 +
			    (unsigned)(b[11] - '0');
			first = false;
			/* Refused: no need to read the rest. */
			if (status < 200 || status > 299)
				return fail(u, http_status_errno(status), err,
				    "CONNECT answered %u", status);
		} else if (n == 0) {
			u->state = S_DONE;
			*ret_used = i + 1;
			return 0;
		}
		ls = i + 1;
	}
	if (len >= EGRESS_UPSTREAM_REPLY_MAX)
		return fail(u, -E2BIG, err, "answer head longer than %u bytes",
		    EGRESS_UPSTREAM_REPLY_MAX);
	*ret_used = 0;
	return 0;
}

static const char *
socks_reply_text(unsigned rep, int *ret_errno)
{
	static const struct {
		int		 e;
		const char	*text;
	} tab[] = {
		{ -EPROTO, "succeeded" },
		{ -EIO, "general failure" },
		{ -EACCES, "connection not allowed by ruleset" },
		{ -ENETUNREACH, "network unreachable" },
		{ -EHOSTUNREACH, "host unreachable" },
		{ -ECONNREFUSED, "connection refused" },
		{ -ETIMEDOUT, "TTL expired" },
		{ -EPROTO, "command not supported" },
		{ -EPROTO, "address type not supported" },
	};

	if (rep == 0 || rep >= sizeof(tab) / sizeof(tab[0])) {
		*ret_errno = -EPROTO;
		return "unknown reply code";
	}
	*ret_errno = tab[rep].e;
	return tab[rep].text;
}

/* The CONNECT request after the method was chosen. */
static void
socks_connect_request(struct egress_upstream_hs *u)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;
	uint8_t		*p = u->req;
	size_t		 n;

	*p++ = SOCKS_VERSION;
	*p++ = SOCKS_CMD_CONNECT;
	*p++ = 0;
	if (inet_pton(AF_INET, u->host, &a4) == 1) {
		*p++ = SOCKS_ATYP_V4;
		memcpy(p, &a4, 4);
		p += 4;
	} else if (inet_pton(AF_INET6, u->host, &a6) == 1) {
		*p++ = SOCKS_ATYP_V6;
		memcpy(p, &a6, 16);
		p += 16;
	} else {
		n = strlen(u->host);	/* <= SOCKS_NAME_MAX: egress_upstream_init */
		*p++ = SOCKS_ATYP_NAME;
		*p++ = (uint8_t)n;
		memcpy(p, u->host, n);
		p += n;
	}
	*p++ = (uint8_t)(u->port >> 8);
	*p++ = (uint8_t)(u->port & 0xff);
	u->req_len = (size_t)(p - u->req);
	u->req_off = 0;
}

static int
socks_method(struct egress_upstream_hs *u, const uint8_t *b, size_t len, size_t *ret_used,
    struct dw_err *err)
{
	if (len >= 1 && b[0] != SOCKS_VERSION)
		return fail(u, -EPROTO, err, "not a SOCKS5 answer (version %u)", b[0]);
	if (len < 2) {
		*ret_used = 0;
		return 0;
	}
	if (b[1] == SOCKS_NO_METHOD)
		return fail(u, -EACCES, err, "no acceptable authentication method");
	if (b[1] != SOCKS_NO_AUTH)
		return fail(u, -EPROTO, err, "chose method %u, which we did not offer", b[1]);
	if (u->req_off < u->req_len)
		return fail(u, -EPROTO, err, "answered before the greeting was sent");
	socks_connect_request(u);
	u->state = S_SOCKS_REPLY;
	*ret_used = 2;
	return 0;
}

static int
socks_reply(struct egress_upstream_hs *u, const uint8_t *b, size_t len, size_t *ret_used,
    struct dw_err *err)
{
	const char	*text;
	size_t		 need;
	int		 e;

	if (len >= 1 && b[0] != SOCKS_VERSION)
		return fail(u, -EPROTO, err, "not a SOCKS5 reply (version %u)", b[0]);
	if (len >= 2 && b[1] != 0) {
		text = socks_reply_text(b[1], &e);
		return fail(u, e, err, "%s (code %u)", text, b[1]);
	}
	if (len >= 3 && b[2] != 0)
		return fail(u, -EPROTO, err, "reserved byte is %u", b[2]);
	if (len < 5) {
		*ret_used = 0;
		return 0;
	}
	switch (b[3]) {
	case SOCKS_ATYP_V4:
		need = 4 + 4 + 2;
		break;
	case SOCKS_ATYP_V6:
		need = 4 + 16 + 2;
		break;
	case SOCKS_ATYP_NAME:
		need = 4 + 1 + (size_t)b[4] + 2;
		break;
	default:
		return fail(u, -EPROTO, err, "unknown address type %u", b[3]);
	}
	if (u->req_off < u->req_len)
		return fail(u, -EPROTO, err, "answered before the request was sent");
	if (len < need) {
		*ret_used = 0;
		return 0;
	}
	u->state = S_DONE;
	*ret_used = need;
	return 0;
}

int
egress_upstream_input(struct egress_upstream_hs *u, const uint8_t *buf, size_t len,
    size_t *ret_used, struct dw_err *err)
{
	switch (u->state) {
	case S_HTTP_REPLY:
		if (len == 0)
			break;
		return http_reply(u, buf, len, ret_used, err);
	case S_SOCKS_METHOD:
		return socks_method(u, buf, len, ret_used, err);
	case S_SOCKS_REPLY:
		return socks_reply(u, buf, len, ret_used, err);
	case S_DONE:
		dw_err_set(err, "%s proxy: handshake already done",
		    egress_upstream_kind_name(u->kind));
		return -EPROTO;
	default:
		dw_err_set(err, "%s proxy: handshake already failed",
		    egress_upstream_kind_name(u->kind));
		return -EPROTO;
	}
	*ret_used = 0;
	return 0;
}
