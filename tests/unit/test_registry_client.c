/*
 * Unit tests for registry_client behind a fake transport: a script of
 * answers that the client receives in order, and a record of the requests
 * it made.  Token authentication, Basic credentials, digest checks, size
 * limits, manifest vs index facts, status mapping, retries and HEAD.  The
 * last two tests run the default libcurl transport against loopback.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/dw_limits.h"
#include "digest/digest_facts.h"
#include "digest/digest_manifest.h"
#include "digest/digest_ref.h"
#include "digest/digest_sha256.h"
#include "registry/registry_auth.h"
#include "registry/registry_client.h"

#define H(c)	#c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c \
		#c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c \
		#c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c \
		#c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c
#define DA	"sha256:" H(a)
#define DB	"sha256:" H(b)
#define DC	"sha256:" H(c)

#define DOCKER_MT	DIGEST_MANIFEST_MT_DOCKER_MANIFEST
#define INDEX_MT	DIGEST_MANIFEST_MT_OCI_INDEX
#define OCI_MT		DIGEST_MANIFEST_MT_OCI_MANIFEST

#define MANIFEST(cfg) \
	"{\"schemaVersion\":2,\"mediaType\":\"" DOCKER_MT "\",\"config\":{\"mediaType\":" \
	"\"application/vnd.docker.container.image.v1+json\",\"size\":100,\"digest\":\"" cfg \
	"\"},\"layers\":[]}"

#define REG_URL		"https://reg.example/v2/lib/app/manifests/"
#define REALM		"https://auth.example/token"
#define CHALLENGE	"WWW-Authenticate: Bearer realm=\"" REALM "\",service=\"reg.example\"\r\n"
#define TOKEN_URL	REALM "?service=reg.example&scope=repository%3Alib%2Fapp%3Apull"
#define FAKE_MAX	40

/* One scripted answer. */
struct fake_answer {
	int		 err;		/* != 0: the transport fails with it */
	bool		 transient;
	long		 status;
	char		 headers[DW_HTTP_HEADER_MAX + 256];	/* "Name: value\r\n" lines */
	const char	*body;		/* NULL: none */
	size_t		 len;		/* 0: strlen(body) */
};

/* What the client asked for. */
struct fake_seen {
	enum registry_client_method	 method;
	char				 url[1024];
	char				 accept[512];
	char				 bearer[256];
	char				 username[64];
	char				 password[64];
	char				 post[1024];
	bool				 has_bearer, has_user;
	bool				 follow, no_proxy;
	size_t				 max;
};

struct fake {
	struct fake_answer	 a[FAKE_MAX];
	size_t			 n, next;
	struct fake_seen	 seen[FAKE_MAX];
	long			 sleeps[FAKE_MAX];
	size_t			 nsleeps;
};

static void
copy(char *dst, size_t dstsz, const char *src)
{
	if (src == NULL) {
		dst[0] = '\0';
		return;
	}
	assert_true(strlen(src) < dstsz);
	memcpy(dst, src, strlen(src) + 1);
}

/* The fake transport: record req, replay the next answer line by line. */
static int
fake_perform(void *ctx, const struct registry_client_req *req,
    struct registry_client_resp *resp, long *ret_status, bool *transient,
    struct dw_err *err)
{
	struct fake		*f = ctx;
	struct fake_answer	*a;
	struct fake_seen	*s;
	char			 line[64];
	const char		*p, *nl;
	size_t			 len, off, chunk;
	int			 r;

	/* More requests than scripted answers is a test failure. */
	assert_true(f->next < f->n);
	a = &f->a[f->next];
	s = &f->seen[f->next++];
	s->method = req->method;
	copy(s->url, sizeof(s->url), req->url);
	copy(s->accept, sizeof(s->accept), req->accept);
	copy(s->bearer, sizeof(s->bearer), req->bearer);
	copy(s->username, sizeof(s->username), req->username);
	copy(s->password, sizeof(s->password), req->password);
	copy(s->post, sizeof(s->post), req->post);
	s->has_bearer = req->bearer != NULL;
	s->has_user = req->username != NULL;
	s->follow = req->follow;
	s->no_proxy = req->no_proxy;
	s->max = req->max;
	assert_non_null(req->host);
	if (a->err != 0) {
		*transient = a->transient;
		dw_err_set(err, "fake transport: %s", strerror(-a->err));
		return a->err;
	}
	snprintf(line, sizeof(line), "HTTP/1.1 %ld X\r\n", a->status);
	registry_client_resp_header(resp, line, strlen(line));
	for (p = a->headers; *p != '\0'; p = nl + 2) {
		assert_non_null(nl = strstr(p, "\r\n"));
		registry_client_resp_header(resp, p, (size_t)(nl - p) + 2);
	}
	registry_client_resp_header(resp, "\r\n", 2);
	if (a->body == NULL || req->method == REGISTRY_CLIENT_HEAD)
		goto done;
	len = a->len != 0 ? a->len : strlen(a->body);
	/* In pieces, as a network hands it over. */
	for (off = 0; off < len; off += chunk) {
		chunk = len - off < 16384 ? len - off : 16384;
		if ((r = registry_client_resp_body(resp, a->body + off, chunk)) != 0) {
			dw_err_set(err, "fake transport: body refused");
			return r;
		}
	}
done:
	*ret_status = a->status;
	return 0;
}

static void
fake_sleep(void *ctx, long ms)
{
	struct fake	*f = ctx;

	assert_true(f->nsleeps < FAKE_MAX);
	f->sleeps[f->nsleeps++] = ms;
}

/* Append an answer with these header lines. */
static struct fake_answer *
fake_add(struct fake *f, long status, const char *body, const char *headers)
{
	struct fake_answer	*a;

	assert_true(f->n < FAKE_MAX);
	a = &f->a[f->n++];
	memset(a, 0, sizeof(*a));
	a->status = status;
	a->body = body;
	copy(a->headers, sizeof(a->headers), headers);
	return a;
}

