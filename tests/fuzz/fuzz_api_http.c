/*
 * Fuzz the gatekeeper's framing (api_http.c): requests in two ways, and
 * the engine's answers.
 *
 * One request: api_http_request_parse reads the first request of the
 * input as a connection does (the head checks that refuse what Go could
 * read differently, the body limits) and what it says must hold together;
 * the command names of whatever it routes to are looked up too.  Read
 * again with every head through libhttp-parser, it must be the same
 * (framing_request_fast_diff): a bodiless head read the fast way is read
 * as the parser and the head checks read it.
 *
 * Differentially, against Go's net/http, dockerd's HTTP server: the input
 * is a byte stream a client sends on one connection.  The gatekeeper's
 * framing reads it request after request (api_http_request_frame: the
 * connection's own functions) and the oracle, tests/oracle/gohttp
 * -frames, a coprocess spawned once, serves the same stream with a real
 * net/http.Server and says what its handler saw.  Every request the
 * gatekeeper would forward must be the one Go reads at that position,
 * with the same body (framing_diff): anything else is request smuggling,
 * and the target abort()s with the stream on stderr.
 *
 * The engine's answer: the same bytes read as an answer to a request,
 * once by the fast head reader and once by libhttp-parser alone
 * (framing_answer_diff), must end alike.
 *
 * The oracle is $DOCKWARD_GOHTTP, else the one the build made
 * (GOHTTP_ORACLE); without one (no Go installed), and always in the seed
 * replay of make check (FRAMING_NO_ORACLE), only the gatekeeper's framing
 * runs, compared with nothing.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "api/api_http.h"
#include "authz/authz_command.h"
#include "authz/authz_uri.h"
#include "tests/unit/framing_diff.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef FRAMING_NO_ORACLE
static int	to_go = -1, from_go = -1;
static int	started;

/* Start the oracle once; 0, or -1 when there is none. */
static int
oracle_start(void)
{
	const char	*path = getenv("DOCKWARD_GOHTTP");
	int		 in[2], out[2];
	pid_t		 pid;

	if (started)
		return to_go >= 0 ? 0 : -1;
	started = 1;
#ifdef GOHTTP_ORACLE
	if (path == NULL)
		path = GOHTTP_ORACLE;
#endif
	if (path == NULL || access(path, X_OK) != 0) {
		fprintf(stderr, "fuzz_api_http: no Go oracle (%s): the framing runs "
		    "uncompared\n", path ? path : "DOCKWARD_GOHTTP unset");
		return -1;
	}
	if (pipe(in) < 0 || pipe(out) < 0)
		abort();
	signal(SIGPIPE, SIG_IGN);
	if ((pid = fork()) < 0)
		abort();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execl(path, path, "-frames", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	to_go = in[1];
	from_go = out[0];
	return 0;
}

static void
xwrite(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "fuzz_api_http: the Go oracle is gone\n");
			abort();
		}
		p += n;
		len -= (size_t)n;
	}
}

static void
xread(int fd, void *buf, size_t len)
{
	char	*p = buf;
	ssize_t	 n;

	while (len > 0) {
		if ((n = read(fd, p, len)) <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			fprintf(stderr, "fuzz_api_http: the Go oracle is gone\n");
			abort();
		}
		p += n;
		len -= (size_t)n;
	}
}

/* What Go made of data (new), or NULL without an oracle. */
static json_t *
oracle_ask(const uint8_t *data, size_t size)
{
	unsigned char	 hdr[4];
	uint32_t	 n;
	char		*buf;
	json_error_t	 e;
	json_t		*a;

	if (oracle_start() < 0)
		return NULL;
	hdr[0] = (unsigned char)(size >> 24);
	hdr[1] = (unsigned char)(size >> 16);
	hdr[2] = (unsigned char)(size >> 8);
	hdr[3] = (unsigned char)size;
	xwrite(to_go, hdr, 4);
	xwrite(to_go, data, size);
	xread(from_go, hdr, 4);
	n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
	if ((buf = malloc(n + 1)) == NULL)
		abort();
	xread(from_go, buf, n);
	if ((a = json_loadb(buf, n, JSON_ALLOW_NUL, &e)) == NULL) {
		fprintf(stderr, "fuzz_api_http: the oracle's answer is not JSON: %s\n", e.text);
		abort();
	}
	free(buf);
	return a;
}
#else
static json_t *
oracle_ask(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return NULL;
}
#endif

