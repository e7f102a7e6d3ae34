/*
 * egress_policy: Docker's `containersProxy` block and dockward's
 * `dockward.egress` extension, parsed and validated (dockward-settings(5)),
 * and the static decision (exclude, http, https) used when there is no PAC.
 * Pure: no I/O except egress_policy_default_dns (reads resolv.conf) and
 * egress_policy_system (reads the environment).
 */
#ifndef EGRESS_POLICY_H
#define EGRESS_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/dw_err.h"
#include "common/dw_strv.h"
#include "egress/egress_addr.h"
#include "egress/egress_answer.h"

#define EGRESS_PORT_DEFAULT	15001	/* the proxy's redirect port */
#define EGRESS_PORT_RANGES_MAX	64	/* ranges in transparentPorts */
#define EGRESS_EXCLUDES_MAX	1024	/* exclude entries */
#define EGRESS_DNS_MAX		16	/* allowed resolvers */
#define EGRESS_URL_MAX		2048	/* the pac URL, a proxy URL */
#define EGRESS_PAC_REFRESH_DEFAULT 300	/* pacRefreshSeconds */
#define EGRESS_PAC_REFRESH_MIN	10
#define EGRESS_PAC_REFRESH_MAX	86400
#define EGRESS_PAC_GRACE_MAX	604800	/* pacGraceSeconds: a week */

enum egress_mode {
	EGRESS_MODE_MANUAL = 0,	/* http/https/exclude/pac as written */
	EGRESS_MODE_SYSTEM,	/* the unit's proxy environment (egress_policy_system) */
};

enum egress_udp {
	EGRESS_UDP_DNS_ONLY = 0,	/* UDP and TCP 53 to the allowed resolvers only; other UDP and ICMP dropped */
	EGRESS_UDP_ALLOW,		/* UDP and ICMP pass (only TCP is policed) */
	EGRESS_UDP_BLOCK,		/* no UDP at all, no ICMP */
};

/* transparentPorts: "*" or "80,443,8000-8100". */
struct egress_ports {
	bool		all;
	size_t		n;
	struct {
		uint16_t lo, hi;
	}		r[EGRESS_PORT_RANGES_MAX];
};

/*
 * exclude entries (containersProxy.exclude, or no_proxy in mode "system"):
 * - "internal.company.com": that name only (lower-case, a trailing dot
 *   dropped).  In no_proxy a bare name also covers its subdomains, as Go
 *   and curl read it: it becomes a HOST and a SUFFIX entry.
 * - "*.company.local" and ".company.local": the subdomains of
 *   company.local, not company.local itself (write it too for that).
 * - "10.0.0.0/8", "10.1.2.3", "fd00::/8", "[::1]": the original
 *   destination address, whatever name the connection claims.
 * - "localhost": a name like any other (a container's own loopback never
 *   reaches the proxy, so it changes nothing; accepted for Docker's
 *   examples).  "<local>": host names without a dot (Windows' bypass list).
 * - Refused: "*" (it would exclude everything: remove containersProxy
 *   instead), other wildcards, ports ("host:8080"), names that are not
 *   DNS names.
 */
enum egress_exclude_kind {
	EGRESS_EXCLUDE_HOST = 0,	/* exact name, lower-case */
	EGRESS_EXCLUDE_SUFFIX,		/* "*.company.local" or ".company.local": the name's subdomains (text = ".company.local") */
	EGRESS_EXCLUDE_CIDR,		/* an address or CIDR */
	EGRESS_EXCLUDE_PLAIN,		/* "<local>": a name without a dot */
};

struct egress_exclude {
	enum egress_exclude_kind kind;
	char			*text;		/* new; as normalised (lower-case) */
	struct egress_cidr	 cidr;		/* EGRESS_EXCLUDE_CIDR */
};

/* A proxy from the http/https settings. */
struct egress_upstream {
	bool			set;
	enum egress_route_kind	kind;		/* EGRESS_ROUTE_PROXY ("http://") or EGRESS_ROUTE_SOCKS5 ("socks5://") */
	char			host[EGRESS_HOST_MAX];
	uint16_t		port;
};