/* The same with the header lines from a printf format. */
static struct fake_answer *
fake_addf(struct fake *f, long status, const char *body, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static struct fake_answer *
fake_addf(struct fake *f, long status, const char *body, const char *fmt, ...)
{
	struct fake_answer	*a = fake_add(f, status, body, "");
	va_list			 ap;

	va_start(ap, fmt);
	assert_true((size_t)vsnprintf(a->headers, sizeof(a->headers), fmt, ap) <
	    sizeof(a->headers));
	va_end(ap);
	return a;
}

static void
fake_fail(struct fake *f, int err, bool transient)
{
	struct fake_answer	*a = fake_add(f, 0, NULL, "");

	a->err = err;
	a->transient = transient;
}

/* A manifest answer with its true Docker-Content-Digest. */
static void
fake_manifest(struct fake *f, const char *ct, const char *body)
{
	char	d[DIGEST_SHA256_STRLEN];

	digest_sha256_string(body, strlen(body), d);
	fake_addf(f, 200, body, "Content-Type: %s\r\nDocker-Content-Digest: %s\r\n", ct, d);
}

static struct registry_client *
client_new(struct fake *f, int retries, const char *docker_config)
{
	struct registry_client_transport	 t = { fake_perform, fake_sleep, f };
	struct registry_opts			 o;
	struct registry_client			*c;
	struct dw_err				 err;

	memset(f, 0, sizeof(*f));
	memset(&o, 0, sizeof(o));
	o.transport = &t;
	o.retries = retries;
	o.docker_config = docker_config;
	assert_int_equal(dw_strv_push(&o.insecure, "plain.example:5000"), 0);
	c = registry_client_new(&o, &err);
	dw_strv_clear(&o.insecure);
	assert_non_null(c);
	return c;
}

static struct digest_ref *
ref_new(const char *s)
{
	struct digest_ref	*ref;
	struct dw_err		 err;

	ref = digest_ref_parse(s, DIGEST_REF_ALLOW_WILDCARD, &err);
	assert_non_null(ref);
	return ref;
}

/* Resolve s; the result, facts filled on success. */
static int
resolve(struct registry_client *c, const char *s, struct digest_facts *facts,
    struct dw_err *err)
{
	struct digest_ref	*ref = ref_new(s);
	int			 r;

	dw_err_clear(err);
	r = registry_client_resolve(c, ref, facts, err);
	digest_ref_free(ref);
	return r;
}

static int
head(struct registry_client *c, const char *s, char d[DIGEST_SHA256_STRLEN],
    struct dw_err *err)
{
	struct digest_ref	*ref = ref_new(s);
	int			 r;

	dw_err_clear(err);
	r = registry_client_head_digest(c, ref, d, err);
	digest_ref_free(ref);
	return r;
}

/* A docker config.json in a temporary file; the caller unlinks path. */
static void
config_write(char *path, const char *json)
{
	int	fd;

	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
	close(fd);
}

/* A tag naming a manifest: one GET, facts of the manifest itself. */
static void
test_manifest_facts(void **state)
{
	struct fake		 f;
	struct registry_client	*c = client_new(&f, 0, NULL);
	struct digest_facts	 facts = { 0 };
	struct dw_err		 err;
	const char		*body = MANIFEST(DA);
	char			 d[DIGEST_SHA256_STRLEN];

	(void)state;
	digest_sha256_string(body, strlen(body), d);
	fake_manifest(&f, DOCKER_MT, body);
	assert_int_equal(resolve(c, "reg.example/lib/app:1.0", &facts, &err), 0);
	assert_int_equal(f.next, 1);
	assert_int_equal(f.seen[0].method, REGISTRY_CLIENT_GET);
	assert_string_equal(f.seen[0].url, REG_URL "1.0");
	assert_string_equal(f.seen[0].accept, DIGEST_MANIFEST_ACCEPT);
	assert_false(f.seen[0].has_bearer);
	assert_false(f.seen[0].has_user);
	assert_false(f.seen[0].follow);
	assert_false(f.seen[0].no_proxy);
	assert_int_equal(f.seen[0].max, DW_MANIFEST_MAX);
	assert_string_equal(facts.digest, d);
	assert_false(facts.is_index);
	assert_int_equal(facts.manifests.n, 1);
	assert_string_equal(facts.manifests.v[0], d);
	assert_int_equal(facts.configs.n, 1);
	assert_string_equal(facts.configs.v[0], DA);
	digest_facts_clear(&facts);

	/* No tag: "latest"; by digest: the digest, checked against the body. */
	fake_add(&f, 200, body, "Content-Type: " DOCKER_MT "\r\n");
	assert_int_equal(resolve(c, "reg.example/lib/app", &facts, &err), 0);
	assert_string_equal(f.seen[1].url, REG_URL "latest");
	assert_string_equal(facts.digest, d);
	digest_facts_clear(&facts);
	fake_manifest(&f, DOCKER_MT, body);
	{
		char	s[256];

		snprintf(s, sizeof(s), "reg.example/lib/app@%s", d);
		assert_int_equal(resolve(c, s, &facts, &err), 0);
		snprintf(s, sizeof(s), REG_URL "%s", d);
		assert_string_equal(f.seen[2].url, s);
	}
	assert_string_equal(facts.manifests.v[0], d);
	digest_facts_clear(&facts);
	registry_client_free(c);
}

/* An index: each platform manifest fetched by digest; attestations skipped. */
static void
test_index_facts(void **state)
{
	struct fake		 f;
	struct registry_client	*c = client_new(&f, 0, NULL);
	struct digest_facts	 facts = { 0 };
	struct dw_err		 err;
	const char		*m1 = MANIFEST(DA), *m2 = MANIFEST(DB);
	char			 d1[DIGEST_SHA256_STRLEN], d2[DIGEST_SHA256_STRLEN];
	char			 di[DIGEST_SHA256_STRLEN], index[2048], url[256];

	(void)state;
	digest_sha256_string(m1, strlen(m1), d1);
	digest_sha256_string(m2, strlen(m2), d2);
	snprintf(index, sizeof(index), "{\"schemaVersion\":2,\"mediaType\":\"" INDEX_MT
	    "\",\"manifests\":["
	    "{\"mediaType\":\"" DOCKER_MT "\",\"digest\":\"%s\",\"size\":1,"
	    "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
	    "{\"mediaType\":\"" DOCKER_MT "\",\"digest\":\"%s\",\"size\":1,"
	    "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}},"
	    "{\"mediaType\":\"" OCI_MT "\",\"digest\":\"" DC "\",\"size\":1,"
	    "\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"},"
	    "\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}}]}", d1, d2);
	digest_sha256_string(index, strlen(index), di);
	fake_manifest(&f, INDEX_MT, index);
	fake_manifest(&f, DOCKER_MT, m1);
	fake_manifest(&f, DOCKER_MT, m2);
	assert_int_equal(resolve(c, "reg.example/lib/app:multi", &facts, &err), 0);
	assert_int_equal(f.next, 3);
	snprintf(url, sizeof(url), REG_URL "%s", d1);
	assert_string_equal(f.seen[1].url, url);
	snprintf(url, sizeof(url), REG_URL "%s", d2);
	assert_string_equal(f.seen[2].url, url);
	assert_string_equal(facts.digest, di);
	assert_true(facts.is_index);
	assert_int_equal(facts.manifests.n, 2);
	assert_string_equal(facts.manifests.v[0], d1);
	assert_string_equal(facts.manifests.v[1], d2);
	assert_int_equal(facts.configs.n, 2);
	assert_string_equal(facts.configs.v[0], DA);
	assert_string_equal(facts.configs.v[1], DB);
	digest_facts_clear(&facts);

	/* A child that does not hash to the digest the index lists. */
	fake_manifest(&f, INDEX_MT, index);
	fake_manifest(&f, DOCKER_MT, m2);
	assert_int_equal(resolve(c, "reg.example/lib/app:multi", &facts, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "digest mismatch"));
	assert_false(facts.is_index);
	assert_int_equal(facts.manifests.n, 0);

	/* An index inside an index. */
	fake_manifest(&f, INDEX_MT, index);
	{
		char	inner[1024];

		snprintf(inner, sizeof(inner), "{\"schemaVersion\":2,\"mediaType\":\""
		    INDEX_MT "\",\"manifests\":[{\"mediaType\":\"" DOCKER_MT
		    "\",\"digest\":\"" DA "\",\"size\":1,\"platform\":{\"architecture\":"
		    "\"amd64\",\"os\":\"linux\"}}]}");
		/* Served as if it were d1: rebuild the outer index around it. */
		digest_sha256_string(inner, strlen(inner), d1);
		snprintf(index, sizeof(index), "{\"schemaVersion\":2,\"mediaType\":\""
		    INDEX_MT "\",\"manifests\":[{\"mediaType\":\"" DOCKER_MT
		    "\",\"digest\":\"%s\",\"size\":1,\"platform\":{\"architecture\":"
		    "\"amd64\",\"os\":\"linux\"}}]}", d1);
		f.n = f.next;
		fake_manifest(&f, INDEX_MT, index);
		fake_manifest(&f, INDEX_MT, inner);
		assert_int_equal(resolve(c, "reg.example/lib/app:nested", &facts, &err),
		    -EPROTO);
		assert_non_null(strstr(err.msg, "index inside an index"));
	}

	/* A body the manifest parser refuses. */
	fake_manifest(&f, DOCKER_MT, "{\"schemaVersion\":1}");
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -EPROTO);
	registry_client_free(c);
}

