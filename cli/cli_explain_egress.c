/* cli_explain_egress: `dockward explain --egress`: one container connection, decided as the proxy would. */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>

#include "cli/cli_egress.h"
#include "cli/cli_explain_egress.h"
#include "api/api_engine.h"
#include "common/dw_paths.h"
#include "egress/egress_addr.h"
#include "egress/egress_answer.h"
#include "egress/egress_worker.h"

#define XEG_URL_MAX	(EGRESS_HOST_MAX + 32)	/* "https://NAME:PORT" */
#define XEG_UP_MAX	(EGRESS_HOST_MAX + 64)	/* "host:port", or a destination with its name */
/* A rule or fix: a PAC answer, the URL and the PAC's URL, an error, the words. */
#define XEG_WORDS_MAX	(EGRESS_ANSWER_MAX + 2 * XEG_URL_MAX + DW_ERR_MAX + DW_MSG_MAX)
#define XEG_ID_MAX	256			/* a container name or id */

/* One explanation: the connection, the decision, the words. */
struct xeg {
	/* The URL */
	char			 scheme[8];	/* "http", "https", "tcp" */
	char			 host[EGRESS_HOST_MAX];	/* lower-case, no brackets */
	bool			 host_is_ip;
	/* The source */
	char			 src[EGRESS_ADDR_STRLEN];
	char			 cid[XEG_ID_MAX];
	char			 cname[XEG_ID_MAX];
	char			 image[XEG_ID_MAX];
	bool			 intercepted;
	/* The connection as the proxy sees it, and what it decides */
	struct egress_target	 t;
	struct egress_answer	 a;
	struct egress_decide_info info;
	enum egress_name_source	 claimed_src;	/* where the claimed name came from */
	bool			 subject;
	bool			 decided;	/* the decider ran */
	bool			 pac;		/* the policy has a PAC */
	char			 pac_url[XEG_URL_MAX];	/* FindProxyForURL's arguments */
	char			 pac_host[EGRESS_HOST_MAX];
	char			 pac_error[DW_ERR_MAX];	/* fetch or compile failure */
	const char		*action;
	char			 upstream[XEG_UP_MAX];
	char			 rule[XEG_WORDS_MAX];
	char			 fix[XEG_WORDS_MAX];
	const char		*ports;		/* transparentPorts as written, or NULL */
	struct dw_strv		 notes;
};

/* ---- the default ops: the engine, getaddrinfo, the PAC server, a worker ---- */

static int
def_engine_inspect(void *ctx, const char *sock, const char *kind, const char *id,
    json_t **ret, struct dw_err *err)
{
	struct api_engine	*e;
	int			 r;

	(void)ctx;
	if ((e = api_engine_new(sock)) == NULL) {
		dw_err_set(err, "out of memory");
		return -ENOMEM;
	}
	if (strcmp(kind, "networks") == 0)
		r = api_engine_network_inspect(e, id, ret, err);
	else
		r = api_engine_container_inspect(e, id, ret, err);
	api_engine_free(e);
	return r;
}

static int
def_resolve(void *ctx, const char *name, struct egress_addr *out, size_t max)
{
	struct addrinfo	 hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	size_t		 n = 0, i;
	int		 g;

	(void)ctx;
	if ((g = getaddrinfo(name, NULL, &hints, &res)) != 0)
		return g == EAI_MEMORY ? -ENOMEM : g == EAI_SYSTEM ? -errno : -ENOENT;
	for (ai = res; ai != NULL && n < max; ai = ai->ai_next) {
		if (egress_addr_from_sockaddr(ai->ai_addr, &out[n], NULL) < 0)
			continue;
		for (i = 0; i < n && !egress_addr_equal(&out[i], &out[n]); i++)
			;
		if (i == n)
			n++;
	}
	freeaddrinfo(res);
	return (int)n;
}

static void
def_pac_stop(void *ctx, void *pac)
{
	(void)ctx;
	egress_worker_stop(pac);
}

const struct cli_explain_egress_ops cli_explain_egress_ops_default = {
	.ctx = NULL,
	.engine_inspect = def_engine_inspect,
	.resolve = def_resolve,
	.pac_fetch = cli_egress_pac_fetch,
	.pac_start = cli_egress_worker_start,
	.pac_eval = cli_egress_worker_eval,
	.pac_stop = def_pac_stop,
};

/* ---- the URL ---- */

/*
 * http://host[:port][/...], https://host[:port][/...], tcp://host:port or
 * host:port; [v6] in brackets; user info refused.  0 or -EINVAL with err.
 */
