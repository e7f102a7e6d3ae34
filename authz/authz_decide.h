/*
 * authz_decide: the policy engine.  Pure: it sees a request model, the
 * settings and a small facts interface (engine lookups, filesystem) and
 * returns a decision.  Zero is deny; every path that is not an explicit
 * allow denies.  The request, facts and decision types are in
 * authz_deny.h (the rules see them too); the real host facts for struct
 * authz_facts in authz_namespace.h.
 */
#ifndef AUTHZ_DECIDE_H
#define AUTHZ_DECIDE_H

#include "authz/authz_deny.h"
#include "authz/authz_namespace.h"
#include "authz/authz_settings.h"
#include "authz/authz_uri.h"

/*
 * Decide one request.  Always fills *d (deny on any internal error) and
 * returns d->verdict.
 */
enum authz_verdict authz_decide(const struct authz_settings *s,
	    const struct authz_facts *facts, const struct authz_request *req,
	    struct authz_decision *d);

#endif
