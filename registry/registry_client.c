/*
 * registry_client: manifests and indexes over the registry HTTP API v2
 * (libcurl), with Docker's token authentication.  Every body is bounded
 * and hashed; what is returned was checked against the digest that names
 * it.  One curl easy handle per request; the token cache is shared under
 * a mutex.
 */
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "common/dw_buf.h"
#include "common/dw_esc.h"
#include "common/dw_limits.h"
#include "digest/digest_sha256.h"
#include "registry/registry_auth.h"
#include "registry/registry_client.h"
#include "digest/digest_manifest.h"

#define CLIENT_CONNECT_TIMEOUT_MS	3000
#define CLIENT_TIMEOUT_MS		10000
#define CLIENT_RETRIES			1
#define CLIENT_BACKOFF_MS		250	/* first retry; doubles, at most 2 s */
#define CLIENT_BACKOFF_MAX_MS		2000
#define CLIENT_USER_AGENT		"dockward"
#define CLIENT_ESC_MAX			96	/* an untrusted string quoted in a message */
#define CLIENT_URL_MAX			(DW_URI_MAX + 512)
#define CLIENT_CT_MAX			256	/* a kept Content-Type */
#define CLIENT_NOTE_MAX			(DW_ERR_MAX / 2)
#define CLIENT_PING_MAX			(64 * 1024)	/* a /v2/ answer: "{}" from a registry */
#define HUB_DOMAIN			"docker.io"
#define HUB_HOST			"registry-1.docker.io"

struct registry_client {
	char				*ca_file;	/* NULL: system store only */
	char				*ca_path;	/* system CA directory, kept with ca_file */
	struct dw_strv			 insecure;
	char				*docker_config;
	long				 connect_timeout_ms;
	long				 timeout_ms;
	int				 retries;
	pthread_mutex_t			 lock;		/* guards tokens */
	struct registry_auth_token_cache	*tokens;
	struct registry_client_transport	 transport;	/* libcurl unless a test's */
};

/* One answer: bounded body and the headers we use. */
struct registry_client_resp {
	char	*body;
	size_t	 len;
	size_t	 max;
	bool	 too_big;
	long	 status;
	char	 content_type[CLIENT_CT_MAX];
	char	 dcd[DIGEST_SHA256_STRLEN + 64];	/* Docker-Content-Digest */
	bool	 has_dcd;
	bool	 bad_dcd;				/* present but too long */
	char	 www_auth[DW_HTTP_HEADER_MAX + 1];
	bool	 www_auth_big;
	long	 retry_after;				/* seconds, 0 when none */
};

static int	client_curl_perform(void *, const struct registry_client_req *,
		    struct registry_client_resp *, long *, bool *, struct dw_err *);

/* Registry host to contact for a reference domain. */
const char *
registry_client_host_for(const char *domain)
{
	if (domain != NULL && strcmp(domain, HUB_DOMAIN) == 0)
		return HUB_HOST;
	return domain;
}

