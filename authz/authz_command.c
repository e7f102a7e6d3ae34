/*
 * authz_command: command lists (see authz_command.h).  The table in
 * authz_command_table.h is compiled into one source row per endpoint
 * (indexed by enum authz_uri_endpoint) plus the query-selected variants; on
 * first use the comma-separated names are split once into static storage.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "authz/authz_command.h"
#include "authz/authz_deny.h"
#include "authz/authz_rules.h"
#include "common/dw_esc.h"

#define CMD_URI_ESC_MAX		512	/* the request URI quoted in a message */
#define CMD_ERR_ESC_MAX		256	/* why a URI was not routed, quoted */

/* Variants: endpoints read differently depending on their query. */
enum cmd_variant {
#define DW_COMMAND(id, primary, aux)
#define DW_COMMAND_VARIANT(name, id, primary, aux)	CMD_VAR_##name,
#include "authz/authz_command_table.h"
#undef DW_COMMAND_VARIANT
#undef DW_COMMAND
	CMD_VAR__COUNT
};

/* Slots: AUTHZ_EP_<ID> for the rows, AUTHZ_EP__COUNT + CMD_VAR_<NAME> for variants. */
#define CMD_SLOTS	(AUTHZ_EP__COUNT + CMD_VAR__COUNT)
#define CMD_SLOT_VARIANT(name)	(AUTHZ_EP__COUNT + CMD_VAR_##name)

/* One row per route, no more, no fewer (duplicates trip -Woverride-init). */
enum {
	CMD_ROWS = 0
#define DW_COMMAND(id, primary, aux)	+ 1
#include "authz/authz_command_table.h"
#undef DW_COMMAND
};
_Static_assert(CMD_ROWS == AUTHZ_EP__COUNT - 1,
    "authz_command_table.h must have one DW_COMMAND row per route of authz_route_table.h");

struct cmd_src {
	const char	*primary;	/* "a,b,c" or NULL */
	const char	*aux;
	const char	*effect;	/* other commands' effects (deny lists only) */
};

static const struct cmd_src cmd_src[CMD_SLOTS] = {
#define DW_COMMAND(id, primary, aux)	[AUTHZ_EP_##id] = { primary, aux, NULL },
#define DW_COMMAND_VARIANT(name, id, primary, aux)	\
	[CMD_SLOT_VARIANT(name)] = { primary, aux, NULL },
#include "authz/authz_command_table.h"
#undef DW_COMMAND_VARIANT
#undef DW_COMMAND
};

/* Effect names per endpoint (a variant shares its endpoint's effects). */
static const char *const cmd_effect_src[AUTHZ_EP__COUNT] = {
#define DW_COMMAND(id, primary, aux)
#define DW_COMMAND_EFFECT(id, effect)	[AUTHZ_EP_##id] = effect,
#include "authz/authz_command_table.h"
#undef DW_COMMAND_EFFECT
#undef DW_COMMAND
};

/*
 * Bytes of every source string with its NUL (sizeof a NULL pointer stands
 * in for an absent list, which only over-counts).  Each name takes at least
 * one byte, so this also bounds the number of names.
 */
enum {
	CMD_POOL_MAX = 0
#define DW_COMMAND(id, primary, aux)	+ sizeof(primary) + sizeof(aux)
#define DW_COMMAND_VARIANT(name, id, primary, aux)	+ sizeof(primary) + sizeof(aux)
#define DW_COMMAND_EFFECT(id, effect)	+ sizeof(effect)
#include "authz/authz_command_table.h"
#undef DW_COMMAND_EFFECT
#undef DW_COMMAND_VARIANT
#undef DW_COMMAND
};

struct cmd_names {
	const char *const	*primary;
	size_t			 nprimary;
	const char *const	*aux;
	size_t			 naux;
	const char *const	*effect;
	size_t			 neffect;
};

static char			 cmd_pool[CMD_POOL_MAX];
static const char		*cmd_ptrs[CMD_POOL_MAX];
static struct cmd_names		 cmd_names[CMD_SLOTS];
static pthread_once_t		 cmd_once = PTHREAD_ONCE_INIT;

/* Split src at ',' into the pool; *ret points at the first of *ret_n names. */
static void
cmd_split(const char *src, size_t *pool_off, size_t *ptr_off,
    const char *const **ret, size_t *ret_n)
{
	size_t	len, i, start;

	*ret = &cmd_ptrs[*ptr_off];
	*ret_n = 0;
	if (src == NULL)
		return;
	len = strlen(src);
	memcpy(cmd_pool + *pool_off, src, len + 1);
	for (i = 0, start = 0; i <= len; i++) {
		if (src[i] != ',' && src[i] != '\0')
			continue;
		cmd_pool[*pool_off + i] = '\0';
		cmd_ptrs[(*ptr_off)++] = cmd_pool + *pool_off + start;
		(*ret_n)++;
		start = i + 1;
	}
	*pool_off += len + 1;
}