static int
url_parse(const char *url, struct xeg *x, struct dw_err *err)
{
	const char	*rest, *sep, *end, *hs, *he, *ps = NULL;
	struct egress_addr a;
	char		*pend;
	unsigned long	 port = 0;
	size_t		 i, hl;

	if ((sep = strstr(url, "://")) != NULL) {
		if ((size_t)(sep - url) >= sizeof(x->scheme)) {
			dw_err_set(err, "unknown scheme");
			return -EINVAL;
		}
		for (i = 0; url + i < sep; i++)
			x->scheme[i] = (char)tolower((unsigned char)url[i]);
		x->scheme[i] = '\0';
		if (strcmp(x->scheme, "http") != 0 && strcmp(x->scheme, "https") != 0 &&
		    strcmp(x->scheme, "tcp") != 0) {
			dw_err_set(err, "scheme \"%s\": want http://, https:// or tcp://",
			    x->scheme);
			return -EINVAL;
		}
		rest = sep + 3;
	} else {
		snprintf(x->scheme, sizeof(x->scheme), "tcp");
		rest = url;
	}
	end = rest + strcspn(rest, "/?#");
	if (*end != '\0' && strcmp(x->scheme, "tcp") == 0) {
		dw_err_set(err, "a tcp:// address has no path");
		return -EINVAL;
	}
	if (memchr(rest, '@', (size_t)(end - rest)) != NULL) {
		dw_err_set(err, "user information (\"user@\") is not part of a connection");
		return -EINVAL;
	}
	if (*rest == '[') {
		hs = rest + 1;
		if ((he = memchr(hs, ']', (size_t)(end - hs))) == NULL) {
			dw_err_set(err, "\"[\" without \"]\"");
			return -EINVAL;
		}
		if (he + 1 < end) {
			if (he[1] != ':') {
				dw_err_set(err, "junk after \"]\"");
				return -EINVAL;
			}
			ps = he + 2;
		}
	} else {
		hs = rest;
		he = memchr(hs, ':', (size_t)(end - hs));
		if (he != NULL)
			ps = he + 1;
		else
			he = end;
	}
	hl = (size_t)(he - hs);
	if (hl == 0 || hl >= sizeof(x->host)) {
		dw_err_set(err, hl == 0 ? "no host" : "host name too long");
		return -EINVAL;
	}
	for (i = 0; i < hl; i++)
		x->host[i] = (char)tolower((unsigned char)hs[i]);
	x->host[hl] = '\0';
	if (ps != NULL) {
		errno = 0;
		port = strtoul(ps, &pend, 10);
		if (ps == end || pend != end || errno != 0 || port == 0 || port > 65535 ||
		    !isdigit((unsigned char)*ps)) {
			dw_err_set(err, "port \"%.*s\": want 1 to 65535", (int)(end - ps), ps);
			return -EINVAL;
		}
	} else if (strcmp(x->scheme, "http") == 0)
		port = 80;
	else if (strcmp(x->scheme, "https") == 0)
		port = 443;
	else {
		dw_err_set(err, "a tcp:// address needs a port (host:port)");
		return -EINVAL;
	}
	x->t.port = (uint16_t)port;
	x->host_is_ip = egress_addr_parse(x->host, &a) == 0;
	if (!x->host_is_ip && x->host[0] == '[') {
		dw_err_set(err, "bad host");
		return -EINVAL;
	}
	return 0;
}

/* ---- the source: --from-ip, or the container through the engine ---- */

/* The engine sockets to try, in order. */
static size_t
engine_sockets(const struct cli_explain_egress_opts *o, const char **v, size_t max)
{
	size_t	n = 0, i;

	for (i = 0; o->engine_sockets != NULL && i < o->engine_sockets->n &&
	    n < max; i++)
		v[n++] = o->engine_sockets->v[i];
	if (n == 0) {
		v[n++] = DW_PATH_ENGINE_SOCKET;
		v[n++] = DW_PATH_ENGINE_SOCKET_RUN;
	}
	return n;
}

/* Inspect kind/id on the first engine socket that answers.  As engine_inspect. */
static int
engine_get(const struct cli_explain_egress_opts *o, const struct cli_explain_egress_ops *ops,
    const char *kind, const char *id, json_t **ret, struct dw_err *err)
{
	const char	*socks[8];
	size_t		 n, i;
	int		 r = -ENOENT;

	n = engine_sockets(o, socks, 8);
	for (i = 0; i < n; i++) {
		if ((r = ops->engine_inspect(ops->ctx, socks[i], kind, id, ret, err)) == 0 ||
		    r == -ENOENT || r == -ENOMEM)
			return r;
		dw_err_prefix(err, "%s", socks[i]);
	}
	return r;
}

