/* api_http: request framing on the subset Go's net/http and we read alike (see api_http.h). */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "api/api_http.h"

/* RFC 9110 tchar. */
static bool
is_tchar(unsigned char ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
		return true;
	return ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

/* A byte Go accepts in a header value (httpguts.ValidHeaderFieldValue). */
static bool
is_value_byte(unsigned char ch)
{
	return ch == '\t' || (ch >= 0x20 && ch != 0x7f);
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
	size_t	i;

	for (i = off; i < len; i++) {
		if (buf[i] == '\n') {
			*ret_why = "a line ends in a bare LF, not CRLF";
			return -1;
		}
		if (buf[i] == '\r') {
			if (i + 1 < len && buf[i + 1] == '\n')
				return (long)i;
			*ret_why = "a bare CR is inside a line";
			return -1;
		}
	}
	*ret_why = "the head does not end in an empty line";
	return -1;
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
	unsigned	 n_cl = 0, n_te = 0, n_host = 0, n_conn = 0, n_expect = 0;
	bool		 conn_close = false, conn_keep = false;
	size_t		 off, name_end, vs, ve, i;
	long		 eol;

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
		for (i = off; i < (size_t)eol && buf[i] != ':'; i++) {
			if (!is_tchar((unsigned char)buf[i])) {
				*ret_why = "a header name has whitespace or another "
				    "character that is not a token character";
				return -EPROTO;
			}
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
		for (i = vs; i < ve; i++) {
			if (!is_value_byte((unsigned char)buf[i])) {
				*ret_why = "a header value has a control character";
				return -EPROTO;
			}
		}
		if (eq_fold(buf + off, name_end - off, "Content-Length")) {
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
		} else if (eq_fold(buf + off, name_end - off, "Transfer-Encoding")) {
			if (++n_te > 1) {
				*ret_why = "Transfer-Encoding is given more than once";
				return -EPROTO;
			}
			if (!eq_fold(buf + vs, ve - vs, "chunked")) {
				*ret_why = "Transfer-Encoding is not exactly \"chunked\"";
				return -EPROTO;
			}
		} else if (eq_fold(buf + off, name_end - off, "Host")) {
			if (++n_host > 1) {
				*ret_why = "Host is given more than once";
				return -EPROTO;
			}
		} else if (eq_fold(buf + off, name_end - off, "Connection")) {
			if (++n_conn > 1) {
				*ret_why = "Connection is given more than once";
				return -EPROTO;
			}
			conn_close = has_token(buf + vs, ve - vs, "close");
			conn_keep = has_token(buf + vs, ve - vs, "keep-alive");
		} else if (eq_fold(buf + off, name_end - off, "Expect")) {
			if (++n_expect > 1 || !eq_fold(buf + vs, ve - vs, "100-continue")) {
				*ret_why = "Expect is given more than once or is not "
				    "\"100-continue\"";
				return -EPROTO;
			}
			h->expect_continue = true;
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
