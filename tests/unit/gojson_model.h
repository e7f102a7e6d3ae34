/*
 * gojson_model: the container-create fields that tests/data/gojson/record.sh
 * extracts from dockerd, read instead with our Go-semantics decoder
 * (authz_json), for the differential test and its fuzz target.
 *
 * The fields object has the shape of record.sh's jq filter: Go values, with
 * absent and null as the Go zero value ("", false, [], {}).  Comparison
 * models the two things dockerd does to a decoded body before it stores it:
 * zero values take dockerd's defaults (the recorded baseline case: an image
 * and nothing else), and "label=disable" is appended to SecurityOpt for a
 * privileged container or a host PID/IPC namespace (daemon
 * generateSecurityOpt), unless a "label" option is given.
 */
#ifndef GOJSON_MODEL_H
#define GOJSON_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/dw_err.h"

/*
 * Read body as dockerd's ContainerConfigWrapper does: the top-level Config
 * fields, and the host fields from "HostConfig" when it is a non-null object,
 * else from the top level (dockerd 20.10 getHostConfig).  Host fields are
 * read at both places anyway, as dockward's engine does, so any refusal at
 * either counts.  Returns 0 and a new fields object in *ret (caller
 * decrefs); -EEXIST when a key is given twice (exactly, caught by the
 * parser, or in another spelling, caught by a getter); another -errno for
 * any other refusal.  err says why.
 */
int	gojson_decode(const void *body, size_t len, json_t **ret, struct dw_err *err);

/*
 * Does our reading (ours, from gojson_decode) give the values dockerd
 * recorded?  baseline: the recorded fields of a body with only an Image.
 * On a mismatch err names the first field that differs, with both values.
 */
bool	gojson_matches(const json_t *ours, const json_t *recorded,
	    const json_t *baseline, struct dw_err *err);

/*
 * dockward's verdict on POST /v1.41/containers/create with body, under the
 * policy both tests use (ECI on, docker:cli on the socket image list) and
 * facts where no container, network or volume exists.  -ENOMEM when the
 * policy cannot be built (it is parsed once and kept).
 */
struct authz_decision;
int	gojson_decide(const void *body, size_t len, struct authz_decision *d);
#endif