/* Every body is checked against the digest that names it. */
static void
test_digest_mismatch(void **state)
{
	struct fake		 f;
	struct registry_client	*c = client_new(&f, 0, NULL);
	struct digest_facts	 facts = { 0 };
	struct dw_err		 err;
	const char		*body = MANIFEST(DA);
	char			 d[DIGEST_SHA256_STRLEN], s[256];

	(void)state;
	digest_sha256_string(body, strlen(body), d);
	/* Docker-Content-Digest names another body. */
	fake_add(&f, 200, body, "Docker-Content-Digest: " DB "\r\n");
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "digest mismatch"));
	assert_non_null(strstr(err.msg, DB));
	assert_int_equal(facts.manifests.n, 0);
	/* The reference's digest names another body (no header to compare). */
	fake_add(&f, 200, body, "");
	assert_int_equal(resolve(c, "reg.example/lib/app@" DB, &facts, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "requested " DB));
	/* Header and body agree, the reference does not. */
	fake_manifest(&f, DOCKER_MT, body);
	assert_int_equal(resolve(c, "reg.example/lib/app@" DC, &facts, &err), -EPROTO);
	/* A digest we cannot check, and one too long to keep. */
	fake_add(&f, 200, body, "Docker-Content-Digest: sha512:abc\r\n");
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "unsupported Docker-Content-Digest"));
	fake_addf(&f, 200, body, "Docker-Content-Digest: %s%0200d\r\n", d, 0);
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -EPROTO);
	/* Headers of a redirect's first answer are forgotten. */
	fake_addf(&f, 200, body, "Docker-Content-Digest: " DB "\r\nHTTP/1.1 200 OK\r\n"
	    "Docker-Content-Digest: %s\r\n", d);
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), 0);
	digest_facts_clear(&facts);
	/* Case of the header name does not matter. */
	fake_add(&f, 200, body, "docker-content-digest: " DB "\r\n");
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -EPROTO);
	snprintf(s, sizeof(s), "reg.example/lib/app@%s", d);
	fake_addf(&f, 200, body, "DOCKER-CONTENT-DIGEST:   %s  \r\n", d);
	assert_int_equal(resolve(c, s, &facts, &err), 0);
	digest_facts_clear(&facts);
	registry_client_free(c);
}

/* Answers are bounded: manifests, token answers, WWW-Authenticate. */
static void
test_size_limits(void **state)
{
	struct fake		 f;
	struct registry_client	*c = client_new(&f, 0, NULL);
	struct digest_facts	 facts = { 0 };
	struct dw_err		 err;
	struct fake_answer	*a;
	char			*big, *chal;
	const char		*m = MANIFEST(DA);

	(void)state;
	/* Exactly the limit: a manifest padded with white space. */
	assert_non_null(big = malloc(DW_MANIFEST_MAX + 1));
	memset(big, ' ', DW_MANIFEST_MAX + 1);
	memcpy(big, m, strlen(m));
	a = fake_add(&f, 200, big, "Content-Type: " DOCKER_MT "\r\n");
	a->len = DW_MANIFEST_MAX;
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), 0);
	assert_string_equal(facts.configs.v[0], DA);
	digest_facts_clear(&facts);
	/* One byte more. */
	a = fake_add(&f, 200, big, "Content-Type: " DOCKER_MT "\r\n");
	a->len = DW_MANIFEST_MAX + 1;
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "reg.example: answer larger than"));
	assert_int_equal(facts.manifests.n, 0);

	/* A token answer past DW_TOKEN_MAX. */
	fake_add(&f, 401, "{}", CHALLENGE);
	a = fake_add(&f, 200, big, "");
	a->len = DW_TOKEN_MAX + 1;
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -E2BIG);
	assert_int_equal(f.seen[f.next - 1].max, DW_TOKEN_MAX);
	assert_non_null(strstr(err.msg, "token"));
	free(big);

	/* A challenge longer than DW_HTTP_HEADER_MAX, in one header or two. */
	assert_non_null(chal = malloc(DW_HTTP_HEADER_MAX + 1));
	memset(chal, 'x', DW_HTTP_HEADER_MAX);
	chal[DW_HTTP_HEADER_MAX] = '\0';
	fake_addf(&f, 401, NULL, "WWW-Authenticate: Bearer realm=\"%s\"\r\n", chal);
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -E2BIG);
	chal[DW_HTTP_HEADER_MAX / 2] = '\0';
	fake_addf(&f, 401, NULL, "WWW-Authenticate: Basic realm=\"%s\"\r\n"
	    "WWW-Authenticate: Basic realm=\"%s\"\r\n", chal, chal);
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -E2BIG);
	assert_int_equal(f.next, f.n);
	free(chal);
	registry_client_free(c);
}

