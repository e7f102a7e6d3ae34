/*
 * Fuzz dockward.ruleEnforcement: the pattern parser, then the invariants
 * audit-only mode rests on: a rule that never relaxes is never relaxed,
 * a denial marked enforced never is, and a mode is one of the two.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "authz/authz_enforce.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct authz_enforce	 e;
	struct dw_strv		 warnings = { 0 };
	struct dw_err		 err;
	const char		*id;
	json_t			*v;
	size_t			 i, n = 0;

	if (size < 1)
		return 0;
	memset(&e, 0, sizeof(e));
	/* The first byte: the global mode. */
	e.global = data[0] & 1 ? AUTHZ_ENFORCE_AUDIT : AUTHZ_ENFORCE_ENFORCE;
	v = json_loadb((const char *)data + 1, size - 1, JSON_DECODE_ANY |
	    JSON_REJECT_DUPLICATES, NULL);
	if (v != NULL && authz_enforce_rules_parse(v, "dockward.ruleEnforcement",
	    &e, &err) == 0 && authz_enforce_finish(&e, &warnings, &err) == 0) {
		for (i = 0; (id = authz_enforce_rules[i]) != NULL; i++) {
			enum authz_enforce_mode m = authz_enforce_mode_of(&e, id);

			if (m != AUTHZ_ENFORCE_AUDIT && m != AUTHZ_ENFORCE_ENFORCE)
				abort();
			if (authz_enforce_never(id) &&
			    authz_enforce_relaxes(&e, id, NULL, false))
				abort();
			if (authz_enforce_relaxes(&e, id, NULL, true) ||
			    authz_enforce_relaxes(&e, id, "mount.dockerSocket", false))
				abort();
			if (authz_enforce_relaxes(&e, id, NULL, false))
				n++;
		}
		if (n != authz_enforce_audit_count(&e) || (n > 0) != e.any_audit)
			abort();
		if (authz_enforce_relaxes(&e, "gatekeeper.caller", NULL, false) ||
		    authz_enforce_relaxes(&e, "internal", NULL, false))
			abort();
	}
	authz_enforce_clear(&e);
	dw_strv_clear(&warnings);
	json_decref(v);
	return 0;
}