/* True when host[:port] names the loopback interface. */
static bool
client_is_loopback(const char *domain)
{
	char		 host[256];
	const char	*end;
	size_t		 n;
	struct in_addr	 a4;
	struct in6_addr	 a6;

	if (domain[0] == '[') {
		if ((end = strchr(domain, ']')) == NULL ||
		    (end[1] != '\0' && end[1] != ':'))
			return false;
		n = (size_t)(end - domain - 1);
		if (n >= sizeof(host))
			return false;
		memcpy(host, domain + 1, n);
		host[n] = '\0';
		return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	n = strcspn(domain, ":");
	if (n >= sizeof(host))
		return false;
	memcpy(host, domain, n);
	host[n] = '\0';
	if (strcasecmp(host, "localhost") == 0)
		return true;
	return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

/* Plain HTTP only for loopback and for hosts the admin listed as insecure. */
static bool
client_is_plain(const struct registry_client *c, const char *domain)
{
	size_t	i;

	if (client_is_loopback(domain))
		return true;
	for (i = 0; i < c->insecure.n; i++)
		if (strcasecmp(c->insecure.v[i], domain) == 0)
			return true;
	return false;
}

/* A client with copies of opts. */
struct registry_client *
registry_client_new(const struct registry_opts *opts, struct dw_err *err)
{
	struct registry_client		*c;
	const curl_version_info_data	*vi;
	size_t				 i;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto nomem;
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		dw_err_set(err, "registry client: cannot create a mutex");
		return NULL;
	}
	if ((c->tokens = registry_auth_token_cache_new()) == NULL)
		goto nomem;
	c->connect_timeout_ms = CLIENT_CONNECT_TIMEOUT_MS;
	c->timeout_ms = CLIENT_TIMEOUT_MS;
	c->retries = CLIENT_RETRIES;
	c->transport.perform = client_curl_perform;
	c->transport.ctx = c;
	if (opts == NULL)
		return c;
	if (opts->transport != NULL)
		c->transport = *opts->transport;
	if (opts->connect_timeout_ms > 0)
		c->connect_timeout_ms = opts->connect_timeout_ms;
	if (opts->timeout_ms > 0)
		c->timeout_ms = opts->timeout_ms;
	if (opts->retries > 0)
		c->retries = opts->retries;
	else if (opts->retries < 0)
		c->retries = 0;
	if (opts->ca_file != NULL) {
		if ((c->ca_file = strdup(opts->ca_file)) == NULL)
			goto nomem;
		/* CURLOPT_CAINFO replaces the bundle; keep the system directory too. */
		vi = curl_version_info(CURLVERSION_NOW);
		if ((c->ca_path = strdup(vi->capath != NULL ? vi->capath :
		    "/etc/ssl/certs")) == NULL)
			goto nomem;
	}
	if (opts->docker_config != NULL &&
	    (c->docker_config = strdup(opts->docker_config)) == NULL)
		goto nomem;
	for (i = 0; i < opts->insecure.n; i++)
		if (dw_strv_push(&c->insecure, opts->insecure.v[i]) != 0)
			goto nomem;
	return c;
nomem:
	registry_client_free(c);
	dw_err_set(err, "registry client: out of memory");
	return NULL;
}

/* Free the client and its cached tokens. */
void
registry_client_free(struct registry_client *c)
{
	if (c == NULL)
		return;
	registry_auth_token_cache_free(c->tokens);
	pthread_mutex_destroy(&c->lock);
	free(c->ca_file);
	free(c->ca_path);
	free(c->docker_config);
	dw_strv_clear(&c->insecure);
	free(c);
}

/* Release the facts' vectors and reset them. */
/* ------------------------------------------------------------- HTTP */

/* Collect the body, refusing to grow past resp->max. */
int
registry_client_resp_body(struct registry_client_resp *resp, const void *data, size_t len)
{
	int	r;

	if ((r = dw_buf_append(&resp->body, &resp->len, resp->max, data, len)) < 0)
		resp->too_big = r == -E2BIG;
	return r;
}

/* Keep the headers we use; a status line starts a new response (redirect, 100). */
void
registry_client_resp_header(struct registry_client_resp *resp, const char *buf, size_t n)
{
	size_t		 nl, vl, cur;
	const char	*v, *end;

	if (n >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		resp->content_type[0] = '\0';
		resp->dcd[0] = '\0';
		resp->has_dcd = resp->bad_dcd = false;
		resp->www_auth[0] = '\0';
		resp->www_auth_big = false;
		resp->retry_after = 0;
		return;
	}
	if ((v = memchr(buf, ':', n)) == NULL)
		return;
	nl = (size_t)(v - buf);
	end = buf + n;
	for (v++; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' ||
	    end[-1] == '\t'))
		end--;
	vl = (size_t)(end - v);
	if (nl == 12 && strncasecmp(buf, "Content-Type", nl) == 0) {
		if (vl < sizeof(resp->content_type)) {
			memcpy(resp->content_type, v, vl);
			resp->content_type[vl] = '\0';
		} else
			snprintf(resp->content_type, sizeof(resp->content_type), "(too long)");
	} else if (nl == 21 && strncasecmp(buf, "Docker-Content-Digest", nl) == 0) {
		resp->has_dcd = true;
		if (vl < sizeof(resp->dcd)) {
			memcpy(resp->dcd, v, vl);
			resp->dcd[vl] = '\0';
		} else
			resp->bad_dcd = true;
	} else if (nl == 16 && strncasecmp(buf, "WWW-Authenticate", nl) == 0) {
		/* Several headers are one list (RFC 7230 3.2.2). */
		cur = strlen(resp->www_auth);
		if (cur + 2 + vl > DW_HTTP_HEADER_MAX)
			resp->www_auth_big = true;
		else {
			if (cur > 0) {
				memcpy(resp->www_auth + cur, ", ", 2);
				cur += 2;
			}
			memcpy(resp->www_auth + cur, v, vl);
			resp->www_auth[cur + vl] = '\0';
		}
	} else if (nl == 11 && strncasecmp(buf, "Retry-After", nl) == 0) {
		long	s = 0;

		while (vl > 0 && isdigit((unsigned char)*v) && s <= DW_RETRY_AFTER_MAX_S) {
			s = s * 10 + (*v - '0');
			v++;
			vl--;
		}
		resp->retry_after = s > DW_RETRY_AFTER_MAX_S ? DW_RETRY_AFTER_MAX_S : s;
	}
}

/* Forget a previous answer (keeps the limit). */
static void
http_resp_reset(struct registry_client_resp *resp)
{
	size_t	max = resp->max;

	free(resp->body);
	memset(resp, 0, sizeof(*resp));
	resp->max = max;
}

