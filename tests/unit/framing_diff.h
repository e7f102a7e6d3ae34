/*
 * framing_diff: does the gatekeeper forward only what dockerd's Go
 * net/http reads the same way?  Shared by tests/unit/test_api_http.c (the
 * recorded cases) and tests/fuzz/fuzz_api_http.c (the live oracle).
 */
#ifndef FRAMING_DIFF_H
#define FRAMING_DIFF_H

#include <stddef.h>

#include <jansson.h>

/* What the gatekeeper made of a stream, for messages. */
#define FRAMING_SUMMARY_MAX	2048

/*
 * Frame raw[0, len) as a gatekeeper connection does, request after
 * request (api_http_request_frame), and compare every request it would
 * forward with the one Go's handler saw at the same position (go: the
 * answer tests/oracle/gohttp prints, borrowed): method, target, version,
 * body framing, Connection, and the body when the gatekeeper read it
 * whole.  Go may stop earlier (an error it answered: nothing reaches a
 * handler).  0 when they agree; -1 with the first difference in why.
 * *ret_forwarded: how many requests the gatekeeper would forward; summary
 * (may be NULL) says what it did.
 */
int	framing_diff(const char *raw, size_t len, const json_t *go,
	    unsigned *ret_forwarded, char *summary, char *why, size_t why_len);

/* A JSON string whose code points are bytes (U+0000..U+00FF): the bytes (new; free()). */
char	*framing_bytes(const json_t *s, size_t *ret_len);

#endif