struct egress_policy {
	bool			 locked;
	enum egress_mode	 mode;
	struct egress_upstream	 http;		/* for every port but 443 */
	struct egress_upstream	 https;		/* for 443 */
	struct egress_exclude	*exclude;	/* new array */
	size_t			 nexclude;
	char			*pac_url;	/* new, or NULL without "pac" */
	struct egress_ports	 ports;

	/* dockward.egress */
	enum egress_udp		 udp;
	struct egress_addr	 dns[EGRESS_DNS_MAX];	/* allowed resolvers */
	size_t			 ndns;
	bool			 dns_explicit;	/* dnsServers was written (else defaults) */
	unsigned		 pac_grace_s;	/* last good PAC kept this long when a refresh fails (0) */
	unsigned		 pac_refresh_s;	/* PAC refresh period (300) */
	uint16_t		 port;		/* EGRESS_PORT_DEFAULT */
	char			*ca_file;	/* new or NULL: extra CA bundle for an https PAC URL */
};

/*
 * Parse containers_proxy (the `containersProxy` object; borrowed, must not
 * be NULL) and egress (the `dockward.egress` object; borrowed, NULL when
 * absent).  Returns a new policy in *out (free with egress_policy_free) or
 * -EINVAL with err naming the JSON path and the fix, e.g.
 * "containersProxy.transparentPorts: \"80-\": a range needs two ports".
 * Unknown keys are errors in dockward.egress and ignored in
 * containersProxy (Docker's schema grows).  Over a limit is -E2BIG.
 * transparentPorts absent means "*".  With "pac", http/https/exclude are
 * not used (the PAC decides).  Mode "system" takes http/https/exclude from
 * egress_policy_system (what the file says there is checked, then
 * replaced) and refuses "pac".  Proxy URLs: "http://h:p", "h:p" (port 80
 * when none), "socks5://h:p" (1080); "https://" (TLS to the proxy) is
 * refused.
 */
int	egress_policy_parse(const json_t *containers_proxy, const json_t *egress,
	    struct egress_policy **out, struct dw_err *err);
void	egress_policy_free(struct egress_policy *p);

/*
 * Mode "system": fill http/https/exclude from env-style values (the unit's
 * http_proxy/HTTP_PROXY, https_proxy/HTTPS_PROXY, no_proxy/NO_PROXY; getenv
 * when get is NULL).  0 or -EINVAL with err.
 */
int	egress_policy_system(struct egress_policy *p,
	    const char *(*get)(const char *name), struct dw_err *err);

/*
 * When dnsServers was not written: the nameservers of resolv_conf (a path;
 * loopback ones skipped) plus daemon_dns (dockerd's --dns / daemon.json
 * "dns", may be NULL).  0 or -errno with err.
 */
int	egress_policy_default_dns(struct egress_policy *p, const char *resolv_conf,
	    const struct dw_strv *daemon_dns, struct dw_err *err);

/* True when port is subject to the policy.  Inline: see egress_answer.h. */
static inline bool
egress_ports_match(const struct egress_ports *ports, uint16_t port)
{
	size_t	i;

	if (ports->all)
		return true;
	for (i = 0; i < ports->n && i < EGRESS_PORT_RANGES_MAX; i++)
		if (port >= ports->r[i].lo && port <= ports->r[i].hi)
			return true;
	return false;
}
/* True when an exclude entry covers name (may be "" or NULL) or ip. */
bool	egress_policy_excluded(const struct egress_policy *p, const char *name,
	    const struct egress_addr *ip);
/* True when ip is an allowed resolver. */
bool	egress_policy_dns_allowed(const struct egress_policy *p, const struct egress_addr *ip);

/*
 * The decision without a PAC: excluded -> DIRECT; else the proxy for the
 * port (443: https, else http; the other one when that is empty); none ->
 * REFUSE.
 */
void	egress_policy_decide_static(const struct egress_policy *p,
	    const struct egress_target *t, struct egress_answer *out);

/* The effective policy in a few lines for `dockward check`. Returns a new string or NULL (ENOMEM). */
char	*egress_policy_describe(const struct egress_policy *p);

#endif
