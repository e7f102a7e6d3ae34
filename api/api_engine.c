/* api_engine: bounded, timed Engine API lookups over a unix socket (libcurl). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "api/api_engine.h"
#include "api/api_metrics.h"
#include "api/api_stamp.h"
#include "common/dw_buf.h"
#include "common/dw_limits.h"

struct api_engine {
	char			*socket_path;
	struct api_stamp	*stamps;	/* borrowed; NULL: calls go unstamped */
};

struct resp_buf {
	char	*data;
	size_t	 len;
	int	 too_big;
};

struct api_engine *
api_engine_new(const char *socket_path)
{
	struct api_engine	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	if ((e->socket_path = strdup(socket_path)) == NULL) {
		free(e);
		return NULL;
	}
	return e;
}

void
api_engine_stamp_set(struct api_engine *e, struct api_stamp *stamps)
{
	e->stamps = stamps;
}

void
api_engine_free(struct api_engine *e)
{
	if (e == NULL)
		return;
	free(e->socket_path);
	free(e);
}

/* Collect the body, refusing to grow past DW_ENGINE_RESP_MAX. */
static size_t
resp_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct resp_buf	*b = userdata;
	size_t		 n = size * nmemb;
	int		 r;

	if ((r = dw_buf_append(&b->data, &b->len, DW_ENGINE_RESP_MAX, ptr, n)) < 0) {
		b->too_big = r == -E2BIG;
		return 0;
	}
	return n;
}

int
api_engine_get_json(struct api_engine *e, const char *path, json_t **ret,
    struct dw_err *err)
{
	struct resp_buf	 b = { 0 };
	struct curl_slist *hdrs = NULL, *nh;
	json_error_t	 jerr;
	CURL		*h;
	CURLcode	 cc;
	char		 url[DW_URI_MAX];
	long		 status = 0;
	json_t		*j;
	int		 r;

	snprintf(url, sizeof(url), "http://localhost%s", path);
	if ((h = curl_easy_init()) == NULL) {
		dw_err_set(err, "out of memory");
		return -ENOMEM;
	}
	curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, e->socket_path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, resp_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)DW_ENGINE_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
	if (e->stamps != NULL) {
		/* Full mode: dockerd asks the plugin about this call too; prove it is ours. */
		char	stamp[API_STAMP_LEN + 1], line[sizeof(API_STAMP_HEADER) + API_STAMP_LEN + 4];

		if (api_stamp_issue(e->stamps, "GET", path, stamp) < 0) {
			curl_easy_cleanup(h);
			dw_err_set(err, "no randomness for the request's stamp");
			return -EIO;
		}
		snprintf(line, sizeof(line), "%s: %s", API_STAMP_HEADER, stamp);
		if ((nh = curl_slist_append(NULL, line)) == NULL) {
			curl_easy_cleanup(h);
			dw_err_set(err, "out of memory");
			return -ENOMEM;
		}
		hdrs = nh;
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	}
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	if (cc != CURLE_OK) {
		if (b.too_big) {
			dw_err_set(err, "engine answer over %d bytes", DW_ENGINE_RESP_MAX);
			r = -E2BIG;
		} else {
			dw_err_set(err, "engine at %s unreachable: %s", e->socket_path,
			    curl_easy_strerror(cc));
			api_metrics_upstream_error();
			r = cc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -EIO;
		}
		goto out;
	}
	if (status == 404) {
		dw_err_set(err, "not found");
		r = -ENOENT;
		goto out;
	}
	if (status != 200) {
		dw_err_set(err, "engine answered HTTP %ld for %s", status, path);
		r = -EIO;
		goto out;
	}
	/* Inspects answer objects, lists (containers/json) arrays. */
	if ((j = json_loadb(b.data ? b.data : "", b.len, 0, &jerr)) == NULL ||
	    (!json_is_object(j) && !json_is_array(j))) {
		json_decref(j);
		dw_err_set(err, "engine answer for %s is not a JSON object or array", path);
		r = -EPROTO;
		goto out;
	}
	*ret = j;
	r = 0;
out:
	free(b.data);
	return r;
}

/* GET prefix + escaped name + suffix. */
static int
inspect(void *ctx, const char *prefix, const char *name, const char *suffix,
    json_t **ret, struct dw_err *err)
{
	char	 path[DW_URI_MAX];
	char	*esc;
	json_t	*j;
	int	 r;

	if ((esc = curl_easy_escape(NULL, name, 0)) == NULL) {
		dw_err_set(err, "out of memory");
		return -ENOMEM;
	}
	if (strlen(prefix) + strlen(esc) + strlen(suffix) >= sizeof(path)) {
		curl_free(esc);
		dw_err_set(err, "name too long");
		return -E2BIG;
	}
	snprintf(path, sizeof(path), "%s%s%s", prefix, esc, suffix);
	curl_free(esc);
	if ((r = api_engine_get_json(ctx, path, &j, err)) < 0)
		return r;
	if (!json_is_object(j)) {
		json_decref(j);
		dw_err_set(err, "engine answer for %s is not a JSON object", path);
		return -EPROTO;
	}
	*ret = j;
	return 0;
}

int
api_engine_container_inspect(void *ctx, const char *id, json_t **ret,
    struct dw_err *err)
{
	return inspect(ctx, "/v1.24/containers/", id, "/json", ret, err);
}

int
api_engine_exec_inspect(void *ctx, const char *id, json_t **ret,
    struct dw_err *err)
{
	return inspect(ctx, "/v1.24/exec/", id, "/json", ret, err);
}

int
api_engine_volume_inspect(void *ctx, const char *name, json_t **ret,
    struct dw_err *err)
{
	return inspect(ctx, "/v1.24/volumes/", name, "", ret, err);
}

int
api_engine_image_inspect(void *ctx, const char *ref, json_t **ret,
    struct dw_err *err)
{
	return inspect(ctx, "/v1.24/images/", ref, "/json", ret, err);
}

int
api_engine_network_inspect(void *ctx, const char *id, json_t **ret,
    struct dw_err *err)
{
	return inspect(ctx, "/v1.24/networks/", id, "", ret, err);
}