/*
 * The first request of data, read as a connection reads it: its facts hold
 * together, and read with every head through the parser they are the same.
 */
static void
one_request(const uint8_t *data, size_t size)
{
	struct api_http_request	 rq;
	struct authz_uri	*uri = NULL;
	struct dw_err		 err;
	char			*buf, why[1024];
	bool			 fast;

	/* An exact-size copy, so reading past size is caught by ASan. */
	if ((buf = malloc(size > 0 ? size : 1)) == NULL)
		return;
	memcpy(buf, data, size);
	/* A head read without the parser is read as the parser and the head checks read it. */
	if (framing_request_fast_diff(buf, size, &fast, why, sizeof(why)) < 0) {
		fprintf(stderr, "fuzz_api_http: a request read two ways: %s\n", why);
		abort();
	}
	if (api_http_request_parse(buf, size, &rq, &err) == 0) {
		if (rq.consumed > size || rq.body_len > size || rq.head_len > rq.consumed)
			abort();
		if (rq.complete && !rq.body_read_whole && rq.body_len != 0)
			abort();
		if (authz_uri_parse(rq.method, rq.uri, &uri, &err) == 0)
			(void)authz_command_primary(uri);
		authz_uri_free(uri);
	}
	free(buf);
}

/*
 * data as the engine's answer: the fast head reader and libhttp-parser
 * alone must read it alike (framing_answer_diff).  The last byte says
 * where the bytes are cut in two and whether the request was a HEAD.
 */
static void
one_answer(const uint8_t *data, size_t size)
{
	char		*buf, why[512];
	size_t		 cut;
	unsigned	 c = size > 0 ? data[size - 1] : 0;
	bool		 fast;

	if ((buf = malloc(size > 0 ? size : 1)) == NULL)
		return;
	memcpy(buf, data, size);
	cut = (c & 15) == 15 ? size : size * (c & 15) / 16;
	if (framing_answer_diff(buf, size, &cut, 1, (c & 16) != 0, &fast, why,
	    sizeof(why)) < 0) {
		fprintf(stderr, "fuzz_api_http: an answer read two ways: %s\n", why);
		abort();
	}
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t		*go;
	char		 why[1024], summary[FRAMING_SUMMARY_MAX], *answer;
	unsigned	 fwd;
	size_t		 i;

	/* The oracle speaks 32-bit lengths; libFuzzer inputs are far smaller. */
	if (size > 1024 * 1024)
		return 0;
	one_request(data, size);
	one_answer(data, size);
	if ((go = oracle_ask(data, size)) == NULL)
		go = json_pack("{s:[],s:s}", "requests", "end", "no oracle");
	if (go == NULL)
		abort();
	if (framing_diff((const char *)data, size, go, &fwd, summary, why,
	    sizeof(why)) < 0) {
		fprintf(stderr, "fuzz_api_http: the gatekeeper and Go frame this "
		    "stream differently: %s\n  gatekeeper: %s\n  stream: \"", why, summary);
		for (i = 0; i < size; i++) {
			if (data[i] >= 0x20 && data[i] < 0x7f && data[i] != '"' &&
			    data[i] != '\\')
				fputc(data[i], stderr);
			else
				fprintf(stderr, "\\x%02x", data[i]);
		}
		answer = json_dumps(go, JSON_COMPACT);
		fprintf(stderr, "\"\n  Go: %s\n", answer ? answer : "?");
		free(answer);
		abort();
	}
	json_decref(go);
	return 0;
}
