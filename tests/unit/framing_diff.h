/*
 * framing_diff: does the gatekeeper forward only what dockerd's Go
 * net/http reads the same way?  Shared by tests/unit/test_api_http.c (the
 * recorded cases) and tests/fuzz/fuzz_api_http.c (the live oracle).
 */
#ifndef FRAMING_DIFF_H
#define FRAMING_DIFF_H

#include <stdbool.h>
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

/*
 * Read raw[0, len) as the engine's answer to one request twice, as the
 * pump does (bytes arriving up to each of cuts[0, ncuts), then the rest,
 * then end of stream): with the fast head reader and with libhttp-parser
 * alone.  When the fast reader took the answer (*ret_fast), both readings
 * must end alike: bytes taken, head and completion, keep-alive, hijack,
 * interim, and the body handed to the kept callback.  0 when they agree;
 * -1 with the first difference in why.
 */
int	framing_answer_diff(const char *raw, size_t len, const size_t *cuts,
	    size_t ncuts, bool head_request, bool *ret_fast, char *why, size_t why_len);

/*
 * Read the first request of raw[0, len) as a connection does
 * (api_http_request_frame) twice: as it comes, and with every head
 * through libhttp-parser.  A head read the fast way (*ret_fast) must give
 * the same result and facts as the parser and the head checks together:
 * method, target, version, framing, keep-alive, Expect, Content-Type,
 * bytes taken, body.  0 when they agree; -1 with the difference in why.
 */
int	framing_request_fast_diff(const char *raw, size_t len, bool *ret_fast,
	    char *why, size_t why_len);

/* A JSON string whose code points are bytes (U+0000..U+00FF): the bytes (new; free()). */
char	*framing_bytes(const json_t *s, size_t *ret_len);

#endif