/* Free the body. */
static void
http_resp_free(struct registry_client_resp *resp)
{
	free(resp->body);
	resp->body = NULL;
	resp->len = 0;
}

/* The body as curl hands it over; 0 stops the transfer. */
static size_t
http_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	size_t	n = size * nmemb;

	if (n == 0)
		return 0;
	return registry_client_resp_body(userdata, ptr, n) < 0 ? 0 : n;
}

/* One header line as curl hands it over. */
static size_t
http_header(char *buf, size_t size, size_t nitems, void *userdata)
{
	size_t	n = size * nitems;

	registry_client_resp_header(userdata, buf, n);
	return n;
}

/* The error for an answer past its limit. */
static int
http_too_big(const struct registry_client_resp *resp, const char *host, struct dw_err *err)
{
	dw_err_set(err, "registry %s: answer larger than %zu bytes", host, resp->max);
	return -E2BIG;
}

/* Map a curl failure to -errno with a message naming host. */
static int
http_curl_error(CURLcode cc, const struct registry_client_resp *resp, const char *host,
    const char *ebuf, struct dw_err *err)
{
	const char	*detail = ebuf[0] != '\0' ? ebuf : curl_easy_strerror(cc);

	switch (cc) {
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		if (resp->too_big || cc == CURLE_FILESIZE_EXCEEDED)
			return http_too_big(resp, host, err);
		dw_err_set(err, "registry %s: cannot store the answer", host);
		return -ENOMEM;
	case CURLE_OPERATION_TIMEDOUT:
		dw_err_set(err, "registry %s: timed out: %s", host, detail);
		return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT:
		dw_err_set(err, "registry %s: cannot connect: %s", host, detail);
		return -ECONNREFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		dw_err_set(err, "registry %s: cannot resolve: %s", host, detail);
		return -EIO;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		dw_err_set(err, "registry %s: TLS: %s", host, detail);
		return -EIO;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_TOO_MANY_REDIRECTS:
		dw_err_set(err, "registry %s: refused redirect: %s", host, detail);
		return -EPROTO;
	default:
		dw_err_set(err, "registry %s: %s", host, detail);
		return -EIO;
	}
}

/* The default transport: one exchange with libcurl (ctx is the client). */
static int
client_curl_perform(void *ctx, const struct registry_client_req *req,
    struct registry_client_resp *resp, long *ret_status, bool *transient, struct dw_err *err)
{
	const struct registry_client	*c = ctx;
	const char			*host = req->host;
	struct curl_slist		*hdrs = NULL, *nh;
	char				 ebuf[CURL_ERROR_SIZE] = "";
	char				*line = NULL;
	size_t				 linesz;
	CURLcode			 cc;
	CURL				*h;
	long				 status;
	int				 r;

	if ((h = curl_easy_init()) == NULL) {
		dw_err_set(err, "registry %s: cannot create a curl handle", host);
		return -ENOMEM;
	}
	if (req->accept != NULL) {
		linesz = strlen(req->accept) + 16;
		if ((line = malloc(linesz)) == NULL) {
			r = -ENOMEM;
			goto out;
		}
		snprintf(line, linesz, "Accept: %s", req->accept);
		if ((nh = curl_slist_append(hdrs, line)) == NULL) {
			r = -ENOMEM;
			goto out;
		}
		hdrs = nh;
		free(line);
		line = NULL;
	}
	if (req->bearer != NULL) {
		linesz = strlen(req->bearer) + 32;
		if ((line = malloc(linesz)) == NULL) {
			r = -ENOMEM;
			goto out;
		}
		snprintf(line, linesz, "Authorization: Bearer %s", req->bearer);
		nh = curl_slist_append(hdrs, line);
		explicit_bzero(line, strlen(line));
		free(line);
		line = NULL;
		if (nh == NULL) {
			r = -ENOMEM;
			goto out;
		}
		hdrs = nh;
	}
	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_USERAGENT, CLIENT_USER_AGENT);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, http_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)resp->max);
	if (hdrs != NULL)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	if (req->follow) {
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)DW_REGISTRY_REDIRS_MAX);
		/* Never downgrade: an https start stays https. */
		curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR,
		    strncasecmp(req->url, "https:", 6) == 0 ? "https" : "http,https");
	} else
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	if (req->no_proxy)
		curl_easy_setopt(h, CURLOPT_PROXY, "");
	if (c->ca_file != NULL) {
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
		curl_easy_setopt(h, CURLOPT_CAPATH, c->ca_path);
	}
	if (req->username != NULL) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, req->username);
		curl_easy_setopt(h, CURLOPT_PASSWORD,
		    req->password != NULL ? req->password : "");
	}
	if (req->method == REGISTRY_CLIENT_HEAD)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (req->method == REGISTRY_CLIENT_POST)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->post);
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		*transient = cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST;
		r = http_curl_error(cc, resp, host, ebuf, err);
		goto out;
	}
	status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	*ret_status = status;
	r = 0;
