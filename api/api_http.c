/* api_http: the gatekeeper's HTTP framing (see api_http.h). */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <jansson.h>

#include "api/api_http.h"
#include "common/dw_sock.h"

/*
 * A head's bytes by class: FAST_TCHAR a token byte (RFC 9110 tchar: a
 * header name's), FAST_VALUE a byte Go accepts in a header value
 * (httpguts.ValidHeaderFieldValue: tab, 0x20-0x7e, 0x80-0xff; not CR or
 * LF, so a scan of a line's bytes stops at its end).
 */
#define FAST_TCHAR	1
#define FAST_VALUE	2
static const unsigned char fast_class[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0,	/* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x10 */
	2, 3, 2, 3, 3, 3, 3, 3, 2, 2, 3, 3, 2, 3, 3, 2,	/* 0x20 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2,	/* 0x30 */
	2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0x40 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 3, 3,	/* 0x50 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0x60 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 3, 2, 3, 0,	/* 0x70 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0x80 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0x90 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0xa0 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0xb0 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0xc0 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0xd0 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0xe0 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0xf0 */
};

/*
 * The first position from i on in b[0, len) that does not hold a value
 * byte (the line's CR, when it is one), len when there is none.  Sixteen
 * bytes at a time with SSE2 (a byte at most 0x1f, or 0x7f), then eight
 * by the word tests of "Bit Twiddling Hacks" (hasless 0x20, haszero of
 * the word xor 0x7f): the lowest byte they flag is exactly the first
 * below 0x20 or equal to 0x7f (a borrow only runs upwards: from the first
 * byte on little-endian machines, so elsewhere the flagged word is read
 * one byte at a time), then one by one.  A tab where a test stops is a
 * value byte, and the scan goes on from it.
 */
static size_t
fast_value_end(const unsigned char *b, size_t i, size_t len)
{
	const uint64_t	ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t	w, d, m;
#ifdef __SSE2__
	const __m128i	ctl = _mm_set1_epi8(0x1f), del = _mm_set1_epi8(0x7f);
	__m128i		v;
	unsigned	mm;

	while (len - i >= 16) {
		v = _mm_loadu_si128((const void *)(b + i));
		mm = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl), _mm_cmpeq_epi8(v, del)));
		if (mm == 0) {
			i += 16;
			continue;
		}
		i += (size_t)__builtin_ctz(mm);
		if (b[i] != '\t')
			return i;
		i++;
	}
#endif
	while (len - i >= 8) {
		memcpy(&w, b + i, 8);
		d = w ^ (ones * 0x7f);
		m = ((w - ones * 0x20) & ~w & highs) | ((d - ones) & ~d & highs);
		if (m == 0) {
			i += 8;
			continue;
		}
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		/* The lowest flagged bit is in the first flagged byte. */
		i += (size_t)__builtin_ctzll(m) / 8;
		if (b[i] != '\t')
			return i;
		i++;
#else
		/* The first byte is the highest: a borrow may flag it falsely. */
		break;
#endif
	}
	while (i < len && (fast_class[b[i]] & FAST_VALUE))
		i++;
	return i;
}

/*
 * The first position from i on in b[0, len) that does not hold a token
 * byte (a header name's end), len when there is none.  With SSE2, sixteen
 * bytes at a time while they are letters, digits or '-' (what names are
 * made of); the rest of the token bytes, and the end, one by one.
 */
static size_t
fast_name_end(const unsigned char *b, size_t i, size_t len)
{
#ifdef __SSE2__
	const __m128i	a = _mm_set1_epi8('a'), z = _mm_set1_epi8('z' - 'a');
	const __m128i	d0 = _mm_set1_epi8('0'), d9 = _mm_set1_epi8('9' - '0');
	const __m128i	lc = _mm_set1_epi8(0x20), dash = _mm_set1_epi8('-');
	__m128i		v, l, n;
	unsigned	mm;

	while (len - i >= 16) {
		v = _mm_loadu_si128((const void *)(b + i));
		/* x in [lo, lo + r]: min(x - lo, r) == x - lo, unsigned. */
		l = _mm_sub_epi8(_mm_or_si128(v, lc), a);
		n = _mm_sub_epi8(v, d0);
		mm = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
		    _mm_cmpeq_epi8(_mm_min_epu8(l, z), l),
		    _mm_cmpeq_epi8(_mm_min_epu8(n, d9), n)), _mm_cmpeq_epi8(v, dash)));
		if (mm == 0xffff) {
			i += 16;
			continue;
		}
		i += (size_t)__builtin_ctz(~mm);
		break;
	}
#endif
	while (i < len && (fast_class[b[i]] & FAST_TCHAR))
		i++;
	return i;
}

/* Case-insensitive ASCII equality of buf[0, len) and the NUL-terminated s. */
static bool
eq_fold(const char *buf, size_t len, const char *s)
{
	return strlen(s) == len && strncasecmp(buf, s, len) == 0;
}

/* Does the comma-separated list v[0, len) hold token tok (Go's hasToken)? */
static bool
has_token(const char *v, size_t len, const char *tok)
{
	size_t	i = 0, s, e;

	while (i <= len) {
		s = i;
		while (i < len && v[i] != ',')
			i++;
		e = i;
		while (s < e && (v[s] == ' ' || v[s] == '\t'))
			s++;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (eq_fold(v + s, e - s, tok))
			return true;
		i++;
	}
	return false;
}

/*
 * The end of the line starting at off: the offset of its CR (followed by
 * LF).  -1 with *ret_why on a bare CR or LF, or when the line does not end.
 */
static long
line_end(const char *buf, size_t len, size_t off, const char **ret_why)
{
	const char	*cr = memchr(buf + off, '\r', len - off);
	const char	*lf = memchr(buf + off, '\n', len - off);

	if (lf != NULL && (cr == NULL || lf < cr)) {
		*ret_why = "a line ends in a bare LF, not CRLF";
		return -1;
	}
	if (cr == NULL) {
		*ret_why = "the head does not end in an empty line";
		return -1;
	}
	if (lf != cr + 1) {
		*ret_why = "a bare CR is inside a line";
		return -1;
	}
	return (long)(cr - buf);
}