/* Status codes: 404 and MANIFEST_UNKNOWN are "no such manifest", the rest errors. */
static void
test_status(void **state)
{
	struct fake		 f;
	struct registry_client	*c = client_new(&f, -1, NULL);
	struct digest_facts	 facts = { 0 };
	struct dw_err		 err;

	(void)state;
	fake_add(&f, 404, "{\"errors\":[]}", "");
	assert_int_equal(resolve(c, "reg.example/lib/app:gone", &facts, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no manifest gone for lib/app"));
	fake_add(&f, 400, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}", "");
	assert_int_equal(resolve(c, "reg.example/lib/app:gone", &facts, &err), -ENOENT);
	fake_add(&f, 400, "{\"errors\":[{\"code\" : \"NAME_INVALID\"}]}", "");
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -EIO);
	assert_non_null(strstr(err.msg, "HTTP 400 NAME_INVALID"));
	/* A hostile code is not copied into the message. */
	fake_add(&f, 400, "{\"errors\":[{\"code\":\"BAD\x1b[31m\"}]}", "");
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -EIO);
	assert_null(strchr(err.msg, '\x1b'));
	/* MANIFEST_UNKNOWN is believed from a 4xx only. */
	fake_add(&f, 500, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}", "");
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -EIO);
	fake_add(&f, 403, NULL, "");
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -EACCES);
	fake_add(&f, 302, NULL, "Location: https://elsewhere/\r\n");
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -EIO);
	/* A transport failure keeps its errno. */
	fake_fail(&f, -ETIMEDOUT, false);
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -ETIMEDOUT);
	assert_int_equal(f.next, f.n);
	/* Not a concrete reference: no request at all. */
	assert_int_equal(resolve(c, "reg.example/lib/*:1", &facts, &err), -EINVAL);
	assert_int_equal(resolve(c, "reg.example/lib/app:*", &facts, &err), -EINVAL);
	assert_int_equal(f.next, f.n);
	registry_client_free(c);
}

/* A Bearer challenge: token from the realm, the request again with it, cached. */
static void
test_token_auth(void **state)
{
	struct fake		 f;
	struct registry_client	*c = client_new(&f, 0, NULL);
	struct digest_facts	 facts = { 0 };
	struct dw_err		 err;
	const char		*body = MANIFEST(DA);

	(void)state;
	fake_add(&f, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}", CHALLENGE);
	fake_add(&f, 200, "{\"token\":\"tok-1\",\"expires_in\":300}", "");
	fake_manifest(&f, DOCKER_MT, body);
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), 0);
	assert_int_equal(f.next, 3);
	assert_false(f.seen[0].has_bearer);
	assert_int_equal(f.seen[1].method, REGISTRY_CLIENT_GET);
	assert_string_equal(f.seen[1].url, TOKEN_URL);
	assert_true(f.seen[1].follow);
	assert_false(f.seen[1].has_user);
	assert_false(f.seen[1].has_bearer);
	assert_int_equal(f.seen[1].max, DW_TOKEN_MAX);
	assert_string_equal(f.seen[2].url, REG_URL "1");
	assert_string_equal(f.seen[2].bearer, "tok-1");
	assert_string_equal(facts.configs.v[0], DA);
	digest_facts_clear(&facts);

	/* The cached token goes with the first request. */
	fake_manifest(&f, DOCKER_MT, body);
	assert_int_equal(resolve(c, "reg.example/lib/app:2", &facts, &err), 0);
	assert_int_equal(f.next, 4);
	assert_string_equal(f.seen[3].bearer, "tok-1");
	digest_facts_clear(&facts);

	/* Refused with it: a fresh one, not the cache's. */
	fake_add(&f, 401, NULL, CHALLENGE);
	fake_add(&f, 200, "{\"access_token\":\"tok-2\"}", "");
	fake_manifest(&f, DOCKER_MT, body);
	assert_int_equal(resolve(c, "reg.example/lib/app:3", &facts, &err), 0);
	assert_int_equal(f.next, 7);
	assert_string_equal(f.seen[4].bearer, "tok-1");
	assert_string_equal(f.seen[5].url, TOKEN_URL);
	assert_string_equal(f.seen[6].bearer, "tok-2");
	digest_facts_clear(&facts);

	/* Another repository is another scope: no token sent before the challenge. */
	fake_add(&f, 401, NULL, "WWW-Authenticate: Bearer realm=\"" REALM "?a=b\"\r\n");
	fake_add(&f, 200, "{\"token\":\"tok-3\"}", "");
	fake_manifest(&f, DOCKER_MT, body);
	assert_int_equal(resolve(c, "reg.example/other:1", &facts, &err), 0);
	assert_false(f.seen[7].has_bearer);
	/* A realm with a query keeps it; no service, only the scope. */
	assert_string_equal(f.seen[8].url, REALM "?a=b&scope=repository%3Aother%3Apull");
	assert_string_equal(f.seen[9].bearer, "tok-3");
	digest_facts_clear(&facts);
	registry_client_free(c);
}