out:
	free(line);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	return r;
}

/* Sleep for ms milliseconds (or let a test's transport count them). */
static void
http_sleep_ms(const struct registry_client *c, long ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	if (c->transport.sleep_ms != NULL) {
		c->transport.sleep_ms(c->transport.ctx, ms);
		return;
	}
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * One HTTP exchange through the transport; 0 with resp->status set, or
 * -errno for a transport failure, *transient telling whether it was a
 * connect error worth a retry.
 */
static int
http_once(const struct registry_client *c, const struct registry_client_req *req,
    struct registry_client_resp *resp, bool *transient, struct dw_err *err)
{
	long	status;
	int	r;

	*transient = false;
	if ((r = c->transport.perform(c->transport.ctx, req, resp, &status, transient,
	    err)) != 0) {
		if (resp->too_big)
			r = http_too_big(resp, req->host, err);
		return r;
	}
	resp->status = status;
	return 0;
}

/* http_once with retries (short backoff) for connect errors, 5xx and 429. */
static int
http_do(const struct registry_client *c, const struct registry_client_req *req,
    struct registry_client_resp *resp, struct dw_err *err)
{
	long	delay = CLIENT_BACKOFF_MS;
	bool	transient;
	int	attempt, r;

	resp->max = req->max;
	for (attempt = 0;; attempt++) {
		http_resp_reset(resp);
		r = http_once(c, req, resp, &transient, err);
		if (attempt >= c->retries)
			break;
		if (!transient && !(r == 0 && (resp->status == 429 || resp->status >= 500)))
			break;
		if (r == 0 && resp->retry_after > 0)
			http_sleep_ms(c, resp->retry_after * 1000);
		else
			http_sleep_ms(c, delay);
		if ((delay *= 2) > CLIENT_BACKOFF_MAX_MS)
			delay = CLIENT_BACKOFF_MAX_MS;
	}
	return r;
}

/* ------------------------------------------------------------- auth */

/* Credentials for domain from the docker config; note says why there are none when it matters. */
static void
client_creds(const struct registry_client *c, const char *domain,
    struct registry_auth_creds *creds, char *note, size_t notesz)
{
	struct dw_err	cerr = { "" };
	int		r;

	memset(creds, 0, sizeof(*creds));
	note[0] = '\0';
	if (c->docker_config == NULL)
		return;
	r = registry_auth_creds_load(c->docker_config, domain, creds, &cerr);
	if (r != 0 && r != -ENOENT)
		snprintf(note, notesz, "; %s", cerr.msg);
}

/* The host part of an http(s) URL, for checks and messages; false when malformed. */
static bool
client_url_host(const char *url, char *host, size_t hostsz, bool *https)
{
	const char	*p;
	size_t		 n;

	if (strncasecmp(url, "https://", 8) == 0) {
		*https = true;
		p = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		*https = false;
		p = url + 7;
	} else
		return false;
	n = strcspn(p, "/?#");
	/* No userinfo: credentials are ours to add, not the registry's. */
	if (n == 0 || n >= hostsz || memchr(p, '@', n) != NULL)
		return false;
	memcpy(host, p, n);
	host[n] = '\0';
	return true;
}

/* Append "&name=<escaped value>" (or "?..." first) to a growing string. */
static int
client_append_param(char **s, const char *name, const char *value, bool first)
{
	char	*esc, *ns;
	int	 n;

	if ((esc = curl_easy_escape(NULL, value, 0)) == NULL)
		return -ENOMEM;
	n = asprintf(&ns, "%s%s%s=%s", *s, first ? "" : "&", name, esc);
	explicit_bzero(esc, strlen(esc));
	curl_free(esc);
	if (n < 0)
		return -ENOMEM;
	explicit_bzero(*s, strlen(*s));
	free(*s);
	*s = ns;
	return 0;
}

/*
 * Get a bearer token from the challenge's realm for scope: GET with Basic
 * credentials (or anonymous), or the OAuth2 refresh-token POST when the
 * config has an identity token.  Cached; *ret_token is a copy.
 */
static int
client_token(struct registry_client *c, const char *host, const char *domain,
    const struct registry_auth_challenge *ch, const char *scope, bool fresh,
    char **ret_token, struct dw_err *err)
{
	struct registry_auth_creds	 creds;
	struct registry_client_req	 req = { 0 };
	struct registry_client_resp	*resp = NULL;
	char				 rhost[256], note[CLIENT_NOTE_MAX], q[CLIENT_ESC_MAX];
	char				*url = NULL, *form = NULL, *token = NULL;
	struct dw_err			 terr;
	bool				 https;
	long				 expires_in;
	int				 r;

	memset(&creds, 0, sizeof(creds));
	if (!fresh) {
		pthread_mutex_lock(&c->lock);
		token = registry_auth_token_cache_get(c->tokens, ch->realm, ch->service, scope,
		    time(NULL));
		pthread_mutex_unlock(&c->lock);
		if (token != NULL) {
			*ret_token = token;
			return 0;
		}
	}
	if (!client_url_host(ch->realm, rhost, sizeof(rhost), &https) ||
	    (!https && !client_is_plain(c, rhost))) {
		dw_esc(q, sizeof(q), ch->realm, strlen(ch->realm));
		dw_err_set(err, "registry %s: refused token realm \"%s\" (https needed, "
		    "no userinfo)", host, q);
		return -EPROTO;
	}
	client_creds(c, domain, &creds, note, sizeof(note));
	if ((url = strdup(ch->realm)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (creds.identitytoken != NULL) {
		if ((form = strdup("")) == NULL ||
		    client_append_param(&form, "grant_type", "refresh_token", true) != 0 ||
		    client_append_param(&form, "client_id", CLIENT_USER_AGENT, false) != 0 ||
		    (ch->service != NULL &&
		    client_append_param(&form, "service", ch->service, false) != 0) ||
		    client_append_param(&form, "scope", scope, false) != 0 ||
		    client_append_param(&form, "refresh_token", creds.identitytoken,
		    false) != 0) {
			r = -ENOMEM;
			goto out;
		}
		req.method = REGISTRY_CLIENT_POST;
		req.post = form;
	} else {
		bool	first = strchr(url, '?') == NULL;

		if (first) {
			char	*nu;

			if (asprintf(&nu, "%s?", url) < 0) {
				r = -ENOMEM;
				goto out;
			}
			free(url);
			url = nu;
		}
		if ((ch->service != NULL &&
		    client_append_param(&url, "service", ch->service, first) != 0) ||
		    client_append_param(&url, "scope", scope,
		    first && ch->service == NULL) != 0) {
			r = -ENOMEM;
			goto out;
		}
		req.method = REGISTRY_CLIENT_GET;
		req.username = creds.username;
		req.password = creds.password;
	}
	if (strlen(url) > CLIENT_URL_MAX) {
		dw_err_set(err, "registry %s: token realm URL too long", host);
		r = -E2BIG;
		goto out;
	}
	req.url = url;
	req.host = rhost;
	req.follow = true;
	req.no_proxy = client_is_loopback(rhost);
	req.max = DW_TOKEN_MAX;
	if ((resp = calloc(1, sizeof(*resp))) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if ((r = http_do(c, &req, resp, err)) != 0) {
		dw_err_prefix(err, "registry %s: token", host);
		goto out;
	}
	if (resp->status == 401 || resp->status == 403) {
		dw_err_set(err, "registry %s: token server %s refused %s (HTTP %ld)%s", host,
		    rhost, creds.username != NULL || creds.identitytoken != NULL ?
		    "the credentials from the docker config" : "an anonymous token",
		    resp->status, note);
		r = -EACCES;
		goto out;
	}
	if (resp->status != 200) {
		dw_err_set(err, "registry %s: token server %s answered HTTP %ld", host, rhost,
		    resp->status);
		r = -EIO;
		goto out;
	}
	if ((r = registry_auth_token_parse(resp->body, resp->len, &token, &expires_in,
	    &terr)) != 0) {
		dw_err_set(err, "registry %s: token server %s: %s", host, rhost, terr.msg);
		goto out;
	}
	pthread_mutex_lock(&c->lock);
	/* A cache failure only costs a token request next time. */
	(void)registry_auth_token_cache_put(c->tokens, host, ch->realm, ch->service, scope,
	    token, expires_in, time(NULL));
	pthread_mutex_unlock(&c->lock);
	*ret_token = token;
	token = NULL;
	r = 0;
out:
	if (resp != NULL) {
		if (resp->body != NULL)
			explicit_bzero(resp->body, resp->len);
		http_resp_free(resp);
		free(resp);
	}
	if (form != NULL) {
		explicit_bzero(form, strlen(form));
		free(form);
	}
	free(url);
	free(token);
	registry_auth_creds_clear(&creds);
	return r;
}

/* ---------------------------------------------------------- manifests */

/* The registry error code of an error body ({"errors":[{"code":...}]}), sanitized, or "". */
static void
client_error_code(const struct registry_client_resp *resp, char *code, size_t codesz)
{
	const char	*p, *q;
	size_t		 n = 0;

	code[0] = '\0';
	if (resp->body == NULL || (p = strstr(resp->body, "\"code\"")) == NULL)
		return;
	p += 6;
	while (*p == ' ' || *p == ':' || *p == '\t')
		p++;
	if (*p++ != '"')
		return;
	for (q = p; (isupper((unsigned char)*q) || *q == '_') && n + 1 < codesz; q++)
		code[n++] = *q;
	code[*q == '"' ? n : 0] = '\0';
}

/*
 * GET or HEAD /v2/<path>/manifests/<reference>, authenticating on a 401
 * (Bearer token or Basic credentials) and retrying once.  0 only for a
 * 200 answer; -ENOENT, -EACCES, -EIO otherwise.
 */
static int
client_manifest_request(struct registry_client *c, const struct digest_ref *ref,
    const char *reference, enum registry_client_method method,
    struct registry_client_resp *resp, struct dw_err *err)
{
	struct registry_auth_challenge	 ch = { 0 };
	struct registry_auth_creds		 creds;
	struct registry_client_req		 req = { 0 };
	const char			*host = registry_client_host_for(ref->domain);
	char				 url[CLIENT_URL_MAX], note[CLIENT_NOTE_MAX] = "";
	char				 scope[DW_URI_MAX], code[64];
	char				*token = NULL;
	struct dw_err			 cerr;
	bool				 plain = client_is_plain(c, ref->domain);
	int				 r;

	memset(&creds, 0, sizeof(creds));
	if ((size_t)snprintf(url, sizeof(url), "%s://%s/v2/%s/manifests/%s",
	    plain ? "http" : "https", host, ref->path, reference) >= sizeof(url) ||
	    (size_t)snprintf(scope, sizeof(scope), "repository:%s:pull", ref->path) >=
	    sizeof(scope)) {
		dw_err_set(err, "registry %s: reference too long", host);
		return -E2BIG;
	}
	req.method = method;
	req.url = url;
	req.host = host;
	req.accept = DIGEST_MANIFEST_ACCEPT;
	req.no_proxy = client_is_loopback(ref->domain);
	req.max = method == REGISTRY_CLIENT_HEAD ? 0 : DW_MANIFEST_MAX;
	pthread_mutex_lock(&c->lock);
	token = registry_auth_token_cache_find(c->tokens, host, scope, time(NULL));
	pthread_mutex_unlock(&c->lock);
	req.bearer = token;
	if ((r = http_do(c, &req, resp, err)) != 0)
		goto out;
	if (resp->status == 401) {
		if (resp->www_auth_big) {
			dw_err_set(err, "registry %s: WWW-Authenticate longer than %d bytes", host,
			    DW_HTTP_HEADER_MAX);
			r = -E2BIG;
			goto out;
		}
		if ((r = registry_auth_challenge_parse(resp->www_auth, &ch, &cerr)) != 0) {
			dw_err_set(err, "registry %s: HTTP 401: %s", host, cerr.msg);
			r = r == -ENOENT ? -EACCES : -EPROTO;
			goto out;
		}
		if (ch.scheme == REGISTRY_AUTH_BEARER) {
			char	*fresh = NULL;

			if ((r = client_token(c, host, ref->domain, &ch, scope, token != NULL,
			    &fresh, err)) != 0)
				goto out;
			if (token != NULL)
				explicit_bzero(token, strlen(token));
			free(token);
			token = fresh;
			req.bearer = token;
		} else {
			client_creds(c, ref->domain, &creds, note, sizeof(note));
			if (creds.username == NULL) {
				dw_err_set(err, "registry %s: needs Basic credentials and the "
				    "docker config has none for %s%s", host, ref->domain, note);
				r = -EACCES;
				goto out;
			}
			req.bearer = NULL;
			req.username = creds.username;
			req.password = creds.password;
		}
		if ((r = http_do(c, &req, resp, err)) != 0)
			goto out;
	}
	switch (resp->status) {
	case 200:
		r = 0;
		break;
	case 401:
	case 403:
		dw_err_set(err, "registry %s: access to %s denied (HTTP %ld)%s", host,
		    ref->path, resp->status, note);
		r = -EACCES;
		break;
	case 404:
		dw_err_set(err, "registry %s: no manifest %s for %s (HTTP 404)", host,
		    reference, ref->path);
		r = -ENOENT;
		break;
	default:
		client_error_code(resp, code, sizeof(code));
		if (resp->status >= 400 && resp->status < 500 &&
		    strcmp(code, "MANIFEST_UNKNOWN") == 0) {
			dw_err_set(err, "registry %s: no manifest %s for %s (HTTP %ld %s)",
			    host, reference, ref->path, resp->status, code);
			r = -ENOENT;
		} else {
			dw_err_set(err, "registry %s: HTTP %ld%s%s for %s", host, resp->status,
			    code[0] != '\0' ? " " : "", code, ref->path);
			r = -EIO;
		}
		break;
	}
out:
	if (token != NULL)
		explicit_bzero(token, strlen(token));
	free(token);
	registry_auth_challenge_clear(&ch);
	registry_auth_creds_clear(&creds);
	return r;
}

/*
 * GET a manifest and check its sha256 against Docker-Content-Digest and
 * against want (a digest, or NULL for a tag); digest_out = the body's digest.
 */
static int
client_manifest_get(struct registry_client *c, const struct digest_ref *ref,
    const char *reference, const char *want, struct registry_client_resp *resp,
    char digest_out[DIGEST_SHA256_STRLEN], struct dw_err *err)
{
	const char	*host = registry_client_host_for(ref->domain);
	char		 got[DIGEST_SHA256_STRLEN], q[CLIENT_ESC_MAX];
	int		 r;

	if ((r = client_manifest_request(c, ref, reference, REGISTRY_CLIENT_GET, resp, err)) != 0)
		return r;
	digest_sha256_string(resp->body != NULL ? resp->body : "", resp->len, got);
	if (resp->has_dcd) {
		if (resp->bad_dcd || !digest_ref_is_sha256(resp->dcd)) {
			dw_esc(q, sizeof(q), resp->dcd, strlen(resp->dcd));
			dw_err_set(err, "registry %s: unsupported Docker-Content-Digest \"%s\" "
			    "for %s:%s", host, q, ref->path, reference);
			return -EPROTO;
		}
		if (strcmp(resp->dcd, got) != 0) {
			dw_err_set(err, "registry %s: digest mismatch for %s:%s: "
			    "Docker-Content-Digest is %s but the manifest hashes to %s", host,
			    ref->path, reference, resp->dcd, got);
			return -EPROTO;
		}
	}
	if (want != NULL && strcmp(want, got) != 0) {
		dw_err_set(err, "registry %s: digest mismatch for %s: requested %s but the "
		    "manifest hashes to %s", host, ref->path, want, got);
		return -EPROTO;
	}
	memcpy(digest_out, got, DIGEST_SHA256_STRLEN);
	return 0;
}

/* A reference the client can ask about: no wildcards, valid digest. */
static int
client_check_ref(const struct digest_ref *ref, struct dw_err *err)
{
	if (ref == NULL || ref->domain == NULL || ref->path == NULL ||
	    strchr(ref->path, '*') != NULL ||
	    (ref->tag != NULL && strchr(ref->tag, '*') != NULL) ||
	    (ref->digest != NULL && !digest_ref_is_sha256(ref->digest))) {
		dw_err_set(err, "registry: not a concrete image reference");
		return -EINVAL;
	}
	return 0;
}

/* Resolve a reference to the manifest digests and config digests it names. */
int
registry_client_resolve(struct registry_client *c, const struct digest_ref *ref,
    struct digest_facts *facts, struct dw_err *err)
{
	struct digest_facts		 f = { 0 };
	struct digest_manifest	 m = { 0 }, child = { 0 };
	struct registry_client_resp	*resp = NULL;
	struct dw_err			 merr;
	const char			*reference, *host = NULL;
	char				 d[DIGEST_SHA256_STRLEN];
	size_t				 i;
	int				 r;

	digest_facts_clear(facts);
	if ((r = client_check_ref(ref, err)) != 0)
		return r;
	host = registry_client_host_for(ref->domain);
	reference = ref->digest != NULL ? ref->digest : ref->tag != NULL ? ref->tag : "latest";
	if ((resp = calloc(1, sizeof(*resp))) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if ((r = client_manifest_get(c, ref, reference, ref->digest, resp, d, err)) != 0)
		goto out;
	if ((r = digest_manifest_parse(resp->content_type, resp->body, resp->len, &m,
	    &merr)) != 0) {
		dw_err_set(err, "registry %s: %s:%s: %s", host, ref->path, reference, merr.msg);
		goto out;
	}
	memcpy(f.digest, d, sizeof(f.digest));
	f.is_index = m.is_index;
	if (!m.is_index) {
		if ((r = dw_strv_push(&f.manifests, d)) != 0 ||
		    (r = dw_strv_push(&f.configs, m.config)) != 0)
			goto out;
	}
	for (i = 0; m.is_index && i < m.children.n; i++) {
		const char	*cd = m.children.v[i];

		if ((r = client_manifest_get(c, ref, cd, cd, resp, d, err)) != 0)
			goto out;
		if ((r = digest_manifest_parse(resp->content_type, resp->body, resp->len,
		    &child, &merr)) != 0) {
			dw_err_set(err, "registry %s: %s@%s: %s", host, ref->path, cd, merr.msg);
			goto out;
		}
		if (child.is_index) {
			dw_err_set(err, "registry %s: %s@%s: an index inside an index is not "
			    "supported", host, ref->path, cd);
			r = -EPROTO;
			goto out;
		}
		if ((r = dw_strv_push(&f.manifests, cd)) != 0 ||
		    (r = dw_strv_push(&f.configs, child.config)) != 0)
			goto out;
		digest_manifest_clear(&child);
	}
	*facts = f;
	memset(&f, 0, sizeof(f));
	r = 0;
out:
	if (r == -ENOMEM)
		dw_err_set(err, "registry %s: out of memory", host != NULL ? host : "?");
	digest_manifest_clear(&m);
	digest_manifest_clear(&child);
	digest_facts_clear(&f);
	if (resp != NULL) {
		http_resp_free(resp);
		free(resp);
	}
	return r;
}

/* HEAD the manifest for the registry's digest; GET and hash when it sends none. */
int
registry_client_head_digest(struct registry_client *c, const struct digest_ref *ref,
    char digest_out[DIGEST_SHA256_STRLEN], struct dw_err *err)
{
	struct registry_client_resp	*resp = NULL;
	const char			*reference, *host;
	char				 d[DIGEST_SHA256_STRLEN], q[CLIENT_ESC_MAX];
	int				 r;

	if ((r = client_check_ref(ref, err)) != 0)
		return r;
	host = registry_client_host_for(ref->domain);
	reference = ref->digest != NULL ? ref->digest : ref->tag != NULL ? ref->tag : "latest";
	if ((resp = calloc(1, sizeof(*resp))) == NULL) {
		dw_err_set(err, "registry %s: out of memory", host);
		return -ENOMEM;
	}
	if ((r = client_manifest_request(c, ref, reference, REGISTRY_CLIENT_HEAD, resp, err)) != 0)
		goto out;
	if (!resp->has_dcd) {
		if ((r = client_manifest_get(c, ref, reference, ref->digest, resp, d,
		    err)) != 0)
			goto out;
	} else {
		if (resp->bad_dcd || !digest_ref_is_sha256(resp->dcd)) {
			dw_esc(q, sizeof(q), resp->dcd, strlen(resp->dcd));
			dw_err_set(err, "registry %s: unsupported Docker-Content-Digest \"%s\" "
			    "for %s:%s", host, q, ref->path, reference);
			r = -EPROTO;
			goto out;
		}
		if (ref->digest != NULL && strcmp(ref->digest, resp->dcd) != 0) {
			dw_err_set(err, "registry %s: digest mismatch for %s: requested %s but "
			    "Docker-Content-Digest is %s", host, ref->path, ref->digest,
			    resp->dcd);
			r = -EPROTO;
			goto out;
		}
		memcpy(d, resp->dcd, sizeof(d));
	}
	memcpy(digest_out, d, DIGEST_SHA256_STRLEN);
	r = 0;
out:
	http_resp_free(resp);
	free(resp);
	return r;
}

/* GET /v2/ without credentials: is there a registry, and what does it ask for? */
int
registry_client_ping(struct registry_client *c, const char *domain, long *ret_status,
    struct registry_auth_challenge *ret_ch, struct dw_err *err)
{
	struct registry_auth_challenge	 ch = { 0 };
	struct registry_client_req	 req = { 0 };
	struct registry_client_resp	*resp = NULL;
	struct dw_err			 cerr;
	const char			*host;
	char				 url[CLIENT_URL_MAX];
	int				 r;

	if (domain == NULL || domain[0] == '\0' || strchr(domain, '/') != NULL ||
	    strchr(domain, '*') != NULL) {
		dw_err_set(err, "registry: not a registry host");
		return -EINVAL;
	}
	host = registry_client_host_for(domain);
	if ((size_t)snprintf(url, sizeof(url), "%s://%s/v2/",
	    client_is_plain(c, domain) ? "http" : "https", host) >= sizeof(url)) {
		dw_err_set(err, "registry %s: host name too long", host);
		return -E2BIG;
	}
	req.method = REGISTRY_CLIENT_GET;
	req.url = url;
	req.host = host;
	req.no_proxy = client_is_loopback(domain);
	/* The answer's body is not needed: its status and challenge are. */
	req.max = CLIENT_PING_MAX;
	if ((resp = calloc(1, sizeof(*resp))) == NULL) {
		dw_err_set(err, "registry %s: out of memory", host);
		return -ENOMEM;
	}
	if ((r = http_do(c, &req, resp, err)) != 0)
		goto out;
	if (resp->status == 401) {
		if (resp->www_auth_big) {
			dw_err_set(err, "registry %s: WWW-Authenticate longer than %d bytes",
			    host, DW_HTTP_HEADER_MAX);
			r = -E2BIG;
			goto out;
		}
		/* No usable challenge is an answer too: the caller says what it means. */
		if (registry_auth_challenge_parse(resp->www_auth, &ch, &cerr) != 0)
			memset(&ch, 0, sizeof(ch));
	}
	*ret_status = resp->status;
	*ret_ch = ch;
	memset(&ch, 0, sizeof(ch));
	r = 0;
out:
	registry_auth_challenge_clear(&ch);
	http_resp_free(resp);
	free(resp);
	return r;
}
