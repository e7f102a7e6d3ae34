/*
 * api_http: request framing exactly as dockerd's HTTP server (Go 1.19
 * net/http) reads it, on a strict subset.
 *
 * The gatekeeper frames requests with libhttp-parser and forwards the bytes
 * as they came; dockerd frames the same bytes with Go's net/http.  If the
 * two disagree on where a request ends, bytes the gatekeeper took for a
 * body (never decided) are a request to dockerd: request smuggling.  Go
 * 1.19 ignores Transfer-Encoding on HTTP/1.0, accepts folded headers, bare
 * LF line ends, empty and duplicate Content-Lengths, chunk extensions,
 * trailers and empty chunk-size lines, each of which libhttp-parser reads
 * otherwise or not at all.  So every request head and chunked body is
 * first checked here against the grammar both read identically (what
 * Docker clients send), and anything outside it is refused
 * (rule request.framing); tests/oracle/gohttp runs Go's own server as the
 * oracle for the cases and the fuzzer.
 */
#ifndef API_HTTP_H
#define API_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* How the body of a request is framed. */
enum api_http_body {
	API_HTTP_BODY_NONE,	/* no body (no Content-Length, or 0) */
	API_HTTP_BODY_LENGTH,	/* content_length bytes */
	API_HTTP_BODY_CHUNKED,	/* Transfer-Encoding: chunked */
};

/* What a request head says, as Go reads it. */
struct api_http_head {
	char			 method[16];
	size_t			 target_off;	/* the request target: buf[off, off + len) */
	size_t			 target_len;
	int			 minor;		/* HTTP/1.minor: 0 or 1 */
	enum api_http_body	 body;
	unsigned long long	 content_length; /* API_HTTP_BODY_LENGTH */
	bool			 keep_alive;	/* Go serves another request after it */
	bool			 expect_continue; /* Expect: 100-continue */
};

/*
 * Read one request head, buf[0, len) up to and including its empty line.
 * 0 and *h when the head is in the subset both parsers read identically;
 * -EPROTO with the reason in *ret_why (a static string) otherwise.
 */
int	api_http_head_parse(const char *buf, size_t len, struct api_http_head *h,
	    const char **ret_why);

/* A chunked body being checked, fed as it arrives.  Zero it to start. */
struct api_http_chunks {
	int			 state;
	unsigned		 ndigits;
	unsigned long long	 left;		/* data bytes left in this chunk */
};

/*
 * Check the next len bytes of a chunked body: chunk-size lines are 1 to 15
 * hex digits and CRLF (no extension, no whitespace), each chunk's data is
 * followed by CRLF, the last chunk ("0") by CRLF and no trailer.  Returns
 * 0 (more to come; all len bytes used), 1 (the body ended, *ret_used bytes
 * of buf belong to it), or -EPROTO with the reason in *ret_why.
 */
int	api_http_chunks_feed(struct api_http_chunks *ck, const char *buf, size_t len,
	    size_t *ret_used, const char **ret_why);

#endif