/* Credentials from the docker config: Basic to the token server, or a refresh token. */
static void
test_token_creds(void **state)
{
	struct fake		 f;
	struct registry_client	*c;
	struct digest_facts	 facts = { 0 };
	struct dw_err		 err;
	char			 path[] = "/tmp/dw-test-regcfg-XXXXXX";
	char			 path2[] = "/tmp/dw-test-regcfg-XXXXXX";

	(void)state;
	config_write(path, "{\"auths\":{\"reg.example\":{\"auth\":\"Ym9iOnB3\"}}}");
	c = client_new(&f, 0, path);
	fake_add(&f, 401, NULL, CHALLENGE);
	fake_add(&f, 200, "{\"token\":\"tok-b\"}", "");
	fake_manifest(&f, DOCKER_MT, MANIFEST(DA));
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), 0);
	assert_string_equal(f.seen[1].url, TOKEN_URL);
	assert_string_equal(f.seen[1].username, "bob");
	assert_string_equal(f.seen[1].password, "pw");
	assert_false(f.seen[2].has_user);
	assert_string_equal(f.seen[2].bearer, "tok-b");
	digest_facts_clear(&facts);

	/* The token server refuses them: -EACCES, and the message says whose. */
	fake_add(&f, 401, NULL, CHALLENGE);
	fake_add(&f, 401, NULL, "");
	assert_int_equal(resolve(c, "reg.example/lib/other:1", &facts, &err), -EACCES);
	assert_non_null(strstr(err.msg, "credentials from the docker config"));
	assert_null(strstr(err.msg, "pw"));
	registry_client_free(c);
	unlink(path);

	/* An identity token: the OAuth2 refresh-token POST, no Basic. */
	config_write(path2, "{\"auths\":{\"reg.example\":{\"identitytoken\":\"rt/1+2\"}}}");
	c = client_new(&f, 0, path2);
	fake_add(&f, 401, NULL, CHALLENGE);
	fake_add(&f, 200, "{\"access_token\":\"tok-o\",\"expires_in\":60}", "");
	fake_manifest(&f, DOCKER_MT, MANIFEST(DA));
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), 0);
	assert_int_equal(f.seen[1].method, REGISTRY_CLIENT_POST);
	assert_string_equal(f.seen[1].url, REALM);
	assert_string_equal(f.seen[1].post, "grant_type=refresh_token&client_id=dockward"
	    "&service=reg.example&scope=repository%3Alib%2Fapp%3Apull"
	    "&refresh_token=rt%2F1%2B2");
	assert_false(f.seen[1].has_user);
	assert_string_equal(f.seen[2].bearer, "tok-o");
	digest_facts_clear(&facts);
	registry_client_free(c);
	unlink(path2);
}

/* Refusals around authentication. */
static void
test_auth_refused(void **state)
{
	struct fake		 f;
	struct registry_client	*c = client_new(&f, 0, NULL);
	struct digest_facts	 facts = { 0 };
	struct dw_err		 err;
	char			 d[DIGEST_SHA256_STRLEN];

	(void)state;
	/* 401 again with the token: -EACCES, and the token is not in the message. */
	fake_add(&f, 401, NULL, CHALLENGE);
	fake_add(&f, 200, "{\"token\":\"secret-token-1\"}", "");
	fake_add(&f, 401, NULL, CHALLENGE);
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -EACCES);
	assert_int_equal(f.next, 3);
	assert_non_null(strstr(err.msg, "access to lib/app denied (HTTP 401)"));
	assert_null(strstr(err.msg, "secret-token"));
	/* 403 after auth too. */
	fake_add(&f, 401, NULL, CHALLENGE);
	fake_add(&f, 200, "{\"token\":\"t\"}", "");
	fake_add(&f, 403, NULL, "");
	assert_int_equal(resolve(c, "reg.example/lib/x:1", &facts, &err), -EACCES);
	/* An anonymous token refused. */
	fake_add(&f, 401, NULL, CHALLENGE);
	fake_add(&f, 403, NULL, "");
	assert_int_equal(resolve(c, "reg.example/lib/y:1", &facts, &err), -EACCES);
	assert_non_null(strstr(err.msg, "an anonymous token"));
	/* Token server errors. */
	fake_add(&f, 401, NULL, CHALLENGE);
	fake_add(&f, 404, NULL, "");
	assert_int_equal(resolve(c, "reg.example/lib/y:1", &facts, &err), -EIO);
	fake_add(&f, 401, NULL, CHALLENGE);
	fake_add(&f, 200, "{\"token\":\"has space\"}", "");
	assert_int_equal(resolve(c, "reg.example/lib/y:1", &facts, &err), -EPROTO);
	fake_add(&f, 401, NULL, CHALLENGE);
	fake_fail(&f, -ECONNREFUSED, false);
	assert_int_equal(resolve(c, "reg.example/lib/y:1", &facts, &err), -ECONNREFUSED);
	assert_non_null(strstr(err.msg, "registry reg.example: token: "));
	/* No challenge we can answer; a malformed one. */
	fake_add(&f, 401, NULL, "WWW-Authenticate: Negotiate abc\r\n");
	assert_int_equal(resolve(c, "reg.example/lib/y:1", &facts, &err), -EACCES);
	fake_add(&f, 401, NULL, "");
	assert_int_equal(resolve(c, "reg.example/lib/y:1", &facts, &err), -EACCES);
	fake_add(&f, 401, NULL, "WWW-Authenticate: Bearer service=\"s\"\r\n");
	assert_int_equal(resolve(c, "reg.example/lib/y:1", &facts, &err), -EPROTO);
	/* A realm we do not send credentials to: plain http, userinfo, not a URL. */
	fake_add(&f, 401, NULL, "WWW-Authenticate: Bearer realm=\"http://auth.example/t\"\r\n");
	assert_int_equal(resolve(c, "reg.example/lib/y:1", &facts, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "refused token realm"));
	fake_add(&f, 401, NULL, "WWW-Authenticate: Bearer realm=\"https://u:p@auth/t\"\r\n");
	assert_int_equal(resolve(c, "reg.example/lib/y:1", &facts, &err), -EPROTO);
	fake_add(&f, 401, NULL, "WWW-Authenticate: Bearer realm=\"file:///etc/passwd\"\r\n");
	assert_int_equal(resolve(c, "reg.example/lib/y:1", &facts, &err), -EPROTO);
	/* ... but plain http to a loopback or an insecure-listed realm is fine. */
	fake_add(&f, 401, NULL, "WWW-Authenticate: Bearer realm=\"http://127.0.0.1:9/t\"\r\n");
	fake_add(&f, 200, "{\"token\":\"t\"}", "");
	fake_manifest(&f, DOCKER_MT, MANIFEST(DA));
	assert_int_equal(resolve(c, "reg.example/lib/y:1", &facts, &err), 0);
	assert_true(f.seen[f.next - 2].no_proxy);
	digest_facts_clear(&facts);
	assert_int_equal(f.next, f.n);

	/* HEAD follows the same path. */
	fake_add(&f, 401, NULL, CHALLENGE);
	fake_add(&f, 401, NULL, "");
	assert_int_equal(registry_client_head_digest(c, NULL, d, &err), -EINVAL);
	{
		struct digest_ref	*ref = ref_new("reg.example/lib/z:1");

		assert_int_equal(registry_client_head_digest(c, ref, d, &err), -EACCES);
		digest_ref_free(ref);
	}
	registry_client_free(c);
}