/* The request header names the head checks read. */
enum head_name {
	HN_OTHER, HN_HOST, HN_EXPECT, HN_CONNECTION, HN_CONTENT_TYPE,
	HN_CONTENT_LENGTH, HN_TRANSFER_ENCODING
};

/* Which of them is buf[0, len), in any case?  By its length first: one compare at most. */
static enum head_name
head_name(const char *buf, size_t len)
{
	switch (len) {
	case 4:
		return strncasecmp(buf, "Host", 4) == 0 ? HN_HOST : HN_OTHER;
	case 6:
		return strncasecmp(buf, "Expect", 6) == 0 ? HN_EXPECT : HN_OTHER;
	case 10:
		return strncasecmp(buf, "Connection", 10) == 0 ? HN_CONNECTION : HN_OTHER;
	case 12:
		return strncasecmp(buf, "Content-Type", 12) == 0 ? HN_CONTENT_TYPE : HN_OTHER;
	case 14:
		return strncasecmp(buf, "Content-Length", 14) == 0 ? HN_CONTENT_LENGTH :
		    HN_OTHER;
	case 17:
		return strncasecmp(buf, "Transfer-Encoding", 17) == 0 ?
		    HN_TRANSFER_ENCODING : HN_OTHER;
	default:
		return HN_OTHER;
	}
}

/* Does name[0, len) start with s (any case) and go on? */
static bool
longer_prefix(const char *name, size_t len, const char *s, size_t slen)
{
	return len > slen && strncasecmp(name, s, slen) == 0;
}

/* Is name[0, len), not a framing header itself, one libhttp-parser reads as one (api_http_head.parser_name)? */
static bool
parser_name(const char *name, size_t len)
{
	switch (name[0] | 0x20) {
	case 'c':
		return longer_prefix(name, len, "Connection", 10) ||
		    longer_prefix(name, len, "Content-Length", 14);
	case 't':
		return longer_prefix(name, len, "Transfer-Encoding", 17);
	case 'u':
		return longer_prefix(name, len, "Upgrade", 7);
	case 'p':
		return len >= 16 && strncasecmp(name, "Proxy-Connection", 16) == 0;
	default:
		return false;
	}
}

/* The request line, buf[0, eol). */
static int
request_line(const char *buf, size_t eol, struct api_http_head *h, const char **ret_why)
{
	size_t	i = 0, n;

	while (i < eol && ((buf[i] >= 'A' && buf[i] <= 'Z') || buf[i] == '-'))
		i++;
	if (i == 0 || i >= sizeof(h->method) || i >= eol || buf[i] != ' ') {
		*ret_why = "the request line does not start with an upper-case method and "
		    "one space";
		return -EPROTO;
	}
	memcpy(h->method, buf, i);
	h->method[i] = '\0';
	h->target_off = ++i;
	if (i >= eol || buf[i] != '/') {
		*ret_why = "the request target is not a path starting with /";
		return -EPROTO;
	}
	while (i < eol && buf[i] != ' ') {
		if ((unsigned char)buf[i] <= 0x20 || (unsigned char)buf[i] >= 0x7f) {
			*ret_why = "the request target has a control, non-ASCII or "
			    "whitespace character";
			return -EPROTO;
		}
		i++;
	}
	h->target_len = i - h->target_off;
	n = eol - i;
	if (n == 9 && memcmp(buf + i, " HTTP/1.1", 9) == 0)
		h->minor = 1;
	else if (n == 9 && memcmp(buf + i, " HTTP/1.0", 9) == 0)
		h->minor = 0;
	else {
		*ret_why = "the request line does not end in one space and HTTP/1.1 "
		    "or HTTP/1.0";
		return -EPROTO;
	}
	return 0;
}