static const char *
jstr(const json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* A container name or id as the engine accepts it in a path. */
static bool
container_ref_ok(const char *s)
{
	size_t	i, n = strlen(s);

	if (n == 0 || n >= XEG_ID_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("_.-", s[i]) == NULL)
			return false;
	return true;
}

/*
 * The container's address in the destination's family, and whether its
 * traffic reaches dockward's table at all.  0, or CLI_EXPLAIN_EGRESS_USAGE
 * after saying why on errf; -ENOMEM.
 */
static int
source_container(const struct cli_explain_egress_opts *o, const struct cli_explain_egress_ops *ops,
    struct xeg *x, FILE *errf)
{
	struct dw_err	 err;
	json_t		*c = NULL, *shared = NULL, *nj = NULL, *nets, *n, *net = NULL;
	const char	*ref = o->from, *mode, *key, *ip, *nname = NULL, *nid, *drv;
	struct egress_addr a;
	char		*note = NULL;
	int		 r;

	if (*ref == '/')
		ref++;
	if (!container_ref_ok(ref)) {
		fprintf(errf, "dockward explain: --from %s: not a container name or id\n",
		    o->from);
		return CLI_EXPLAIN_EGRESS_USAGE;
	}
	if ((r = engine_get(o, ops, "containers", ref, &c, &err)) < 0) {
		if (r == -ENOMEM)
			return r;
		fprintf(errf, "dockward explain: --from %s: %s; give --engine-socket, or "
		    "the container's address with --from-ip\n", o->from, r == -ENOENT ?
		    "no such container" : err.msg);
		return CLI_EXPLAIN_EGRESS_USAGE;
	}
	snprintf(x->cid, sizeof(x->cid), "%s", jstr(c, "Id"));
	snprintf(x->cname, sizeof(x->cname), "%s", jstr(c, "Name"));
	snprintf(x->image, sizeof(x->image), "%s",
	    jstr(json_object_get(c, "Config"), "Image"));
	/* --network container:X shares X's network namespace: X's networks count. */
	mode = jstr(json_object_get(c, "HostConfig"), "NetworkMode");
	if (strncmp(mode, "container:", 10) == 0) {
		if (engine_get(o, ops, "containers", mode + 10, &shared, &err) < 0) {
			fprintf(errf, "dockward explain: --from %s: its network is that of "
			    "container %s, which cannot be inspected (%s)\n", o->from,
			    mode + 10, err.msg);
			r = CLI_EXPLAIN_EGRESS_USAGE;
			goto out;
		}
		mode = jstr(json_object_get(shared, "HostConfig"), "NetworkMode");
	}
	if (strcmp(mode, "host") == 0) {
		x->intercepted = false;
		snprintf(x->src, sizeof(x->src), "the host's addresses");
		r = dw_strv_push(&x->notes, "the container uses the host's network "
		    "namespace (--network host): its connections never cross a bridge, "
		    "dockward's table does not see them; while containersProxy is set "
		    "dockward refuses to create such containers (remove and recreate it)");
		goto out;
	}
	if (strcmp(mode, "none") == 0) {
		fprintf(errf, "dockward explain: --from %s: the container has no network "
		    "(--network none): it cannot connect anywhere\n", o->from);
		r = CLI_EXPLAIN_EGRESS_USAGE;
		goto out;
	}
	nets = json_object_get(json_object_get(shared != NULL ? shared : c,
	    "NetworkSettings"), "Networks");
	json_object_foreach(nets, key, n) {
		ip = jstr(n, x->t.ip.family == AF_INET6 ? "GlobalIPv6Address" : "IPAddress");
		if (*ip != '\0' && egress_addr_parse(ip, &a) == 0) {
			egress_addr_format(&a, x->src, sizeof(x->src));
			net = n;
			nname = key;
			break;
		}
	}
	if (net == NULL) {
		fprintf(errf, "dockward explain: --from %s: the container has no %s address "
		    "(is it running?); give it with --from-ip\n", o->from,
		    x->t.ip.family == AF_INET6 ? "IPv6" : "IPv4");
		r = CLI_EXPLAIN_EGRESS_USAGE;
		goto out;
	}
	/* Only bridge networks pass through the table (macvlan, ipvlan never do). */
	nid = *jstr(net, "NetworkID") != '\0' ? jstr(net, "NetworkID") : nname;
	if ((r = engine_get(o, ops, "networks", nid, &nj, &err)) == -ENOMEM)
		goto out;
	if (r < 0) {
		if (asprintf(&note, "network %s could not be inspected (%s): taken for a "
		    "bridge", nname, err.msg) < 0)
			note = NULL;
	} else if (strcmp((drv = jstr(nj, "Driver")), "bridge") != 0) {
		x->intercepted = false;
		if (asprintf(&note, "network %s uses the driver \"%s\", not \"bridge\": "
		    "its traffic leaves without crossing the host's netfilter, dockward's "
		    "table does not see it; while containersProxy is set dockward refuses "
		    "to create or connect to such networks", nname, drv) < 0)
			note = NULL;
	} else {
		r = 0;
		goto out;
	}
	r = note == NULL ? -ENOMEM : dw_strv_push_take(&x->notes, note);
out:
	json_decref(c);
	json_decref(shared);
	json_decref(nj);
	return r;
}

/* ---- the decision ---- */

/* The exclude entry of p that covers t, or NULL. */
static const char *
exclude_entry(const struct egress_policy *p, const struct egress_target *t)
{
	struct egress_policy	one;
	size_t			i;

	for (i = 0; i < p->nexclude; i++) {
		/* A one-entry view of p: which entry matched, by egress_policy's own rules. */
		one = *p;
		one.exclude = &p->exclude[i];
		one.nexclude = 1;
		if (egress_policy_excluded(&one, t->name, &t->ip))
			return p->exclude[i].text;
	}
	return NULL;
}

static void
route_upstream(const struct xeg *x, const struct egress_route *rt, char *buf, size_t len)
{
	char	ip[EGRESS_ADDR_STRLEN];

	switch (rt->kind) {
	case EGRESS_ROUTE_DIRECT:
		egress_addr_format(&x->t.ip, ip, sizeof(ip));
		snprintf(buf, len, x->t.ip.family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip,
		    (unsigned)x->t.port);
		break;
	case EGRESS_ROUTE_PROXY:
	case EGRESS_ROUTE_SOCKS5:
		snprintf(buf, len, strchr(rt->host, ':') ? "[%s]:%u" : "%s:%u", rt->host,
		    (unsigned)rt->port);
		break;
	case EGRESS_ROUTE_REFUSE:
		snprintf(buf, len, "-");
		break;
	}
}

/* The rule and the fix, in words, once the decider ran. */
static void
words(struct xeg *x, const struct egress_policy *p)
{
	const struct egress_route	*rt = &x->a.r[0];
	const char			*ex, *which;
	char				 routes[EGRESS_ANSWER_MAX], ip[EGRESS_ADDR_STRLEN];

	egress_answer_format(&x->a, routes, sizeof(routes));
	egress_addr_format(&x->t.ip, ip, sizeof(ip));
	if (x->pac) {
		if (x->pac_error[0] != '\0') {
			snprintf(x->rule, sizeof(x->rule), "refused: the PAC at %s cannot be "
			    "used (%s), and without it every connection is refused (fail "
			    "closed)", p->pac_url, x->pac_error);
			snprintf(x->fix, sizeof(x->fix), "make %s reachable from this host "
			    "and a valid PAC with a FindProxyForURL function (dockward serve "
			    "fetches it again every %u seconds), or change containersProxy.pac",
			    p->pac_url, p->pac_refresh_s);
		} else if (rt->kind == EGRESS_ROUTE_REFUSE && x->info.error[0] != '\0') {
			/* The decider's "PAC: " comes before the worker's own. */
			snprintf(x->rule, sizeof(x->rule), "refused: the PAC failed for this "
			    "connection (%s): fail closed", strncmp(x->info.error, "PAC: PAC: ",
			    10) == 0 ? x->info.error + 5 : x->info.error);
			snprintf(x->fix, sizeof(x->fix), "fix FindProxyForURL(\"%s\", \"%s\") "
			    "in the PAC at %s: it must return a string such as \"DIRECT\" or "
			    "\"PROXY host:port\" within its time budget", x->pac_url,
			    x->pac_host, p->pac_url);
		} else if (rt->kind == EGRESS_ROUTE_REFUSE) {
			/* A refusal that is no error is the PAC's reject.docker.internal. */
			snprintf(x->rule, sizeof(x->rule), "refused: PROXY "
			    "reject.docker.internal from the PAC at %s", p->pac_url);
			snprintf(x->fix, sizeof(x->fix), "to allow it, make "
			    "FindProxyForURL(\"%s\", \"%s\") in the PAC return \"DIRECT\" or "
			    "\"PROXY host:port\" of a proxy that may reach it", x->pac_url,
			    x->pac_host);
		} else
			snprintf(x->rule, sizeof(x->rule), "%s: %s from the PAC at %s",
			    x->action, x->info.pac_answer[0] ? x->info.pac_answer : routes,
			    p->pac_url);
		return;
	}
	if (rt->kind == EGRESS_ROUTE_DIRECT) {
		ex = exclude_entry(p, &x->t);
		snprintf(x->rule, sizeof(x->rule), "direct: %s is in containersProxy.exclude "
		    "(entry \"%s\")", x->t.name[0] ? x->t.name : ip, ex ? ex : "?");
	} else if (rt->kind == EGRESS_ROUTE_REFUSE) {
		snprintf(x->rule, sizeof(x->rule), "refused: %s is not in "
		    "containersProxy.exclude, and containersProxy.http and https are both "
		    "empty (everything not excluded is refused)", x->t.name[0] ?
		    x->t.name : ip);
		snprintf(x->fix, sizeof(x->fix), "to allow it, add \"%s\"%s%s%s to "
		    "containersProxy.exclude, or set containersProxy.%s to a proxy that "
		    "may reach it", x->t.name[0] ? x->t.name : ip, x->t.name[0] ?
		    " (or its address " : "", x->t.name[0] ? ip : "", x->t.name[0] ?
		    ")" : "", x->t.port == 443 ? "https" : "http");
	} else {
		which = x->t.port == 443 && p->https.set ? "https" :
		    p->http.set ? "http" : "https";
		snprintf(x->rule, sizeof(x->rule), "%s: not in containersProxy.exclude; "
		    "port %u goes through containersProxy.%s (%s)", x->action,
		    (unsigned)x->t.port, which, routes);
	}
}

/* Decide: fetch and start the PAC when there is one, then the decider. */
static int
decide(const struct cli_explain_egress_ops *ops, const struct egress_policy *p,
    struct xeg *x)
{
	struct egress_decider	*d;
	struct dw_err		 err;
	char			*script = NULL;
	void			*pac = NULL;
	size_t			 len;
	int			 r;

	x->pac = p->pac_url != NULL;
	if (x->pac) {
		if ((r = ops->pac_fetch(ops->ctx, p, &script, &len, &err)) < 0) {
			if (r == -ENOMEM)
				return r;
			snprintf(x->pac_error, sizeof(x->pac_error), "fetch: %.480s", err.msg);
		} else if ((r = ops->pac_start(ops->ctx, script, len, &pac, &err)) < 0) {
			if (r == -ENOMEM)
				goto out;
			snprintf(x->pac_error, sizeof(x->pac_error), "%s", err.msg);
		}
	}
	/* Without a usable PAC the decider refuses everything: serve does the same. */
	if ((d = egress_decider_new(p, pac != NULL ? ops->pac_eval : NULL, pac,
	    ops->resolve, ops->ctx)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	egress_decider_decide(d, &x->t, &x->a, &x->info);
	egress_decider_free(d);
	x->decided = true;
	r = 0;
out:
	if (pac != NULL)
		ops->pac_stop(ops->ctx, pac);
	free(script);
	return r;
}

/* ---- output ---- */

static const char *
name_state(const struct xeg *x)
{
	if (x->t.claimed[0] == '\0')
		return "none";
	if (!x->decided)
		return "not needed";
	return x->t.source != EGRESS_NAME_IP ? "counts" : "not proven";
}

static void
print_text(FILE *out, const struct xeg *x, const char *dest)
{
	char	routes[EGRESS_ANSWER_MAX];
	size_t	i;

	fprintf(out, "source: %s\n", x->src);
	if (x->cid[0] != '\0')
		fprintf(out, "container: %s (%.12s, image %s)\n", *x->cname == '/' ?
		    x->cname + 1 : x->cname, x->cid, x->image[0] ? x->image : "?");
	fprintf(out, "destination: %s\n", dest);
	if (x->t.claimed[0] == '\0')
		fprintf(out, "name: none (%s)\n", x->host_is_ip ? "the URL names an "
		    "address" : "only ports 80 (Host header) and 443 (TLS SNI) carry a "
		    "name: decided on the address");
	else
		fprintf(out, "name: %s (%s, %s)\n", x->t.claimed,
		    egress_name_source_name(x->claimed_src), !x->decided ?
		    "not needed" : x->t.source != EGRESS_NAME_IP ? "resolves to the "
		    "destination: counts" : "does not resolve to the destination: decided "
		    "on the address");
	fprintf(out, "intercepted: %s\n", x->intercepted ? "yes" : "no");
	fprintf(out, "subject: %s (transparentPorts %s%s%s)\n", x->subject ? "yes" : "no",
	    x->ports ? "\"" : "", x->ports ? x->ports : "not set", x->ports ? "\"" : "");
	if (x->decided && x->pac) {
		fprintf(out, "pac-call: FindProxyForURL(\"%s\", \"%s\")\n", x->pac_url,
		    x->pac_host);
		fprintf(out, "pac-answer: %s\n", x->info.pac_answer[0] ? x->info.pac_answer :
		    "-");
	}
	if (x->decided) {
		egress_answer_format(&x->a, routes, sizeof(routes));
		fprintf(out, "routes: %s\n", routes);
	}
	fprintf(out, "decision: %s\n", x->action);
	fprintf(out, "upstream: %s\n", x->upstream);
	fprintf(out, "rule: %s\n", x->rule);
	if (x->fix[0] != '\0')
		fprintf(out, "fix: %s\n", x->fix);
	for (i = 0; i < x->notes.n; i++)
		fprintf(out, "note: %s\n", x->notes.v[i]);
}

static void
print_json(FILE *out, const struct xeg *x)
{
	json_t	*j, *notes;
	char	 routes[EGRESS_ANSWER_MAX], ip[EGRESS_ADDR_STRLEN], ap[XEG_UP_MAX], *s;
	size_t	 i;

	if ((notes = json_array()) == NULL)
		return;
	for (i = 0; i < x->notes.n; i++)
		json_array_append_new(notes, json_string(x->notes.v[i]));
	egress_addr_format(&x->t.ip, ip, sizeof(ip));
	route_upstream(x, &(struct egress_route){ .kind = EGRESS_ROUTE_DIRECT }, ap,
	    sizeof(ap));
	j = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:b, s:b}", "source", x->src,
	    "destination", ap, "host", x->host, "address", ip, "port",
	    (json_int_t)x->t.port, "scheme", x->scheme, "intercepted", x->intercepted,
	    "subject", x->subject);
	if (j == NULL) {
		json_decref(notes);
		return;
	}
	if (x->cid[0] != '\0')
		json_object_set_new(j, "container", json_pack("{s:s, s:s, s:s}", "id",
		    x->cid, "name", *x->cname == '/' ? x->cname + 1 : x->cname, "image",
		    x->image));
	json_object_set_new(j, "transparentPorts", x->ports ? json_string(x->ports) :
	    json_null());
	json_object_set_new(j, "claimed", x->t.claimed[0] ? json_string(x->t.claimed) :
	    json_null());
	json_object_set_new(j, "name", x->t.name[0] ? json_string(x->t.name) :
	    json_null());
	json_object_set_new(j, "nameSource", json_string(
	    egress_name_source_name(x->claimed_src)));
	json_object_set_new(j, "nameProof", json_string(name_state(x)));
	if (x->decided && x->pac) {
		json_object_set_new(j, "pacUrl", json_string(x->pac_url));
		json_object_set_new(j, "pacHost", json_string(x->pac_host));
		json_object_set_new(j, "pacAnswer", x->info.pac_answer[0] ?
		    json_string(x->info.pac_answer) : json_null());
	}
	if (x->decided) {
		egress_answer_format(&x->a, routes, sizeof(routes));
		json_object_set_new(j, "routes", json_string(routes));
	}
	json_object_set_new(j, "decision", json_string(x->action));
	json_object_set_new(j, "upstream", json_string(x->upstream));
	json_object_set_new(j, "rule", json_string(x->rule));
	json_object_set_new(j, "fix", json_string(x->fix));
	json_object_set_new(j, "notes", notes);
	if ((s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER)) != NULL) {
		fprintf(out, "%s\n", s);
		free(s);
	}
	json_decref(j);
}