/* Build cmd_names from cmd_src (once, under pthread_once). */
static void
cmd_build(void)
{
	size_t	slot, pool_off = 0, ptr_off = 0;

	for (slot = 0; slot < CMD_SLOTS; slot++) {
		cmd_split(cmd_src[slot].primary, &pool_off, &ptr_off,
		    &cmd_names[slot].primary, &cmd_names[slot].nprimary);
		cmd_split(cmd_src[slot].aux, &pool_off, &ptr_off,
		    &cmd_names[slot].aux, &cmd_names[slot].naux);
		cmd_split(slot < AUTHZ_EP__COUNT ? cmd_effect_src[slot] : NULL,
		    &pool_off, &ptr_off, &cmd_names[slot].effect,
		    &cmd_names[slot].neffect);
	}
}

/* The built table. */
static const struct cmd_names *
cmd_table(void)
{
	pthread_once(&cmd_once, cmd_build);
	return cmd_names;
}

bool
authz_command_pattern_match(const char *pattern, const char *name)
{
	const char	*p = pattern, *n = name, *star = NULL, *resume = NULL;

	if (p == NULL || n == NULL)
		return false;
	while (*n != '\0') {
		if (*p == '*') {
			star = p++;
			resume = n;
		} else if (*p == *n) {
			p++;
			n++;
		} else if (star != NULL) {
			/* Let the last '*' swallow one more character. */
			p = star + 1;
			n = ++resume;
		} else
			return false;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/*
 * The slot of a routed request: its endpoint, or the variant its query
 * selects.  dockerd's postImagesCreate pulls when r.Form.Get("fromImage")
 * (the first value) is not empty and imports otherwise.
 */
static int
cmd_slot(const struct authz_uri *uri, size_t *ret)
{
	const char	*v = NULL;
	int		 r;

	if (uri == NULL || uri->endpoint <= AUTHZ_EP_UNKNOWN ||
	    uri->endpoint >= AUTHZ_EP__COUNT)
		return -ENOENT;
	if (uri->endpoint == AUTHZ_EP_IMAGE_CREATE) {
		r = authz_uri_query_get(uri, "fromImage", &v);
		if ((r != 0 && r != -EEXIST) || v == NULL || v[0] == '\0') {
			*ret = CMD_SLOT_VARIANT(IMAGE_CREATE_IMPORT);
			return 0;
		}
	}
	*ret = (size_t)uri->endpoint;
	return 0;
}

int
authz_command_names(const struct authz_uri *uri,
    const char *const **ret_primary, size_t *ret_nprimary,
    const char *const **ret_aux, size_t *ret_naux)
{
	const struct cmd_names	*t;
	size_t			 slot;
	int			 r;

	if ((r = cmd_slot(uri, &slot)) < 0)
		return r;
	t = &cmd_table()[slot];
	*ret_primary = t->primary;
	*ret_nprimary = t->nprimary;
	*ret_aux = t->aux;
	*ret_naux = t->naux;
	return 0;
}

int
authz_command_effects(const struct authz_uri *uri, const char *const **ret,
    size_t *ret_n)
{
	const struct cmd_names	*t;
	size_t			 slot;
	int			 r;

	if ((r = cmd_slot(uri, &slot)) < 0)
		return r;
	t = &cmd_table()[slot];
	/* A variant answers to its endpoint's effects too. */
	if (slot >= AUTHZ_EP__COUNT)
		t = &cmd_table()[uri->endpoint];
	*ret = t->effect;
	*ret_n = t->neffect;
	return 0;
}

const char *
authz_command_primary(const struct authz_uri *uri)
{
	const char *const	*p, *const *a;
	size_t			 np, na;

	if (authz_command_names(uri, &p, &np, &a, &na) < 0 || np == 0)
		return NULL;
	return p[0];
}

/* Does pattern match one of n names ("" never counts)?  The match in *ret_name. */
static bool
cmd_match_any(const char *pattern, const char *const *names, size_t n,
    const char **ret_name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (names[i][0] != '\0' &&
		    authz_command_pattern_match(pattern, names[i])) {
			if (ret_name != NULL)
				*ret_name = names[i];
			return true;
		}
	return false;
}

bool
authz_command_known(const char *pattern)
{
	const struct cmd_names	*t = cmd_table();
	size_t			 slot;

	for (slot = 0; slot < CMD_SLOTS; slot++)
		if (cmd_match_any(pattern, t[slot].primary, t[slot].nprimary, NULL) ||
		    cmd_match_any(pattern, t[slot].aux, t[slot].naux, NULL))
			return true;
	return false;
}

/*
 * Fill d with a command-list denial:
 * dockward: docker command "<uri>" is blocked (<rule>): <why>
 */
static enum authz_verdict
cmd_deny(struct authz_decision *d, const char *rule,
    const struct authz_request *req, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum authz_verdict
cmd_deny(struct authz_decision *d, const char *rule,
    const struct authz_request *req, const char *fmt, ...)
{
	char	q[CMD_URI_ESC_MAX], what[CMD_URI_ESC_MAX + 48];
	va_list	ap;

	dw_esc(q, sizeof(q), req != NULL && req->raw_uri != NULL ? req->raw_uri : "",
	    (size_t)-1);
	snprintf(what, sizeof(what), "docker command \"%s\" is blocked", q);
	va_start(ap, fmt);
	authz_deny_v(d, rule, "commandList", what, fmt, ap);
	va_end(ap);
	return d->verdict;
}

/*
 * Would Go's ParseForm read the body of this request (media type
 * application/x-www-form-urlencoded, any case and parameters)?  Then
 * dockerd's r.Form takes body values before the query's.
 */
static bool
form_body(const char *ct)
{
	static const char	form[] = "application/x-www-form-urlencoded";

	if (ct == NULL)
		return false;
	ct += strspn(ct, " \t");
	if (strncasecmp(ct, form, sizeof(form) - 1) != 0)
		return false;
	ct += sizeof(form) - 1;
	ct += strspn(ct, " \t");
	return *ct == '\0' || *ct == ';';
}

enum authz_verdict
authz_command_check(enum authz_cmdlist_type type,
    const struct dw_strv *patterns, const char *list_path, const char *who,
    const char *rule, const struct authz_request *req, struct authz_decision *d)
{
	const struct authz_uri	*uri = req != NULL ? req->uri : NULL;
	const char *const	*p, *const *a, *const *e = NULL;
	const char		*name = NULL;
	char			 why[CMD_ERR_ESC_MAX];
	size_t			 np, na, ne = 0, i, npat;

	memset(d, 0, sizeof(*d));
	d->verdict = AUTHZ_DENY;
	if (list_path == NULL)
		list_path = "";
	if (who == NULL)
		who = "";
	if (type == AUTHZ_CMDLIST_NONE)
		goto allow;
	if (type != AUTHZ_CMDLIST_DENY && type != AUTHZ_CMDLIST_ALLOW)
		return cmd_deny(d, rule, req, "the command list has an unknown type, "
		    "so nothing is allowed for %s; an admin can fix %s.", who,
		    list_path);
	if (authz_command_names(uri, &p, &np, &a, &na) < 0) {
		dw_esc(why, sizeof(why), req != NULL && req->uri_error != NULL ?
		    req->uri_error : "unknown route", (size_t)-1);
		return cmd_deny(d, rule, req, "the request does not map to an "
		    "Engine API endpoint (%s), so no docker command can be "
		    "checked against %s and it is not allowed for %s; use an "
		    "Engine API path that dockerd documents.", why, list_path, who);
	}
	for (i = 0; i < np; i++)
		if (p[i][0] == '\0')
			goto allow;	/* ping: the CLI's version negotiation */
	if (uri->endpoint == AUTHZ_EP_IMAGE_CREATE && form_body(req->content_type))
		return cmd_deny(d, rule, req, "a form-encoded body (Content-Type "
		    "application/x-www-form-urlencoded) would override the query that "
		    "says whether this is a pull or an import, so %s cannot be "
		    "applied for %s; send the request without a form body.",
		    list_path, who);
	npat = patterns != NULL ? patterns->n : 0;

	if (type == AUTHZ_CMDLIST_DENY) {
		/*
		 * Auxiliary names never block: a step of another command is
		 * not the command.  Effect names do: the endpoint does what
		 * that command does (POST /commit builds an image).
		 */
		if (authz_command_effects(uri, &e, &ne) < 0)
			ne = 0;
		for (i = 0; i < npat; i++) {
			if (cmd_match_any(patterns->v[i], p, np, &name))
				return cmd_deny(d, rule, req, "%s is denied for %s; an "
				    "admin can allow it in %s.", name, who, list_path);
			if (cmd_match_any(patterns->v[i], e, ne, &name))
				return cmd_deny(d, rule, req, "this endpoint does what "
				    "%s does, and %s is denied for %s; an admin can "
				    "allow it in %s.", name, name, who, list_path);
		}
		goto allow;
	}

	for (i = 0; i < npat; i++)
		if (cmd_match_any(patterns->v[i], p, np, NULL) ||
		    cmd_match_any(patterns->v[i], a, na, NULL))
			goto allow;
	if (np == 0 && na == 0)
		return cmd_deny(d, rule, req, "this endpoint is not mapped to any "
		    "docker command and is not allowed under an allow list; it stays "
		    "blocked for %s unless an admin makes %s a deny list.", who,
		    list_path);
	return cmd_deny(d, rule, req, "%s is not allowed for %s; an admin can "
	    "allow it in %s.", np > 0 ? p[0] : a[0], who, list_path);

allow:
	d->verdict = AUTHZ_ALLOW;
	d->rule = "allow";
	return d->verdict;
}
