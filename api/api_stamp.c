/* api_stamp: single-use stamps for requests the gatekeeper decided (see api_stamp.h). */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "api/api_stamp.h"
#include "common/dw_limits.h"
#include "digest/digest_sha256.h"

struct stamp_entry {
	unsigned char	nonce[16];
	char		bind[DIGEST_SHA256_STRLEN];	/* sha256(method NUL uri) */
	uint64_t	expires;			/* CLOCK_MONOTONIC ms; 0: free */
};

struct api_stamp {
	pthread_mutex_t		 lock;
	struct stamp_entry	*e;
	unsigned		 max;
	unsigned		 ttl_ms;
	unsigned long long	 evicted;
};

static uint64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* What a stamp is bound to: the request's method and URI, as dockerd reports them. */
static void
stamp_bind(const char *method, const char *uri, char out[DIGEST_SHA256_STRLEN])
{
	struct digest_sha256_ctx	ctx;

	digest_sha256_init(&ctx);
	digest_sha256_update(&ctx, method, strlen(method) + 1);
	digest_sha256_update(&ctx, uri, strlen(uri));
	digest_sha256_final(&ctx, out);
}

struct api_stamp *
api_stamp_new(unsigned max, unsigned ttl_ms)
{
	struct api_stamp	*t;

	if (max == 0 || (t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->e = calloc(max, sizeof(*t->e))) == NULL) {
		free(t);
		return NULL;
	}
	t->max = max;
	t->ttl_ms = ttl_ms;
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

void
api_stamp_free(struct api_stamp *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t->e);
	free(t);
}