int
api_http_head_parse(const char *buf, size_t len, struct api_http_head *h,
    const char **ret_why)
{
	const unsigned char	*b = (const unsigned char *)buf;
	unsigned		 n_cl = 0, n_te = 0, n_host = 0, n_conn = 0, n_expect = 0;
	bool			 conn_close = false, conn_keep = false;
	size_t			 off, name_end, vs, ve, i;
	long			 eol;

	memset(h, 0, sizeof(*h));
	if ((eol = line_end(buf, len, 0, ret_why)) < 0)
		return -EPROTO;
	if (request_line(buf, (size_t)eol, h, ret_why) < 0)
		return -EPROTO;
	for (off = (size_t)eol + 2;; off = (size_t)eol + 2) {
		if ((eol = line_end(buf, len, off, ret_why)) < 0)
			return -EPROTO;
		if ((size_t)eol == off)
			break;
		if (buf[off] == ' ' || buf[off] == '\t') {
			*ret_why = "a header is folded over several lines (obs-fold)";
			return -EPROTO;
		}
		i = fast_name_end(b, off, (size_t)eol);
		if (i < (size_t)eol && buf[i] != ':') {
			*ret_why = "a header name has whitespace or another "
			    "character that is not a token character";
			return -EPROTO;
		}
		if (i == off || i == (size_t)eol) {
			*ret_why = "a header line has no name or no colon";
			return -EPROTO;
		}
		name_end = i;
		for (vs = i + 1; vs < (size_t)eol && (buf[vs] == ' ' || buf[vs] == '\t'); vs++)
			;
		for (ve = (size_t)eol; ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t'); ve--)
			;
		if (fast_value_end(b, vs, ve) != ve) {
			*ret_why = "a header value has a control character";
			return -EPROTO;
		}
		switch (head_name(buf + off, name_end - off)) {
		case HN_CONTENT_LENGTH:
			if (++n_cl > 1) {
				*ret_why = "Content-Length is given more than once";
				return -EPROTO;
			}
			if (ve == vs || ve - vs > 18) {
				*ret_why = "Content-Length is empty or too long";
				return -EPROTO;
			}
			for (i = vs; i < ve; i++) {
				if (buf[i] < '0' || buf[i] > '9') {
					*ret_why = "Content-Length is not a plain decimal number";
					return -EPROTO;
				}
				h->content_length = h->content_length * 10 +
				    (unsigned long long)(buf[i] - '0');
			}
			break;
		case HN_TRANSFER_ENCODING:
			if (++n_te > 1) {
				*ret_why = "Transfer-Encoding is given more than once";
				return -EPROTO;
			}
			if (!eq_fold(buf + vs, ve - vs, "chunked")) {
				*ret_why = "Transfer-Encoding is not exactly \"chunked\"";
				return -EPROTO;
			}
			break;
		case HN_HOST:
			if (++n_host > 1) {
				*ret_why = "Host is given more than once";
				return -EPROTO;
			}
			break;
		case HN_CONNECTION:
			if (++n_conn > 1) {
				*ret_why = "Connection is given more than once";
				return -EPROTO;
			}
			conn_close = has_token(buf + vs, ve - vs, "close");
			conn_keep = has_token(buf + vs, ve - vs, "keep-alive");
			h->conn_list = !eq_fold(buf + vs, ve - vs, "close") &&
			    !eq_fold(buf + vs, ve - vs, "keep-alive");
			break;
		case HN_EXPECT:
			if (++n_expect > 1 || !eq_fold(buf + vs, ve - vs, "100-continue")) {
				*ret_why = "Expect is given more than once or is not "
				    "\"100-continue\"";
				return -EPROTO;
			}
			h->expect_continue = true;
			break;
		case HN_CONTENT_TYPE:
			/* Go's Header.Get: the first one counts. */
			if (!h->have_ct) {
				h->have_ct = true;
				h->ct_off = vs;
				h->ct_len = ve - vs;
			}
			break;
		default:
			h->parser_name |= parser_name(buf + off, name_end - off);
			break;
		}
	}
	if ((size_t)eol + 2 != len) {
		*ret_why = "bytes follow the head's empty line";
		return -EPROTO;
	}
	if (n_te > 0 && h->minor == 0) {
		*ret_why = "Transfer-Encoding on an HTTP/1.0 request (Go ignores it "
		    "there and reads no body)";
		return -EPROTO;
	}
	if (n_te > 0 && n_cl > 0) {
		*ret_why = "both Transfer-Encoding and Content-Length are given";
		return -EPROTO;
	}
	if (h->minor == 1 && n_host == 0) {
		*ret_why = "an HTTP/1.1 request has no Host header";
		return -EPROTO;
	}
	if (n_te > 0)
		h->body = API_HTTP_BODY_CHUNKED;
	else if (h->content_length > 0)
		h->body = API_HTTP_BODY_LENGTH;
	h->keep_alive = h->minor == 1 ? !conn_close : conn_keep && !conn_close;
	return 0;
}

enum {
	CK_SIZE, CK_SIZE_LF, CK_DATA, CK_DATA_CR, CK_DATA_LF, CK_LAST_CR, CK_LAST_LF, CK_DONE
};

static int
hexval(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int
api_http_chunks_feed(struct api_http_chunks *ck, const char *buf, size_t len,
    size_t *ret_used, const char **ret_why)
{
	size_t	i = 0, n;
	int	d;

	*ret_used = 0;
	while (i < len) {
		unsigned char ch = (unsigned char)buf[i];

		switch (ck->state) {
		case CK_SIZE:
			if ((d = hexval(ch)) >= 0) {
				if (++ck->ndigits > 15) {
					*ret_why = "a chunk size has more than 15 digits";
					return -EPROTO;
				}
				ck->left = ck->left * 16 + (unsigned long long)d;
			} else if (ch == '\r' && ck->ndigits > 0) {
				ck->state = CK_SIZE_LF;
			} else {
				*ret_why = "a chunk-size line is empty or has an extension, "
				    "whitespace or another byte after the hex size";
				return -EPROTO;
			}
			i++;
			break;
		case CK_SIZE_LF:
		case CK_DATA_LF:
		case CK_LAST_LF:
			if (ch != '\n') {
				*ret_why = "a bare CR in the chunked framing";
				return -EPROTO;
			}
			i++;
			if (ck->state == CK_LAST_LF) {
				ck->state = CK_DONE;
				*ret_used = i;
				return 1;
			}
			if (ck->state == CK_DATA_LF) {
				ck->state = CK_SIZE;
				ck->ndigits = 0;
				ck->left = 0;
			} else
				ck->state = ck->left == 0 ? CK_LAST_CR : CK_DATA;
			break;
		case CK_DATA:
			n = len - i;
			if (n > ck->left)
				n = (size_t)ck->left;
			ck->left -= n;
			i += n;
			if (ck->left == 0)
				ck->state = CK_DATA_CR;
			break;
		case CK_DATA_CR:
			if (ch != '\r') {
				*ret_why = "chunk data is not followed by CRLF";
				return -EPROTO;
			}
			ck->state = CK_DATA_LF;
			i++;
			break;
		case CK_LAST_CR:
			if (ch != '\r') {
				*ret_why = "a trailer follows the last chunk";
				return -EPROTO;
			}
			ck->state = CK_LAST_LF;
			i++;
			break;
		default:
			*ret_used = 0;
			return 1;
		}
	}
	*ret_used = i;
	return ck->state == CK_DONE ? 1 : 0;
}

/* ---- requests: libhttp-parser's callbacks ---- */

/* Finish the header whose name and value have been collected. */
static void
req_header_done(struct api_http_req *rq)
{
	if (!rq->in_value)
		return;
	rq->hname[rq->hname_len] = '\0';
	rq->hvalue[rq->hvalue_len] = '\0';
	if (strcasecmp(rq->hname, "Content-Type") == 0 && !rq->have_ct) {
		/* Go's Header.Get: the first one counts. */
		snprintf(rq->content_type, sizeof(rq->content_type), "%s", rq->hvalue);
		rq->have_ct = true;
	} else if (strcasecmp(rq->hname, "Expect") == 0)
		rq->expect_continue = strcasecmp(rq->hvalue, "100-continue") == 0;
	rq->in_value = false;
	rq->hname_len = rq->hvalue_len = 0;
}

static int
req_on_url(http_parser *p, const char *at, size_t len)
{
	struct api_http_req	*rq = p->data;

	if (rq->url_len + len > DW_URI_MAX) {
		rq->url_too_long = true;
		return 0;
	}
	memcpy(rq->url + rq->url_len, at, len);
	rq->url_len += len;
	rq->url[rq->url_len] = '\0';
	return 0;
}

static int
req_on_header_field(http_parser *p, const char *at, size_t len)
{
	struct api_http_req	*rq = p->data;
	size_t			 n;

	req_header_done(rq);
	n = sizeof(rq->hname) - 1 - rq->hname_len;
	if (len < n)
		n = len;
	memcpy(rq->hname + rq->hname_len, at, n);
	rq->hname_len += n;
	return 0;
}

static int
req_on_header_value(http_parser *p, const char *at, size_t len)
{
	struct api_http_req	*rq = p->data;
	size_t			 n;

	rq->in_value = true;
	n = sizeof(rq->hvalue) - 1 - rq->hvalue_len;
	if (len < n)
		n = len;
	memcpy(rq->hvalue + rq->hvalue_len, at, n);
	rq->hvalue_len += n;
	return 0;
}

/* Pause at the head's end: the head is decided before any body byte moves. */
static int
req_on_headers_complete(http_parser *p)
{
	struct api_http_req	*rq = p->data;

	req_header_done(rq);
	rq->headers_done = true;
	if ((p->flags & F_CONTENTLENGTH) && !(p->flags & F_CHUNKED))
		rq->content_length = (long long)p->content_length;
	http_parser_pause(p, 1);
	return 0;
}

/* Append at[0, len) to *buf (length *blen), up to max in all; false when it does not fit. */
static bool
req_keep(unsigned char **buf, size_t *blen, size_t max, const char *at, size_t len)
{
	unsigned char	*nb;

	if (*blen + len > max || (nb = realloc(*buf, *blen + len + 1)) == NULL)
		return false;
	*buf = nb;
	memcpy(*buf + *blen, at, len);
	*blen += len;
	return true;
}

static int
req_on_body(http_parser *p, const char *at, size_t len)
{
	struct api_http_req	*rq = p->data;
	int			 r;

	if (rq->capture && !rq->body_too_big &&
	    !req_keep(&rq->cap, &rq->cap_len, DW_GATE_DRAIN_MAX, at, len)) {
		rq->body_too_big = true;
		return 0;
	}
	if (rq->sink != NULL) {
		if (rq->sink_error == 0 && (r = rq->sink(rq->sink_arg, at, len)) < 0)
			rq->sink_error = r;
		return 0;
	}
	if (!rq->buffer_body || rq->body_too_big)
		return 0;
	if (!req_keep(&rq->body, &rq->body_len, DW_BODY_MAX, at, len))
		rq->body_too_big = true;
	return 0;
}

static int
req_on_message_complete(http_parser *p)
{
	struct api_http_req	*rq = p->data;

	rq->complete = true;
	http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings req_settings = {
	.on_url = req_on_url,
	.on_header_field = req_on_header_field,
	.on_header_value = req_on_header_value,
	.on_headers_complete = req_on_headers_complete,
	.on_body = req_on_body,
	.on_message_complete = req_on_message_complete,
};

/*
 * Run parser p over buf[*off, len): stops at a pause (head or message
 * complete) or the end.  0, or -EPROTO with the parser's reason.
 */
static int
parse_some(http_parser *p, const http_parser_settings *st, const char *buf,
    size_t len, size_t *off, size_t *ret_n, const char **ret_why)
{
	size_t	n;

	if (HTTP_PARSER_ERRNO(p) == HPE_PAUSED)
		http_parser_pause(p, 0);
	n = http_parser_execute(p, st, buf + *off, len - *off);
	*off += n;
	*ret_n = n;
	if (HTTP_PARSER_ERRNO(p) != HPE_OK && HTTP_PARSER_ERRNO(p) != HPE_PAUSED) {
		*ret_why = http_errno_description(HTTP_PARSER_ERRNO(p));
		return -EPROTO;
	}
	return 0;
}

/* ---- requests ---- */

void
api_http_req_clear(struct api_http_req *rq)
{
	free(rq->body);
	free(rq->cap);
	rq->body = rq->cap = NULL;
}

void
api_http_req_reset(struct api_http_req *rq)
{
	bool	fast_off;

	api_http_req_clear(rq);
	/*
	 * Once per request: zero the state, not the ~9 KB of text buffers
	 * behind it.  Their old bytes are never read: url up to url_len (its
	 * NUL is written with every byte of it, and here for an empty one),
	 * content_type only when have_ct, hname and hvalue up to their lengths.
	 */
	fast_off = rq->fast_off;
	memset(rq, 0, offsetof(struct api_http_req, API_HTTP_REQ_TEXT));
	rq->fast_off = fast_off;
	rq->url[0] = '\0';
	rq->content_type[0] = '\0';
	http_parser_init(&rq->p, HTTP_REQUEST);
	rq->p.data = rq;
	rq->content_length = -1;
}

int
api_http_req_feed(struct api_http_req *rq, const char *buf, size_t len, size_t *off,
    const char **ret_why)
{
	bool	check = rq->check_chunks && rq->headers_done && !rq->complete;
	size_t	start = *off, n, used;
	int	r;

	if ((r = parse_some(&rq->p, &req_settings, buf, len, off, &n, ret_why)) < 0)
		return r;
	if (!check)
		return 0;
	if ((r = api_http_chunks_feed(&rq->ck, buf + start, n, &used, ret_why)) < 0)
		return -EPROTO;
	if ((r == 1) != rq->complete || used != n) {
		*ret_why = "the chunked body does not end where both HTTP parsers end it";
		return -EPROTO;
	}
	return 0;
}

/*
 * The first CRLF CRLF in buf[0, len), as memmem finds it, from LF to LF
 * with memchr: a head has a few lines, and memmem's setup costs more.
 */
static const char *
head_end(const char *buf, size_t len)
{
	const char	*lf, *p = buf + 3, *stop = buf + len;

	while (p < stop && (lf = memchr(p, '\n', (size_t)(stop - p))) != NULL) {
		if (lf[-1] == '\r' && lf[-2] == '\n' && lf[-3] == '\r')
			return lf - 3;
		p = lf + 1;
	}
	return NULL;
}

/* The methods a bodiless head may have to be read without the parser, as the parser names them. */
static const struct {
	const char	*name;
	enum http_method m;
} fast_methods[] = {
	{ "GET", HTTP_GET }, { "HEAD", HTTP_HEAD }, { "POST", HTTP_POST },
	{ "PUT", HTTP_PUT }, { "DELETE", HTTP_DELETE },
};

/*
 * The fast way of api_http_req_head_feed (see api_http.h): buf[0, len)
 * holds a whole head of the bodiless kind.  true with rq filled as the
 * parser would have and *off past the head; false: the parser reads it.
 */
static bool
req_fast_head(struct api_http_req *rq, const char *buf, size_t len, size_t *off)
{
	struct api_http_head	 h;
	const char		*end, *why;
	size_t			 head_len, i, n;

	if (rq->fast_off || *off != 0 || rq->headers_done ||
	    (end = head_end(buf, len < DW_GATE_HEAD_MAX ? len : DW_GATE_HEAD_MAX)) == NULL)
		return false;
	head_len = (size_t)(end - buf) + 4;
	if (api_http_head_parse(buf, head_len, &h, &why) < 0 ||
	    h.body != API_HTTP_BODY_NONE || h.conn_list || h.parser_name ||
	    h.target_len > DW_URI_MAX)
		return false;
	for (i = 0; i < sizeof(fast_methods) / sizeof(fast_methods[0]); i++)
		if (strcmp(h.method, fast_methods[i].name) == 0)
			break;
	if (i == sizeof(fast_methods) / sizeof(fast_methods[0]))
		return false;
	rq->fast = true;
	rq->fast_method = (unsigned char)fast_methods[i].m;
	rq->fast_minor = (unsigned char)h.minor;
	rq->fast_keep_alive = h.keep_alive;
	memcpy(rq->url, buf + h.target_off, h.target_len);
	rq->url[h.target_len] = '\0';
	rq->url_len = h.target_len;
	if (h.have_ct) {
		/*
		 * As req_header_done keeps it: the value as the parser passes
		 * it on (trailing blanks kept: its readers skip them), up to
		 * the bytes hvalue holds.
		 */
		n = (size_t)((const char *)memchr(buf + h.ct_off, '\r', head_len - h.ct_off) -
		    (buf + h.ct_off));
		if (n > sizeof(rq->hvalue) - 1)
			n = sizeof(rq->hvalue) - 1;
		memcpy(rq->content_type, buf + h.ct_off, n);
		rq->content_type[n] = '\0';
		rq->have_ct = true;
	}
	rq->expect_continue = h.expect_continue;
	rq->headers_done = rq->complete = true;
	*off = head_len;
	return true;
}

int
api_http_req_head_feed(struct api_http_req *rq, const char *buf, size_t len,
    size_t *off, const char **ret_why)
{
	int	r;

	if (*off < len && req_fast_head(rq, buf, len, off))
		return 1;
	if (*off < len) {
		if ((r = api_http_req_feed(rq, buf, len, off, ret_why)) < 0)
			return r;
		if (rq->headers_done) {
			/*
			 * The parser stopped before the head's last LF: step
			 * over it, which completes a request without a body.
			 */
			if (*off < len) {
				http_parser_pause(&rq->p, 0);
				*off += http_parser_execute(&rq->p, &req_settings,
				    buf + *off, 1);
				/*
				 * Refused there (the parser judges Transfer-Encoding
				 * at that byte): its reason, not the head check's on
				 * a head cut before its LF.
				 */
				if (HTTP_PARSER_ERRNO(&rq->p) != HPE_OK &&
				    HTTP_PARSER_ERRNO(&rq->p) != HPE_PAUSED) {
					*ret_why = http_errno_description(
					    HTTP_PARSER_ERRNO(&rq->p));
					return -EPROTO;
				}
			}
			return 1;
		}
	}
	if (*off > DW_GATE_HEAD_MAX) {
		*ret_why = "the request head is too large";
		return -E2BIG;
	}
	return 0;
}

int
api_http_req_head_check(struct api_http_req *rq, const char *buf, size_t head_len,
    const char **ret_why)
{
	const http_parser	*p = &rq->p;
	struct api_http_head	 h;
	bool			 chunked = (p->flags & F_CHUNKED) != 0;

	/* Read by api_http_head_parse itself, with no body to check. */
	if (rq->fast) {
		rq->check_chunks = false;
		return 0;
	}
	if (rq->url_too_long) {
		*ret_why = "the request target is too long";
		return -EPROTO;
	}
	if (api_http_head_parse(buf, head_len, &h, ret_why) < 0)
		return -EPROTO;
	if (strcmp(h.method, http_method_str((enum http_method)p->method)) != 0 ||
	    strcmp(h.method, "CONNECT") == 0 || h.target_len != rq->url_len ||
	    memcmp(buf + h.target_off, rq->url, h.target_len) != 0 ||
	    p->http_major != 1 || p->http_minor != h.minor) {
		*ret_why = "the request line is read differently by the two HTTP parsers";
		return -EPROTO;
	}
	if ((h.body == API_HTTP_BODY_CHUNKED) != chunked ||
	    (h.body == API_HTTP_BODY_LENGTH) != (!chunked && rq->content_length > 0) ||
	    (h.body == API_HTTP_BODY_LENGTH &&
	    (unsigned long long)rq->content_length != h.content_length)) {
		*ret_why = "the body's length is read differently by the two HTTP parsers";
		return -EPROTO;
	}
	if (h.keep_alive != (http_should_keep_alive(p) != 0)) {
		*ret_why = "the Connection header is read differently by the two HTTP parsers";
		return -EPROTO;
	}
	rq->check_chunks = chunked;
	memset(&rq->ck, 0, sizeof(rq->ck));
	return 0;
}

int
api_http_req_body_check(const struct api_http_req *rq, const char **ret_why)
{
	if (rq->body_too_big || rq->sink_error == -E2BIG) {
		*ret_why = "body too large";
		return -E2BIG;
	}
	if (rq->sink_error != 0) {
		*ret_why = "the body could not be written to the spool";
		return -EIO;
	}
	return 0;
}

/* The request's method as the parser numbers them. */
static enum http_method
req_method(const struct api_http_req *rq)
{
	return (enum http_method)(rq->fast ? rq->fast_method : rq->p.method);
}

const char *
api_http_req_method(const struct api_http_req *rq)
{
	return http_method_str(req_method(rq));
}

int
api_http_req_minor(const struct api_http_req *rq)
{
	return rq->fast ? rq->fast_minor : rq->p.http_minor;
}

bool
api_http_req_keep_alive(const struct api_http_req *rq)
{
	if (rq->fast)
		return rq->fast_keep_alive;
	return http_should_keep_alive(&rq->p) != 0;
}

bool
api_http_req_is_head(const struct api_http_req *rq)
{
	return rq->headers_done && req_method(rq) == HTTP_HEAD;
}

bool
api_http_req_is_get_or_head(const struct api_http_req *rq)
{
	return rq->headers_done && (req_method(rq) == HTTP_GET ||
	    req_method(rq) == HTTP_HEAD);
}

bool
api_http_req_has_body(const struct api_http_req *rq)
{
	if (rq->fast)
		return false;
	return (rq->p.flags & F_CHUNKED) ||
	    ((rq->p.flags & F_CONTENTLENGTH) && rq->p.content_length > 0);
}

bool
api_http_req_chunked(const struct api_http_req *rq)
{
	return !rq->fast && (rq->p.flags & F_CHUNKED) != 0;
}

bool
api_http_req_upgrade(const struct api_http_req *rq)
{
	return !rq->fast && rq->p.upgrade != 0;
}

bool
api_http_endpoint_streams(enum authz_uri_endpoint ep)
{
	switch (ep) {
	case AUTHZ_EP_BUILD:
	case AUTHZ_EP_IMAGE_LOAD:
	case AUTHZ_EP_IMAGE_CREATE:
	case AUTHZ_EP_CONTAINER_ARCHIVE_PUT:
	case AUTHZ_EP_PLUGIN_CREATE:
	case AUTHZ_EP_SESSION:
	case AUTHZ_EP_GRPC:
		return true;
	default:
		return false;
	}
}

bool
api_http_endpoint_hijacks(enum authz_uri_endpoint ep)
{
	switch (ep) {
	case AUTHZ_EP_CONTAINER_ATTACH:
	case AUTHZ_EP_CONTAINER_ATTACH_WS:
	case AUTHZ_EP_EXEC_START:
	case AUTHZ_EP_SESSION:
	case AUTHZ_EP_GRPC:
		return true;
	default:
		return false;
	}
}

bool
api_http_req_reads_whole(const struct api_http_req *rq, enum authz_uri_endpoint ep)
{
	return api_http_req_has_body(rq) && !api_http_endpoint_streams(ep);
}

/* ---- the engine's answers ---- */

/* The header names the fast head reader looks at. */
enum fast_name { FN_OTHER, FN_LENGTH, FN_CONNECTION, FN_SLOW };

/* Which of them is buf[0, len)?  Names that change the framing and are not read here are FN_SLOW. */
static enum fast_name
fast_name(const char *buf, size_t len)
{
	switch (len) {
	case 7:
		return strncasecmp(buf, "Upgrade", 7) == 0 ? FN_SLOW : FN_OTHER;
	case 10:
		return strncasecmp(buf, "Connection", 10) == 0 ? FN_CONNECTION : FN_OTHER;
	case 14:
		return strncasecmp(buf, "Content-Length", 14) == 0 ? FN_LENGTH : FN_OTHER;
	case 16:
		return strncasecmp(buf, "Proxy-Connection", 16) == 0 ? FN_SLOW : FN_OTHER;
	case 17:
		return strncasecmp(buf, "Transfer-Encoding", 17) == 0 ? FN_SLOW : FN_OTHER;
	default:
		return FN_OTHER;
	}
}

size_t
api_http_resp_fast_head(const char *buf, size_t len, unsigned *ret_status,
    unsigned long long *ret_length, bool *ret_keep_alive)
{
	const unsigned char	*b = (const unsigned char *)buf;
	unsigned long long	 length = 0;
	unsigned		 status, n_cl = 0, n_conn = 0;
	bool			 keep = true;
	size_t			 i, line, eol, vs, name_end, k;

	if (len > DW_GATE_FAST_HEAD_MAX)
		len = DW_GATE_FAST_HEAD_MAX;
	/* "HTTP/1.1 " and three digits, then CRLF or a space, a reason and CRLF. */
	if (len < 14 || memcmp(b, "HTTP/1.1 ", 9) != 0)
		return 0;
	for (i = 9; i < 12; i++)
		if (b[i] < '0' || b[i] > '9')
			return 0;
	status = (unsigned)(b[9] - '0') * 100 + (unsigned)(b[10] - '0') * 10 +
	    (unsigned)(b[11] - '0');
	/* 1xx, 204 and 304 have no body whatever they say; the parser reads them. */
	if (status < 200 || status > 599 || status == 204 || status == 304)
		return 0;
	eol = b[12] == ' ' ? fast_value_end(b, 13, len) : 12;
	/*
	 * Line by line: a line is a token name, the colon (no space before
	 * it, no obs-fold), blanks, value bytes, CRLF; the scans find its end.
	 */
	for (line = eol + 2;; line = eol + 2) {
		if (eol + 1 >= len || b[eol] != '\r' || b[eol + 1] != '\n' || line + 1 >= len)
			return 0;
		if (b[line] == '\r') {
			if (b[line + 1] != '\n')
				return 0;
			break;		/* the empty line */
		}
		/*
		 * The whole line's bytes are value bytes (a name's token bytes
		 * and the colon are too) up to its end: the name and blank
		 * scans below stop there at the latest.
		 */
		eol = fast_value_end(b, line, len);
		if (eol >= len || b[eol] != '\r')
			return 0;
		i = fast_name_end(b, line, eol);
		if (i == line || b[i] != ':')
			return 0;
		name_end = i;
		for (vs = i + 1; b[vs] == ' ' || b[vs] == '\t'; vs++)
			;
		switch (fast_name(buf + line, name_end - line)) {
		case FN_SLOW:
			return 0;
		case FN_LENGTH:
			/* digits only: no sign, no spaces after, no list */
			if (++n_cl > 1 || eol == vs || eol - vs > 15)
				return 0;
			for (k = vs; k < eol; k++) {
				if (b[k] < '0' || b[k] > '9')
					return 0;
				length = length * 10 + (unsigned long long)(b[k] - '0');
			}
			break;
		case FN_CONNECTION:
			if (++n_conn > 1)
				return 0;
			if (eq_fold(buf + vs, eol - vs, "close"))
				keep = false;
			else if (!eq_fold(buf + vs, eol - vs, "keep-alive"))
				return 0;
			break;
		default:
			break;
		}
	}
	if (n_cl != 1)
		return 0;
	*ret_status = status;
	*ret_length = length;
	*ret_keep_alive = keep;
	return line + 2;
}

/* Pause at the head's end: the pump looks at it before passing the body on. */
static int
resp_on_headers_complete(http_parser *p)
{
	struct api_http_resp	*rs = p->data;

	rs->headers_done = true;
	http_parser_pause(p, 1);
	/* 1: no body follows (an answer to HEAD). */
	return rs->head_request ? 1 : 0;
}

/* Keep the answer's body (bounded) for kept. */
static int
resp_on_body(http_parser *p, const char *at, size_t len)
{
	struct api_http_resp	*rs = p->data;

	if (rs->kept == NULL || rs->cap_over)
		return 0;
	if (len > sizeof(rs->cap) - rs->cap_len) {
		rs->cap_over = true;
		return 0;
	}
	memcpy(rs->cap + rs->cap_len, at, len);
	rs->cap_len += len;
	return 0;
}

static int
resp_on_message_complete(http_parser *p)
{
	struct api_http_resp	*rs = p->data;

	/* A final answer, not an interim 100 Continue: before its last bytes go on. */
	if (rs->kept != NULL && p->status_code >= 200) {
		rs->kept(rs->kept_arg, p->status_code, rs->cap_over ? NULL : rs->cap,
		    rs->cap_len);
		rs->kept = NULL;
	}
	rs->complete = true;
	http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings resp_settings = {
	.on_headers_complete = resp_on_headers_complete,
	.on_body = resp_on_body,
	.on_message_complete = resp_on_message_complete,
};

void
api_http_resp_start(struct api_http_resp *rs, bool head_request, api_http_kept_fn kept,
    void *kept_arg)
{
	rs->head_request = head_request;
	rs->kept = kept;
	rs->kept_arg = kept_arg;
	rs->cap_over = false;
	rs->cap_len = 0;
	api_http_resp_restart(rs);
}

void
api_http_resp_restart(struct api_http_resp *rs)
{
	http_parser_init(&rs->p, HTTP_RESPONSE);
	rs->p.data = rs;
	rs->headers_done = rs->complete = false;
	rs->fast_tried = rs->fast = false;
}

/* The whole answer is here: hand a kept body over, as resp_on_message_complete does. */
static void
resp_fast_complete(struct api_http_resp *rs)
{
	rs->complete = true;
	if (rs->kept != NULL) {
		rs->kept(rs->kept_arg, rs->fast_status, rs->cap_over ? NULL : rs->cap,
		    rs->cap_len);
		rs->kept = NULL;
	}
}

/*
 * An answer read without the parser: at its first bytes, its whole head
 * when it is of the plain shape (then it stops there, as the parser
 * pauses at a head's end), later its body, counted.  false: the parser
 * reads this answer.
 */
static bool
resp_fast_feed(struct api_http_resp *rs, const char *buf, size_t len, size_t *off)
{
	size_t	n;

	if (!rs->fast_tried) {
		rs->fast_tried = true;
		if (rs->fast_off || rs->head_request || (n = api_http_resp_fast_head(
		    buf + *off, len - *off, &rs->fast_status, &rs->fast_left,
		    &rs->fast_keep_alive)) == 0)
			return false;
		rs->fast = true;
		rs->headers_done = true;
		*off += n;
		if (rs->fast_left == 0)
			resp_fast_complete(rs);
		return true;
	}
	if (!rs->fast)
		return false;
	if (rs->complete)
		return true;
	n = len - *off;
	if (n > rs->fast_left)
		n = (size_t)rs->fast_left;
	if (rs->kept != NULL && !rs->cap_over) {
		if (n > sizeof(rs->cap) - rs->cap_len)
			rs->cap_over = true;
		else {
			memcpy(rs->cap + rs->cap_len, buf + *off, n);
			rs->cap_len += n;
		}
	}
	*off += n;
	rs->fast_left -= n;
	if (rs->fast_left == 0)
		resp_fast_complete(rs);
	return true;
}

int
api_http_resp_feed(struct api_http_resp *rs, const char *buf, size_t len, size_t *off,
    const char **ret_why)
{
	size_t	n;

	if (resp_fast_feed(rs, buf, len, off))
		return 0;
	return parse_some(&rs->p, &resp_settings, buf, len, off, &n, ret_why);
}

void
api_http_resp_eof(struct api_http_resp *rs)
{
	/* A counted body cut short stays incomplete, as the parser leaves it. */
	if (rs->fast)
		return;
	if (HTTP_PARSER_ERRNO(&rs->p) == HPE_PAUSED)
		http_parser_pause(&rs->p, 0);
	http_parser_execute(&rs->p, &resp_settings, "", 0);
}

bool
api_http_resp_interim(const struct api_http_resp *rs)
{
	unsigned	st = rs->fast ? rs->fast_status : rs->p.status_code;

	return rs->complete && st >= 100 && st < 200 && st != 101;
}

bool
api_http_resp_hijacked(const struct api_http_resp *rs)
{
	unsigned	st = rs->p.status_code;

	/* A plain answer has a Content-Length and no 101. */
	if (rs->fast)
		return false;
	return st == 101 || (st >= 200 && st < 300 && st != 204 &&
	    !(rs->p.flags & (F_CHUNKED | F_CONTENTLENGTH)));
}

bool
api_http_resp_keep_alive(const struct api_http_resp *rs)
{
	if (rs->fast)
		return rs->fast_keep_alive;
	return http_should_keep_alive(&rs->p) != 0;
}

/* ---- answers the gatekeeper writes itself ---- */

int
api_http_error_write(int fd, int status, const char *reason, const char *msg,
    bool close_conn, bool head_only)
{
	json_t	*o;
	char	*body, *out = NULL;
	size_t	 blen;
	int	 r, n;

	if ((o = json_pack("{s:s}", "message", msg)) == NULL)
		return -ENOMEM;
	body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (body == NULL)
		return -ENOMEM;
	blen = strlen(body);
	n = asprintf(&out, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: %zu\r\n"
	    "%s\r\n%s%s", status, reason, blen + 1,
	    close_conn ? "Connection: close\r\n" : "", head_only ? "" : body,
	    head_only ? "" : "\n");
	free(body);
	if (n < 0)
		return -ENOMEM;
	r = dw_sock_write_all(fd, out, (size_t)n);
	free(out);
	return r;
}

/* ---- one request off a buffer ---- */

/*
 * api_http_request_parse and api_http_request_frame: one request off buf,
 * with the functions a connection runs (api_pump_read_head and
 * api_pump_read_body feed the same parser the same way), where the end of
 * buf is where a connection would wait for more.  frame: also read (and
 * keep) any body, the streamed ones too, as the pump would pass it on.
 */
int
api_http_request_read(const char *buf, size_t len, bool frame, bool parser_only,
    struct api_http_request *ret, struct dw_err *err)
{
	struct api_http_req	*rq;
	struct authz_uri	*uri = NULL;
	struct dw_err		 uerr;
	const char		*why = "";
	size_t			 off = 0;
	int			 r;

	memset(ret, 0, sizeof(*ret));
	if (len == 0) {
		dw_err_set(err, "no request");
		return -ENODATA;
	}
	if ((rq = calloc(1, sizeof(*rq))) == NULL)
		return -ENOMEM;
	rq->fast_off = parser_only;
	api_http_req_reset(rq);
	rq->capture = frame;
	if ((r = api_http_req_head_feed(rq, buf, len, &off, &why)) <= 0) {
		if (r == 0) {
			r = -EAGAIN;
			why = "the buffer ends inside the request head";
		}
		dw_err_set(err, "%s", why);
		goto out;
	}
	if ((r = api_http_req_head_check(rq, buf, off, &why)) < 0) {
		dw_err_set(err, "%s", why);
		goto out;
	}
	ret->head_len = off;
	ret->head_ok = true;
	snprintf(ret->method, sizeof(ret->method), "%s", api_http_req_method(rq));
	snprintf(ret->uri, sizeof(ret->uri), "%s", rq->url);
	ret->http_minor = api_http_req_minor(rq);
	if (authz_uri_parse(api_http_req_method(rq), rq->url, &uri, &uerr) < 0)
		uri = NULL;
	ret->endpoint = uri ? uri->endpoint : AUTHZ_EP_UNKNOWN;
	ret->upgrade = api_http_req_upgrade(rq);
	ret->hijack = ret->upgrade || api_http_endpoint_hijacks(ret->endpoint);
	ret->keep_alive = api_http_req_keep_alive(rq);
	ret->chunked = api_http_req_chunked(rq);
	ret->expect_continue = rq->expect_continue;
	ret->have_ct = rq->have_ct;
	if (rq->have_ct)
		snprintf(ret->content_type, sizeof(ret->content_type), "%s", rq->content_type);
	ret->fast = rq->fast;
	rq->buffer_body = api_http_req_reads_whole(rq, ret->endpoint);
	if (rq->buffer_body || (frame && !rq->complete)) {
		while (!rq->complete && off < len) {
			if ((r = api_http_req_feed(rq, buf, len, &off, &why)) < 0 ||
			    (r = api_http_req_body_check(rq, &why)) < 0) {
				dw_err_set(err, "%s", why);
				goto out;
			}
		}
		if (!rq->complete) {
			r = -EAGAIN;
			dw_err_set(err, "the buffer ends inside the request body");
			goto out;
		}
	}
	ret->body_read_whole = rq->buffer_body;
	ret->body_len = rq->body_len;
	ret->complete = rq->complete;
	ret->consumed = off;
	if (frame) {
		ret->body = rq->cap;
		ret->body_total = rq->cap_len;
		rq->cap = NULL;
	}
	r = 0;
out:
	authz_uri_free(uri);
	api_http_req_clear(rq);
	free(rq);
	return r;
}

int
api_http_request_parse(const char *buf, size_t len, struct api_http_request *ret,
    struct dw_err *err)
{
	return api_http_request_read(buf, len, false, false, ret, err);
}

int
api_http_request_frame(const char *buf, size_t len, struct api_http_request *ret,
    struct dw_err *err)
{
	return api_http_request_read(buf, len, true, false, ret, err);
}