/* A Basic challenge: the docker config's credentials, or -EACCES without. */
static void
test_basic_auth(void **state)
{
	struct fake		 f;
	struct registry_client	*c;
	struct digest_facts	 facts = { 0 };
	struct dw_err		 err;
	char			 path[] = "/tmp/dw-test-regcfg-XXXXXX";

	(void)state;
	config_write(path, "{\"auths\":{\"reg.example\":{\"username\":\"al\","
	    "\"password\":\"pa\"}}}");
	c = client_new(&f, 0, path);
	fake_add(&f, 401, NULL, "WWW-Authenticate: Basic realm=\"r\"\r\n");
	fake_manifest(&f, DOCKER_MT, MANIFEST(DA));
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), 0);
	assert_false(f.seen[0].has_user);
	assert_string_equal(f.seen[1].url, REG_URL "1");
	assert_string_equal(f.seen[1].username, "al");
	assert_string_equal(f.seen[1].password, "pa");
	assert_false(f.seen[1].has_bearer);
	digest_facts_clear(&facts);
	fake_add(&f, 401, NULL, "WWW-Authenticate: Basic realm=\"r\"\r\n");
	fake_add(&f, 401, NULL, "WWW-Authenticate: Basic realm=\"r\"\r\n");
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -EACCES);
	assert_null(strstr(err.msg, "pa"));
	registry_client_free(c);

	/* Credentials for another registry only. */
	c = client_new(&f, 0, path);
	fake_add(&f, 401, NULL, "WWW-Authenticate: Basic\r\n");
	assert_int_equal(resolve(c, "other.example/lib/app:1", &facts, &err), -EACCES);
	assert_non_null(strstr(err.msg, "needs Basic credentials"));
	assert_int_equal(f.next, 1);
	registry_client_free(c);
	unlink(path);

	/* A config that cannot be read is named in the message. */
	c = client_new(&f, 0, "/");
	fake_add(&f, 401, NULL, "WWW-Authenticate: Basic\r\n");
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -EACCES);
	assert_non_null(strstr(err.msg, "; "));
	registry_client_free(c);
}

/* Connect errors, 5xx and 429 are retried with backoff; the rest are not. */
static void
test_retries(void **state)
{
	struct fake		 f;
	struct registry_client	*c;
	struct digest_facts	 facts = { 0 };
	struct dw_err		 err;
	const char		*body = MANIFEST(DA);

	(void)state;
	/* Default: one retry after 250 ms. */
	c = client_new(&f, 0, NULL);
	fake_add(&f, 503, NULL, "");
	fake_manifest(&f, DOCKER_MT, body);
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), 0);
	assert_int_equal(f.next, 2);
	assert_int_equal(f.nsleeps, 1);
	assert_int_equal(f.sleeps[0], 250);
	digest_facts_clear(&facts);
	/* Still failing after the retry. */
	f.nsleeps = 0;
	fake_add(&f, 500, NULL, "");
	fake_add(&f, 502, NULL, "");
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -EIO);
	assert_non_null(strstr(err.msg, "HTTP 502"));
	assert_int_equal(f.next, f.n);
	/* 429 waits as long as Retry-After says, at most DW_RETRY_AFTER_MAX_S. */
	f.nsleeps = 0;
	fake_add(&f, 429, NULL, "Retry-After: 2\r\n");
	fake_manifest(&f, DOCKER_MT, body);
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), 0);
	assert_int_equal(f.sleeps[0], 2000);
	digest_facts_clear(&facts);
	fake_add(&f, 503, NULL, "Retry-After: 99999999999999999999\r\n");
	fake_manifest(&f, DOCKER_MT, body);
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), 0);
	assert_int_equal(f.sleeps[1], DW_RETRY_AFTER_MAX_S * 1000);
	digest_facts_clear(&facts);
	/* A date is not a number of seconds: the backoff. */
	fake_add(&f, 503, NULL, "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n");
	fake_manifest(&f, DOCKER_MT, body);
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), 0);
	assert_int_equal(f.sleeps[2], 250);
	digest_facts_clear(&facts);
	/* A connect error is retried, a timeout is not; 4xx are not. */
	f.nsleeps = 0;
	fake_fail(&f, -ECONNREFUSED, true);
	fake_manifest(&f, DOCKER_MT, body);
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), 0);
	assert_int_equal(f.nsleeps, 1);
	digest_facts_clear(&facts);
	fake_fail(&f, -ETIMEDOUT, false);
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -ETIMEDOUT);
	fake_add(&f, 404, NULL, "");
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -ENOENT);
	assert_int_equal(f.next, f.n);
	assert_int_equal(f.nsleeps, 1);
	registry_client_free(c);

	/* Three tries: the backoff doubles. */
	c = client_new(&f, 2, NULL);
	fake_add(&f, 500, NULL, "");
	fake_fail(&f, -EIO, true);
	fake_add(&f, 503, NULL, "");
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -EIO);
	assert_int_equal(f.next, 3);
	assert_int_equal(f.nsleeps, 2);
	assert_int_equal(f.sleeps[0], 250);
	assert_int_equal(f.sleeps[1], 500);
	registry_client_free(c);

	/* Retries off. */
	c = client_new(&f, -1, NULL);
	fake_add(&f, 503, NULL, "");
	assert_int_equal(resolve(c, "reg.example/lib/app:1", &facts, &err), -EIO);
	assert_int_equal(f.next, 1);
	assert_int_equal(f.nsleeps, 0);
	registry_client_free(c);
}

