/*
 * egress_fetch: one PAC download (egress_fetch.h).  The body is read into
 * a buffer that never grows past the cap, whatever Content-Length says.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "egress/egress_fetch.h"

#define FETCH_USER_AGENT	"dockward-pac-fetch"

struct fetch_state {
	char				*buf;
	size_t				 len, cap, max;
	bool				 over;
	struct egress_fetch_validators	 v;
};

static size_t
fetch_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct fetch_state	*st = arg;
	size_t			 n = size * nmemb, cap;
	char			*nb;

	if (n > st->max - st->len) {
		st->over = true;
		return 0;	/* CURLE_WRITE_ERROR */
	}
	if (st->len + n + 1 > st->cap) {
		cap = st->cap ? st->cap : 16384;
		while (cap < st->len + n + 1)
			cap *= 2;
		if (cap > st->max + 1)
			cap = st->max + 1;
		if ((nb = realloc(st->buf, cap)) == NULL)
			return 0;
		st->buf = nb;
		st->cap = cap;
	}
	memcpy(st->buf + st->len, data, n);
	st->len += n;
	st->buf[st->len] = '\0';
	return n;
}

/* Copy a header's value, trimmed, when it fits; else leave dst "". */
static void
fetch_header_value(const char *v, size_t n, char *dst, size_t sz)
{
	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ' ||
	    v[n - 1] == '\t'))
		n--;
	dst[0] = '\0';
	if (n == 0 || n >= sz || memchr(v, '\0', n) != NULL)
		return;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

/* ETag and Last-Modified of the last response (a redirect's are forgotten). */
static size_t
fetch_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct fetch_state	*st = arg;
	size_t			 n = size * nmemb;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0)
		memset(&st->v, 0, sizeof(st->v));
	else if (n > 5 && strncasecmp(data, "ETag:", 5) == 0)
		fetch_header_value(data + 5, n - 5, st->v.etag, sizeof(st->v.etag));
	else if (n > 14 && strncasecmp(data, "Last-Modified:", 14) == 0)
		fetch_header_value(data + 14, n - 14, st->v.last_modified,
		    sizeof(st->v.last_modified));
	return n;
}

static int
fetch_curl_errno(CURLcode cc)
{
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_FILESIZE_EXCEEDED:
		return -E2BIG;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_TOO_MANY_REDIRECTS:
		return -EPROTO;
	default:
		return -EIO;
	}
}

/* A header line "Name: value" for the list, or -ENOMEM. */
static int
fetch_add_header(struct curl_slist **list, const char *name, const char *value)
{
	char			 line[EGRESS_FETCH_VALIDATOR_MAX + 32];
	struct curl_slist	*l;

	snprintf(line, sizeof(line), "%s: %s", name, value);
	if ((l = curl_slist_append(*list, line)) == NULL)
		return -ENOMEM;
	*list = l;
	return 0;
}

int
egress_fetch_pac(const char *url, const struct egress_fetch_opts *opts,
    const struct egress_fetch_validators *prev, struct egress_fetch_result *ret,
    struct dw_err *err)
{
	struct egress_fetch_opts	 o;
	struct egress_fetch_result	 res;
	struct fetch_state		 st;
	struct curl_slist		*hdrs = NULL;
	CURL				*h = NULL;
	curl_version_info_data		*vi;
	CURLcode			 cc;
	const char			*scheme;
	char				 ebuf[CURL_ERROR_SIZE];
	long				 status = 0;
	int				 r;

	memset(&st, 0, sizeof(st));
	memset(&res, 0, sizeof(res));
	memset(&o, 0, sizeof(o));
	if (opts != NULL)
		o = *opts;
	st.max = o.max ? o.max : EGRESS_PAC_MAX;
	if (strncasecmp(url, "http://", 7) == 0)
		scheme = "http";
	else if (strncasecmp(url, "https://", 8) == 0)
		scheme = "https";
	else {
		dw_err_set(err, "%.128s: only http:// and https:// PAC URLs are fetched", url);
		r = -EINVAL;
		goto out;
	}
	if ((h = curl_easy_init()) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (prev != NULL && prev->etag[0] != '\0' &&
	    (r = fetch_add_header(&hdrs, "If-None-Match", prev->etag)) != 0)
		goto out;
	if (prev != NULL && prev->last_modified[0] != '\0' &&
	    (r = fetch_add_header(&hdrs, "If-Modified-Since", prev->last_modified)) != 0)
		goto out;
	ebuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, scheme);
	/* Redirects keep the scheme: no https -> http downgrade, no file://. */
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, scheme);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)EGRESS_FETCH_REDIRS_MAX);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(o.connect_ms ? o.connect_ms : EGRESS_FETCH_CONNECT_MS));
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
	    (long)(o.timeout_ms ? o.timeout_ms : EGRESS_FETCH_TIMEOUT_MS));
	curl_easy_setopt(h, CURLOPT_USERAGENT, FETCH_USER_AGENT);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");	/* what the cap counts is decoded */
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)st.max);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &st);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, fetch_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &st);
	if (hdrs != NULL)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	if (o.ca_file != NULL) {
		/* CAINFO replaces the bundle; libcurl's CA directory stays. */
		vi = curl_version_info(CURLVERSION_NOW);
		curl_easy_setopt(h, CURLOPT_CAINFO, o.ca_file);
		if (vi->capath != NULL)
			curl_easy_setopt(h, CURLOPT_CAPATH, vi->capath);
	}
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (st.over) {
		dw_err_set(err, "%.128s: larger than %zu bytes", url, st.max);
		r = -E2BIG;
		goto out;
	}
	if (cc != CURLE_OK) {
		r = fetch_curl_errno(cc);
		if (r == -E2BIG)
			dw_err_set(err, "%.128s: larger than %zu bytes", url, st.max);
		else
			dw_err_set(err, "%.128s: %s", url, ebuf[0] ? ebuf : curl_easy_strerror(cc));
		goto out;
	}
	res.status = status;
	if (status == 304) {
		if (prev == NULL) {
			dw_err_set(err, "%.128s: 304 Not Modified to a request without validators",
			    url);
			r = -EPROTO;
			goto out;
		}
		res.not_modified = true;
		res.validators = *prev;
		/* A 304 may carry fresher validators. */
		if (st.v.etag[0] != '\0')
			memcpy(res.validators.etag, st.v.etag, sizeof(st.v.etag));
		if (st.v.last_modified[0] != '\0')
			memcpy(res.validators.last_modified, st.v.last_modified,
			    sizeof(st.v.last_modified));
		*ret = res;
		r = 0;
		goto out;
	}
	if (status == 404 || status == 410) {
		dw_err_set(err, "%.128s: HTTP %ld (no PAC file there)", url, status);
		r = -ENOENT;
		goto out;
	}
	if (status != 200) {
		dw_err_set(err, "%.128s: HTTP %ld", url, status);
		r = -EPROTO;
		goto out;
	}
	if (st.len == 0) {
		dw_err_set(err, "%.128s: an empty PAC file", url);
		r = -EPROTO;
		goto out;
	}
	res.script = st.buf;
	res.len = st.len;
	res.validators = st.v;
	st.buf = NULL;
	*ret = res;
	r = 0;
out:
	free(st.buf);
	curl_slist_free_all(hdrs);
	if (h != NULL)
		curl_easy_cleanup(h);
	return r;
}

void
egress_fetch_result_clear(struct egress_fetch_result *r)
{
	if (r == NULL)
		return;
	free(r->script);
	memset(r, 0, sizeof(*r));
}
