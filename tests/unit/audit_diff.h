/*
 * audit_diff: authz_audit's hand-written record against the jansson code
 * it replaced (the oracle, kept here as it was), on records built from
 * bytes.  Shared by tests/unit/test_authz_audit.c (random bytes, fixed
 * seed) and tests/fuzz/fuzz_authz_audit.c (the fuzzer's bytes).
 */
#ifndef AUDIT_DIFF_H
#define AUDIT_DIFF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "authz/authz_audit.h"

/*
 * The record as authz_audit_format_caller made it with jansson before
 * (json_pack, json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER)), stamped
 * with tv (NULL: now, as it was).  New string or NULL, as it was.
 */
char	*audit_diff_oracle(const struct timeval *tv, const struct authz_request *req,
	    const struct authz_decision *d, const char *source,
	    const struct authz_caller *caller);

/*
 * Build a record from data[0, size) (every field, NULL and absent ones,
 * escapes, control bytes, non-ASCII, bytes that are not UTF-8, long
 * strings, with and without a caller) and format it every way
 * authz_audit offers: authz_audit_format_buf with the record's time into
 * a large buffer, one that just fits and one a byte short, and
 * authz_audit_format_caller / authz_audit_format at the current time.
 * 0 when every result is byte for byte the oracle's; -1 with the first
 * difference in why.
 */
int	audit_diff_check(const uint8_t *data, size_t size, char *why, size_t why_len);

#endif