/* ---- the run ---- */

/*
 * The destination: --to-ip, the URL's address, or the first address its
 * host resolves to.  0, CLI_EXPLAIN_EGRESS_USAGE (said on errf), -ENOMEM.
 */
static int
destination(const struct cli_explain_egress_opts *o, const struct cli_explain_egress_ops *ops,
    struct xeg *x, FILE *errf)
{
	struct egress_addr	 addrs[CLI_EXPLAIN_EGRESS_ADDRS_MAX];
	char			 ip[EGRESS_ADDR_STRLEN], *note;
	int			 n;

	if (o->to_ip != NULL) {
		if (egress_addr_parse(o->to_ip, &x->t.ip) < 0) {
			fprintf(errf, "dockward explain: --to-ip %s: not an IPv4 or IPv6 "
			    "address\n", o->to_ip);
			return CLI_EXPLAIN_EGRESS_USAGE;
		}
		return 0;
	}
	if (x->host_is_ip) {
		egress_addr_parse(x->host, &x->t.ip);
		return 0;
	}
	if ((n = ops->resolve(ops->ctx, x->host, addrs, CLI_EXPLAIN_EGRESS_ADDRS_MAX)) <= 0) {
		if (n == -ENOMEM)
			return n;
		fprintf(errf, "dockward explain: --egress: %s does not resolve here (%s); "
		    "a container could not connect to it by name either; give the address "
		    "with --to-ip\n", x->host, n == 0 ? "no address" : strerror(-n));
		return CLI_EXPLAIN_EGRESS_USAGE;
	}
	x->t.ip = addrs[0];
	if (n > 1) {
		egress_addr_format(&addrs[0], ip, sizeof(ip));
		if (asprintf(&note, "%s has %d addresses; explained for the first, %s "
		    "(--to-ip for another)", x->host, n, ip) < 0 ||
		    dw_strv_push_take(&x->notes, note) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Where the proxy takes a name from for this URL, or EGRESS_NAME_IP. */
static enum egress_name_source
name_source(const struct xeg *x)
{
	bool	tcp = strcmp(x->scheme, "tcp") == 0;

	if (x->host_is_ip)
		return EGRESS_NAME_IP;
	if (x->t.port == 443 && (tcp || strcmp(x->scheme, "https") == 0))
		return EGRESS_NAME_SNI;
	if (x->t.port == 80 && (tcp || strcmp(x->scheme, "http") == 0))
		return EGRESS_NAME_HOST;
	return EGRESS_NAME_IP;
}

/* Decide as the table and the proxy would; fills action, upstream, rule, fix. */
static int
explain(const struct cli_explain_egress_ops *ops, const struct egress_policy *p,
    struct xeg *x)
{
	char	ip[EGRESS_ADDR_STRLEN], name[EGRESS_HOST_MAX];
	int	r;

	egress_addr_format(&x->t.ip, ip, sizeof(ip));
	x->subject = x->intercepted && egress_ports_match(&p->ports, x->t.port);
	x->action = egress_route_kind_name(EGRESS_ROUTE_DIRECT);
	route_upstream(x, &(struct egress_route){ .kind = EGRESS_ROUTE_DIRECT },
	    x->upstream, sizeof(x->upstream));
	if (!x->intercepted) {
		snprintf(x->rule, sizeof(x->rule), "not intercepted: the container's "
		    "traffic does not pass through dockward's table (see the note)");
		snprintf(x->fix, sizeof(x->fix), "recreate the container on a bridge "
		    "network (the default)");
		return 0;
	}
	if (x->t.port == 53 && egress_policy_dns_allowed(p, &x->t.ip)) {
		x->subject = false;
		snprintf(x->rule, sizeof(x->rule), "direct: TCP 53 to %s, an allowed "
		    "resolver (dockward.egress.dnsServers), is not redirected", ip);
		return 0;
	}
	if (!x->subject) {
		snprintf(x->rule, sizeof(x->rule), "direct: port %u is not in "
		    "containersProxy.transparentPorts, so the policy does not apply "
		    "(as in Docker Desktop)", (unsigned)x->t.port);
		snprintf(x->fix, sizeof(x->fix), "to police it, add %u to "
		    "containersProxy.transparentPorts (or make it \"*\")",
		    (unsigned)x->t.port);
		return 0;
	}
	if ((r = decide(ops, p, x)) < 0)
		return r;
	/* FindProxyForURL's arguments, as the worker builds them. */
	snprintf(name, sizeof(name), "%s", x->t.name[0] ? x->t.name : ip);
	snprintf(x->pac_host, sizeof(x->pac_host), "%s", name);
	snprintf(x->pac_url, sizeof(x->pac_url), x->t.name[0] == '\0' &&
	    x->t.ip.family == AF_INET6 ? "%s://[%s]:%u" : "%s://%s:%u",
	    x->t.port == 443 ? "https" : "http", name, (unsigned)x->t.port);
	x->action = egress_route_kind_name(x->a.r[0].kind);
	route_upstream(x, &x->a.r[0], x->upstream, sizeof(x->upstream));
	words(x, p);
	if (x->info.name_rejected) {
		char	*note;

		if (asprintf(&note, "the name %s does not resolve to %s here, so the proxy "
		    "decides on the address: a container cannot borrow an allowed name "
		    "for another address", x->t.claimed, ip) < 0 ||
		    dw_strv_push_take(&x->notes, note) < 0)
			return -ENOMEM;
	}
	if (x->a.n > 1 && dw_strv_push(&x->notes, "the proxy tries the routes in order "
	    "and uses the first that connects") < 0)
		return -ENOMEM;
	return 0;
}

int
cli_explain_egress_run(const struct cli_explain_egress_opts *o, const struct authz_settings *s,
    const struct cli_explain_egress_ops *ops, FILE *out, FILE *errf)
{
	struct egress_policy	*p = NULL;
	struct egress_addr	 src;
	struct dw_err		 err;
	struct xeg		*x;
	char			 ip[EGRESS_ADDR_STRLEN], dest[XEG_UP_MAX];
	int			 r, rc = CLI_EXPLAIN_EGRESS_USAGE;

	if (ops == NULL)
		ops = &cli_explain_egress_ops_default;
	if ((x = calloc(1, sizeof(*x))) == NULL) {
		fprintf(errf, "dockward explain: out of memory\n");
		return CLI_EXPLAIN_EGRESS_USAGE;
	}
	x->intercepted = true;
	if (url_parse(o->url, x, &err) < 0) {
		fprintf(errf, "dockward explain: --egress %s: %s\n", o->url, err.msg);
		goto out;
	}
	if ((r = cli_egress_policy(s, NULL, NULL, &p, &x->notes, &err)) < 0 &&
	    r != -ENOENT) {
		fprintf(errf, "dockward explain: %s: %s\n", s->origin, err.msg);
		rc = r == -ENOMEM ? CLI_EXPLAIN_EGRESS_USAGE : CLI_EXPLAIN_EGRESS_POLICY;
		goto out;
	}
	x->ports = json_string_value(json_object_get(s->containers_proxy,
	    "transparentPorts"));
	if ((r = destination(o, ops, x, errf)) != 0)
		goto fail;
	x->t.source = x->claimed_src = name_source(x);
	if (x->t.source != EGRESS_NAME_IP)
		snprintf(x->t.claimed, sizeof(x->t.claimed), "%s", x->host);
	if (o->from_ip != NULL) {
		if (egress_addr_parse(o->from_ip, &src) < 0) {
			fprintf(errf, "dockward explain: --from-ip %s: not an IPv4 or IPv6 "
			    "address\n", o->from_ip);
			goto out;
		}
		egress_addr_format(&src, x->src, sizeof(x->src));
	} else if ((r = source_container(o, ops, x, errf)) != 0)
		goto fail;
	egress_addr_format(&x->t.ip, ip, sizeof(ip));
	snprintf(dest, sizeof(dest), x->t.ip.family == AF_INET6 ? "[%s]:%u%s%s%s" :
	    "%s:%u%s%s%s", ip, (unsigned)x->t.port, x->host_is_ip ? "" : " (",
	    x->host_is_ip ? "" : x->host, x->host_is_ip ? "" : ")");
	if (p == NULL) {
		x->action = egress_route_kind_name(EGRESS_ROUTE_DIRECT);
		snprintf(x->upstream, sizeof(x->upstream), "%s", dest);
		*strchrnul(x->upstream, ' ') = '\0';
		snprintf(x->rule, sizeof(x->rule), "not policed: the policy has no "
		    "containersProxy, so dockward does not intercept container egress");
		x->intercepted = false;
	} else if ((r = explain(ops, p, x)) < 0)
		goto fail;
	if (o->json)
		print_json(out, x);
	else
		print_text(out, x, dest);
	rc = strcmp(x->action, egress_route_kind_name(EGRESS_ROUTE_REFUSE)) == 0 ?
	    CLI_EXPLAIN_EGRESS_REFUSED : CLI_EXPLAIN_EGRESS_MADE;
	goto out;
fail:
	if (r == -ENOMEM)
		fprintf(errf, "dockward explain: out of memory\n");
	rc = CLI_EXPLAIN_EGRESS_USAGE;
out:
	egress_policy_free(p);
	dw_strv_clear(&x->notes);
	free(x);
	return rc;
}