int
api_stamp_issue(struct api_stamp *t, const char *method, const char *uri,
    char out[API_STAMP_LEN + 1])
{
	static const char	 hex[] = "0123456789abcdef";
	struct stamp_entry	*slot = NULL, *oldest = NULL;
	unsigned char		 nonce[16];
	size_t			 got = 0;
	ssize_t			 n;
	uint64_t		 now;
	unsigned		 i;

	while (got < sizeof(nonce)) {
		n = getrandom(nonce + got, sizeof(nonce) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -EIO;
		}
		got += (size_t)n;
	}
	pthread_mutex_lock(&t->lock);
	now = now_ms();
	for (i = 0; i < t->max; i++) {
		struct stamp_entry *e = &t->e[i];

		if (e->expires == 0 || e->expires <= now) {
			slot = e;
			break;
		}
		if (oldest == NULL || e->expires < oldest->expires)
			oldest = e;
	}
	if (slot == NULL) {
		/* Full of live stamps: the oldest one's request is late; drop it. */
		slot = oldest;
		t->evicted++;
	}
	memcpy(slot->nonce, nonce, sizeof(nonce));
	stamp_bind(method, uri, slot->bind);
	slot->expires = now + (t->ttl_ms ? t->ttl_ms : 1);
	pthread_mutex_unlock(&t->lock);
	for (i = 0; i < sizeof(nonce); i++) {
		out[2 * i] = hex[nonce[i] >> 4];
		out[2 * i + 1] = hex[nonce[i] & 15];
	}
	out[API_STAMP_LEN] = '\0';
	return 0;
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
api_stamp_redeem(struct api_stamp *t, const char *stamp, const char *method,
    const char *uri)
{
	struct stamp_entry	*hit = NULL;
	unsigned char		 nonce[16];
	char			 bind[DIGEST_SHA256_STRLEN];
	uint64_t		 now;
	unsigned		 i, j;
	int			 hi, lo, r;

	if (stamp == NULL || stamp[0] == '\0')
		return -ENOENT;
	if (strlen(stamp) != API_STAMP_LEN)
		return -EINVAL;
	for (i = 0; i < sizeof(nonce); i++) {
		if ((hi = hex_value(stamp[2 * i])) < 0 ||
		    (lo = hex_value(stamp[2 * i + 1])) < 0)
			return -EINVAL;
		nonce[i] = (unsigned char)(hi << 4 | lo);
	}
	stamp_bind(method ? method : "", uri ? uri : "", bind);
	pthread_mutex_lock(&t->lock);
	now = now_ms();
	/* Every live entry is compared in full: no early exit to time. */
	for (i = 0; i < t->max; i++) {
		struct stamp_entry	*e = &t->e[i];
		unsigned char		 diff = 0;

		if (e->expires == 0)
			continue;
		for (j = 0; j < sizeof(nonce); j++)
			diff |= e->nonce[j] ^ nonce[j];
		if (diff == 0)
			hit = e;
	}
	if (hit == NULL)
		r = -ENOENT;
	else if (hit->expires <= now)
		r = -ENOENT;
	else if (memcmp(hit->bind, bind, sizeof(bind)) != 0)
		r = -EPERM;
	else
		r = 0;
	if (hit != NULL)
		memset(hit, 0, sizeof(*hit));	/* single use, whatever the outcome */
	pthread_mutex_unlock(&t->lock);
	return r;
}

unsigned long long
api_stamp_evicted(struct api_stamp *t)
{
	unsigned long long	n;

	pthread_mutex_lock(&t->lock);
	n = t->evicted;
	pthread_mutex_unlock(&t->lock);
	return n;
}

bool
api_stamp_header_name(const char *name, size_t len)
{
	static const char	want[] = API_STAMP_HEADER;
	size_t			i, k = 0;

	for (i = 0; i < len; i++) {
		char	c = name[i];

		if (c == ' ' || c == '\t')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (k >= sizeof(want) - 1)
			return false;
		{
			char w = want[k];

			if (w >= 'A' && w <= 'Z')
				w = (char)(w - 'A' + 'a');
			if (c != w)
				return false;
		}
		k++;
	}
	return k == sizeof(want) - 1;
}

const char *
api_stamp_why(int r)
{
	switch (r) {
	case 0:
		return "stamped by the gatekeeper";
	case -EINVAL:
		return "its X-Dockward-Stamp header is not one the gatekeeper writes";
	case -EPERM:
		return "its X-Dockward-Stamp was issued for another request";
	default:
		return "it has no X-Dockward-Stamp the gatekeeper issued (none, "
		    "unknown, used or expired)";
	}
}

/*
 * The first CRLF in p[0, n), as memmem(p, n, "\r\n", 2) finds it, by
 * memchr: a head has few CRs, and memmem's setup costs more than the search.
 */
static const char *
crlf(const char *p, size_t n)
{
	const char	*cr, *stop = p + n;

	while ((cr = memchr(p, '\r', (size_t)(stop - p))) != NULL) {
		if (cr + 1 < stop && cr[1] == '\n')
			return cr;
		p = cr + 1;
	}
	return NULL;
}

bool
api_stamp_head_has(const char *head, size_t len)
{
	const char	*line, *end, *colon, *stop = head + len;

	/* Skip the request line; then one header per CRLF-ended line. */
	if ((line = crlf(head, len)) == NULL)
		return false;
	for (line += 2; line < stop; line = end + 2) {
		if ((end = crlf(line, (size_t)(stop - line))) == NULL)
			end = stop;
		if (end == line)
			break;		/* the blank line ends the head */
		if ((colon = memchr(line, ':', (size_t)(end - line))) != NULL &&
		    api_stamp_header_name(line, (size_t)(colon - line)))
			return true;
		if (end == stop)
			break;
	}
	return false;
}

int
api_stamp_head_add(const char *head, size_t len, const char *stamp, char **ret,
    size_t *ret_len)
{
	const char	*eol;
	size_t		 skip = 0, rl, n, slen = strlen(stamp);
	char		*out;

	while (skip + 1 < len && head[skip] == '\r' && head[skip + 1] == '\n')
		skip += 2;
	head += skip;
	len -= skip;
	if ((eol = crlf(head, len)) == NULL || eol == head)
		return -EPROTO;
	rl = (size_t)(eol - head) + 2;
	n = len + sizeof(API_STAMP_HEADER ": \r\n") - 1 + slen;
	if ((out = malloc(n)) == NULL)
		return -ENOMEM;
	memcpy(out, head, rl);
	memcpy(out + rl, API_STAMP_HEADER ": ", sizeof(API_STAMP_HEADER ": ") - 1);
	memcpy(out + rl + sizeof(API_STAMP_HEADER ": ") - 1, stamp, slen);
	memcpy(out + rl + sizeof(API_STAMP_HEADER ": ") - 1 + slen, "\r\n", 2);
	memcpy(out + rl + sizeof(API_STAMP_HEADER ": \r\n") - 1 + slen, head + rl, len - rl);
	*ret = out;
	*ret_len = n;
	return 0;
}