/* HEAD: the registry's Docker-Content-Digest, or a GET and its hash without one. */
static void
test_head_digest(void **state)
{
	struct fake		 f;
	struct registry_client	*c = client_new(&f, 0, NULL);
	struct dw_err		 err;
	const char		*body = MANIFEST(DA);
	char			 d[DIGEST_SHA256_STRLEN], got[DIGEST_SHA256_STRLEN], s[256];

	(void)state;
	digest_sha256_string(body, strlen(body), d);
	fake_add(&f, 200, body, "Docker-Content-Digest: " DB "\r\n");
	assert_int_equal(head(c, "reg.example/lib/app:1", got, &err), 0);
	assert_string_equal(got, DB);
	assert_int_equal(f.seen[0].method, REGISTRY_CLIENT_HEAD);
	assert_string_equal(f.seen[0].url, REG_URL "1");
	assert_string_equal(f.seen[0].accept, DIGEST_MANIFEST_ACCEPT);
	assert_int_equal(f.seen[0].max, 0);
	/* No header: GET the body and hash it (checked against the header then). */
	fake_add(&f, 200, NULL, "");
	fake_add(&f, 200, body, "");
	assert_int_equal(head(c, "reg.example/lib/app", got, &err), 0);
	assert_string_equal(got, d);
	assert_int_equal(f.seen[2].method, REGISTRY_CLIENT_GET);
	assert_string_equal(f.seen[2].url, REG_URL "latest");
	fake_add(&f, 200, NULL, "");
	fake_add(&f, 200, body, "Docker-Content-Digest: " DB "\r\n");
	assert_int_equal(head(c, "reg.example/lib/app", got, &err), -EPROTO);
	/* By digest: the header must name it. */
	snprintf(s, sizeof(s), "reg.example/lib/app@%s", d);
	fake_addf(&f, 200, NULL, "Docker-Content-Digest: %s\r\n", d);
	assert_int_equal(head(c, s, got, &err), 0);
	assert_string_equal(got, d);
	memset(got, 0, sizeof(got));
	fake_add(&f, 200, NULL, "Docker-Content-Digest: " DB "\r\n");
	assert_int_equal(head(c, s, got, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "digest mismatch"));
	assert_string_equal(got, "");
	fake_add(&f, 200, NULL, "Docker-Content-Digest: md5:x\r\n");
	assert_int_equal(head(c, s, got, &err), -EPROTO);
	fake_add(&f, 404, NULL, "");
	assert_int_equal(head(c, s, got, &err), -ENOENT);
	assert_int_equal(f.next, f.n);
	registry_client_free(c);
}

/* Which scheme and host: loopback and insecure-listed over http, Docker Hub's host. */
static void
test_urls(void **state)
{
	struct fake		 f;
	struct registry_client	*c = client_new(&f, 0, NULL);
	struct dw_err		 err;
	char			 got[DIGEST_SHA256_STRLEN];
	static const struct {
		const char	*ref;
		const char	*url;
		bool		 no_proxy;
	} cases[] = {
		{ "alpine", "https://registry-1.docker.io/v2/library/alpine/manifests/latest",
		    false },
		{ "localhost:5000/a:1", "http://localhost:5000/v2/a/manifests/1", true },
		{ "127.0.0.1:5000/a:1", "http://127.0.0.1:5000/v2/a/manifests/1", true },
		{ "127.9.9.9/a:1", "http://127.9.9.9/v2/a/manifests/1", true },
		{ "[::1]:5000/a:1", "http://[::1]:5000/v2/a/manifests/1", true },
		{ "plain.example:5000/a:1", "http://plain.example:5000/v2/a/manifests/1",
		    false },
		{ "plain.example/a:1", "https://plain.example/v2/a/manifests/1", false },
		{ "128.0.0.1:5000/a:1", "https://128.0.0.1:5000/v2/a/manifests/1", false },
		{ "[::2]:5000/a:1", "https://[::2]:5000/v2/a/manifests/1", false },
	};
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_add(&f, 200, NULL, "Docker-Content-Digest: " DA "\r\n");
		assert_int_equal(head(c, cases[i].ref, got, &err), 0);
		assert_string_equal(f.seen[i].url, cases[i].url);
		assert_int_equal(f.seen[i].no_proxy, cases[i].no_proxy);
	}
	assert_string_equal(registry_client_host_for("docker.io"), "registry-1.docker.io");
	assert_string_equal(registry_client_host_for("ghcr.io"), "ghcr.io");
	assert_null(registry_client_host_for(NULL));
	registry_client_free(c);
}

/* GET /v2/: the status, a 401's challenge, the scheme and host; nothing else sent. */
static void
test_ping(void **state)
{
	struct registry_auth_challenge	 ch = { 0 };
	struct fake			 f;
	struct registry_client		*c = client_new(&f, 0, "/nonexistent/config.json");
	struct dw_err			 err;
	long				 status = 0;

	(void)state;
	fake_add(&f, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}", CHALLENGE);
	assert_int_equal(registry_client_ping(c, "reg.example", &status, &ch, &err), 0);
	assert_int_equal(status, 401);
	assert_int_equal(ch.scheme, REGISTRY_AUTH_BEARER);
	assert_string_equal(ch.realm, REALM);
	assert_string_equal(f.seen[0].url, "https://reg.example/v2/");
	assert_int_equal(f.seen[0].method, REGISTRY_CLIENT_GET);
	assert_false(f.seen[0].has_bearer);
	assert_false(f.seen[0].has_user);
	assert_false(f.seen[0].follow);
	assert_false(f.seen[0].no_proxy);
	registry_auth_challenge_clear(&ch);
	/* Docker Hub at its registry host; an insecure host and loopback over HTTP. */
	fake_add(&f, 200, "{}", "");
	assert_int_equal(registry_client_ping(c, "docker.io", &status, &ch, &err), 0);
	assert_int_equal(status, 200);
	assert_int_equal(ch.scheme, REGISTRY_AUTH_NONE);
	assert_null(ch.realm);
	assert_string_equal(f.seen[1].url, "https://registry-1.docker.io/v2/");
	fake_add(&f, 200, "{}", "");
	assert_int_equal(registry_client_ping(c, "plain.example:5000", &status, &ch, &err), 0);
	assert_string_equal(f.seen[2].url, "http://plain.example:5000/v2/");
	fake_add(&f, 200, "{}", "");
	assert_int_equal(registry_client_ping(c, "127.0.0.1:5000", &status, &ch, &err), 0);
	assert_string_equal(f.seen[3].url, "http://127.0.0.1:5000/v2/");
	assert_true(f.seen[3].no_proxy);
	/* A 401 without a usable challenge, and a 404: statuses, not errors. */
	fake_add(&f, 401, NULL, "WWW-Authenticate: Negotiate\r\n");
	assert_int_equal(registry_client_ping(c, "reg.example", &status, &ch, &err), 0);
	assert_int_equal(status, 401);
	assert_int_equal(ch.scheme, REGISTRY_AUTH_NONE);
	fake_add(&f, 404, "not here", "");
	assert_int_equal(registry_client_ping(c, "reg.example", &status, &ch, &err), 0);
	assert_int_equal(status, 404);
	/* Transport errors keep their errno; wildcards and paths are never asked. */
	fake_fail(&f, -ECONNREFUSED, false);
	assert_int_equal(registry_client_ping(c, "reg.example", &status, &ch, &err),
	    -ECONNREFUSED);
	assert_int_equal(f.next, f.n);
	assert_int_equal(registry_client_ping(c, "*.corp.example", &status, &ch, &err),
	    -EINVAL);
	assert_int_equal(registry_client_ping(c, "reg.example/x", &status, &ch, &err),
	    -EINVAL);
	assert_int_equal(f.next, f.n);
	registry_client_free(c);
}

