/*
 * authz_deny: how a rule says no (see authz_deny.h).  Every denial's
 * message is made here, so they all read "dockward: <what> (<rule>): why.
 * how to fix".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "authz/authz_deny.h"
#include "authz/authz_json.h"
#include "authz/authz_rules.h"
#include "authz/authz_uri.h"

/* What the request does, for the start of a message: "container create". */
static void
request_label(const struct authz_request *req, char *buf, size_t len)
{
	const char	*name;
	size_t		 i;

	name = req->uri ? authz_uri_endpoint_name(req->uri->endpoint) : "request";
	snprintf(buf, len, "%s", name);
	for (i = 0; buf[i] != '\0'; i++)
		if (buf[i] == '.')
			buf[i] = ' ';
}

void
authz_deny_v(struct authz_decision *d, const char *rule,
    const char *field, const char *what, const char *fmt, va_list ap)
{
	int	n;

	d->verdict = AUTHZ_DENY;
	d->rule = rule;
	snprintf(d->field, sizeof(d->field), "%s", field ? field : "");
	n = snprintf(d->msg, sizeof(d->msg), "dockward: %s (%s): ", what, rule);
	if (n < 0 || (size_t)n >= sizeof(d->msg))
		return;
	vsnprintf(d->msg + n, sizeof(d->msg) - (size_t)n, fmt, ap);
}

int
authz_deny(struct authz_ctx *c, const char *rule, const char *field,
    const char *fmt, ...)
{
	char	label[64], what[96];
	va_list	ap;

	/* The first objection is the one reported. */
	if (c->d->rule != NULL)
		return -EACCES;
	request_label(c->req, label, sizeof(label));
	snprintf(what, sizeof(what), "%s denied", label);
	va_start(ap, fmt);
	authz_deny_v(c->d, rule, field, what, fmt, ap);
	va_end(ap);
	return authz_deny_audit(c);
}

int
authz_deny_audit(struct authz_ctx *c)
{
	struct authz_decision	*d = c->d;

	if (c->wd == NULL || d->rule == NULL ||
	    !authz_enforce_relaxes(c->enforce, d->rule, d->via, d->enforced))
		return -EACCES;
	if (c->wd->rule == NULL)
		*c->wd = *d;
	memset(d, 0, sizeof(*d));
	d->verdict = AUTHZ_DENY;
	return 0;
}

int
authz_deny_json(struct authz_ctx *c, const struct dw_err *err)
{
	char	field[128];
	size_t	n;

	/* The field is the text before the first ':' of the error. */
	n = strcspn(err->msg, ":");
	snprintf(field, sizeof(field), "%.*s", (int)(n < sizeof(field) ? n : sizeof(field) - 1),
	    err->msg);
	return authz_deny(c, RULE_REQUEST_JSON, field,
	    "%s. Send each field once, with the type the Engine API documents",
	    err->msg);
}

int
authz_deny_unless_body(struct authz_ctx *c, const struct authz_jv **ret)
{
	struct dw_err	err;

	if (c->req->body == NULL || c->req->body_len == 0)
		return authz_deny(c, RULE_REQUEST_BODY, "",
		    "dockerd did not forward the request body, which this rule needs "
		    "(bodies are forwarded only when sent with a Content-Length below "
		    "1 MiB and Content-Type application/json). Send the body as JSON "
		    "with a Content-Length header, not chunked");
	if (c->body == NULL)	/* no place to keep it: a context made wrong */
		return authz_deny(c, RULE_REQUEST_JSON, "", "the request could "
		    "not be evaluated (internal error). Retry");
	if (*c->body == NULL &&
	    (*c->body = authz_json_parse_body(c->req->body, c->req->body_len,
	    &err)) == NULL)
		return authz_deny(c, RULE_REQUEST_JSON, "", "%s. Send a single, "
		    "well-formed JSON object with each field once", err.msg);
	*ret = authz_jv_doc_root(*c->body);
	return 0;
}

int
authz_deny_query_get(struct authz_ctx *c, const char *key, const char **ret)
{
	const char	*v;
	int		 r;

	r = authz_uri_query_get(c->req->uri, key, &v);
	if (r == -EEXIST)
		return authz_deny(c, RULE_REQUEST_URI, key, "%s is given more than "
		    "once; dockerd would use only the first. Give it once", key);
	if (r == 0)
		*ret = v;
	return r;
}