/* ------------------------------------------- the default transport (libcurl) */

/*
 * A one-shot HTTP server on loopback: reads one request, writes answer.
 * Static, so that a test failing half-way leaves its thread nothing dangling.
 */
struct once_server {
	int		 fd;
	int		 port;
	char		 answer[2048];
	char		 request[4096];
	pthread_t	 th;
};

static struct once_server	once;

static void *
once_serve(void *arg)
{
	struct once_server	*sv = arg;
	size_t			 n = 0;
	ssize_t			 k;
	int			 cfd;

	if ((cfd = accept(sv->fd, NULL, NULL)) < 0)
		return NULL;
	while (n + 1 < sizeof(sv->request) &&
	    (k = read(cfd, sv->request + n, sizeof(sv->request) - 1 - n)) > 0) {
		n += (size_t)k;
		sv->request[n] = '\0';
		if (strstr(sv->request, "\r\n\r\n") != NULL)
			break;
	}
	if (write(cfd, sv->answer, strlen(sv->answer)) < 0)
		sv->request[0] = '\0';
	close(cfd);
	return NULL;
}

static void
once_start(struct once_server *sv, const char *answer)
{
	struct sockaddr_in	sa;
	socklen_t		len = sizeof(sa);

	memset(sv, 0, sizeof(*sv));
	assert_true(strlen(answer) < sizeof(sv->answer));
	memcpy(sv->answer, answer, strlen(answer) + 1);
	assert_true((sv->fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(sv->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(sv->fd, 1), 0);
	assert_int_equal(getsockname(sv->fd, (struct sockaddr *)&sa, &len), 0);
	sv->port = ntohs(sa.sin_port);
	assert_int_equal(pthread_create(&sv->th, NULL, once_serve, sv), 0);
}

static void
once_stop(struct once_server *sv)
{
	pthread_join(sv->th, NULL);
	close(sv->fd);
}

/* The libcurl transport hands over the same headers and body as a fake. */
static void
test_default_transport(void **state)
{
	struct registry_opts	 o;
	struct registry_client	*c;
	struct digest_facts	 facts = { 0 };
	struct dw_err		 err;
	const char		*body = MANIFEST(DA);
	char			 d[DIGEST_SHA256_STRLEN], answer[2048], ref[128];

	(void)state;
	digest_sha256_string(body, strlen(body), d);
	snprintf(answer, sizeof(answer), "HTTP/1.1 200 OK\r\nContent-Type: " DOCKER_MT
	    "\r\nDocker-Content-Digest: %s\r\nContent-Length: %zu\r\nConnection: close\r\n"
	    "\r\n%s", d, strlen(body), body);
	once_start(&once, answer);
	memset(&o, 0, sizeof(o));
	o.retries = -1;
	assert_non_null(c = registry_client_new(&o, &err));
	snprintf(ref, sizeof(ref), "127.0.0.1:%d/lib/app:1", once.port);
	assert_int_equal(resolve(c, ref, &facts, &err), 0);
	once_stop(&once);
	assert_string_equal(facts.digest, d);
	assert_string_equal(facts.configs.v[0], DA);
	assert_non_null(strstr(once.request, "GET /v2/lib/app/manifests/1 HTTP/1.1\r\n"));
	assert_non_null(strstr(once.request, "Accept: " DIGEST_MANIFEST_ACCEPT "\r\n"));
	digest_facts_clear(&facts);

	/* A mismatch found through curl too. */
	snprintf(answer, sizeof(answer), "HTTP/1.1 200 OK\r\nContent-Type: " DOCKER_MT
	    "\r\nDocker-Content-Digest: " DB "\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n%s", strlen(body), body);
	once_start(&once, answer);
	snprintf(ref, sizeof(ref), "127.0.0.1:%d/lib/app:1", once.port);
	assert_int_equal(resolve(c, ref, &facts, &err), -EPROTO);
	once_stop(&once);
	registry_client_free(c);
}

/* A closed loopback port: -ECONNREFUSED, retried once by default. */
static void
test_default_transport_refused(void **state)
{
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof(sa);
	struct registry_client	*c;
	struct digest_facts	 facts = { 0 };
	struct dw_err		 err;
	char			 ref[128];
	int			 fd;

	(void)state;
	/* A port that was free a moment ago. */
	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	assert_non_null(c = registry_client_new(NULL, &err));
	snprintf(ref, sizeof(ref), "127.0.0.1:%d/lib/app:1", ntohs(sa.sin_port));
	assert_int_equal(resolve(c, ref, &facts, &err), -ECONNREFUSED);
	assert_non_null(strstr(err.msg, "cannot connect"));
	registry_client_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_facts),
		cmocka_unit_test(test_index_facts),
		cmocka_unit_test(test_digest_mismatch),
		cmocka_unit_test(test_size_limits),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_token_auth),
		cmocka_unit_test(test_token_creds),
		cmocka_unit_test(test_auth_refused),
		cmocka_unit_test(test_basic_auth),
		cmocka_unit_test(test_retries),
		cmocka_unit_test(test_head_digest),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_ping),
		cmocka_unit_test(test_default_transport),
		cmocka_unit_test(test_default_transport_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
