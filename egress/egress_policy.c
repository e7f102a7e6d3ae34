/*
 * egress_policy: `containersProxy` and `dockward.egress` read into one
 * struct, every value checked where it is read so that an error names its
 * JSON path and what to write instead.  The static decision and the
 * description for `dockward check` read only that struct.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "egress/egress_policy.h"

#define CP	"containersProxy"
#define EG	"dockward.egress"

static const char *const egress_keys[] = {
	"udp", "dnsServers", "pacGraceSeconds", "pacRefreshSeconds", "port", "caFile", NULL,
};

void
egress_policy_free(struct egress_policy *p)
{
	size_t	i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nexclude; i++)
		free(p->exclude[i].text);
	free(p->exclude);
	free(p->pac_url);
	free(p->ca_file);
	free(p);
}

/* A decimal port 1..65535 of exactly the characters [s, e). 0 or -EINVAL. */
static int
policy_port(const char *s, const char *e, uint16_t *ret)
{
	unsigned long	v = 0;
	const char	*p;

	if (e == s || e - s > 5)
		return -EINVAL;
	for (p = s; p < e; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v == 0 || v > 65535)
		return -EINVAL;
	*ret = (uint16_t)v;
	return 0;
}

static bool
policy_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* transparentPorts: "*" or "80,443,8000-8100". */
static int
policy_ports(const char *s, struct egress_ports *ret, struct dw_err *err)
{
	struct egress_ports	 ports;
	const char		*item, *end, *e, *dash;
	uint16_t		 lo, hi;

	memset(&ports, 0, sizeof(ports));
	while (policy_blank(*s))
		s++;
	if (strcmp(s, "*") == 0 || (s[0] == '*' && strspn(s + 1, " \t") == strlen(s + 1))) {
		ports.all = true;
		*ret = ports;
		return 0;
	}
	if (*s == '\0') {
		dw_err_set(err, "empty: write \"*\" for every port or a list such as \"80,443\"");
		return -EINVAL;
	}
	for (item = s; ; item = end + 1) {
		end = strchr(item, ',');
		if (end == NULL)
			end = item + strlen(item);
		while (item < end && policy_blank(*item))
			item++;
		e = end;
		while (e > item && policy_blank(e[-1]))
			e--;
		if (e == item) {
			dw_err_set(err, "\"%.64s\": an empty item (two commas, or one at an end)", s);
			return -EINVAL;
		}
		if (memchr(item, '*', (size_t)(e - item)) != NULL) {
			dw_err_set(err, "\"%.64s\": \"*\" stands alone (every port), not in a list", s);
			return -EINVAL;
		}
		dash = memchr(item, '-', (size_t)(e - item));
		if (dash != NULL) {
			if (dash == item || dash + 1 == e) {
				dw_err_set(err, "\"%.*s\": a range needs two ports", (int)(e - item),
				    item);
				return -EINVAL;
			}
			if (policy_port(item, dash, &lo) != 0 || policy_port(dash + 1, e, &hi) != 0) {
				dw_err_set(err, "\"%.*s\": ports are numbers from 1 to 65535",
				    (int)(e - item), item);
				return -EINVAL;
			}
			if (lo > hi) {
				dw_err_set(err, "\"%.*s\": a range goes from low to high",
				    (int)(e - item), item);
				return -EINVAL;
			}
		} else {
			if (policy_port(item, e, &lo) != 0) {
				dw_err_set(err, "\"%.*s\": ports are numbers from 1 to 65535",
				    (int)(e - item), item);
				return -EINVAL;
			}
			hi = lo;
		}
		if (ports.n == EGRESS_PORT_RANGES_MAX) {
			dw_err_set(err, "more than %d ports and ranges: join neighbours into ranges",
			    EGRESS_PORT_RANGES_MAX);
			return -E2BIG;
		}
		ports.r[ports.n].lo = lo;
		ports.r[ports.n].hi = hi;
		ports.n++;
		if (*end == '\0')
			break;
	}
	*ret = ports;
	return 0;
}

/* A proxy URL: "http://h:p", "h:p", "socks5://h:p" (socks5h too); "" is none. */
static int
policy_upstream(const char *s, struct egress_upstream *ret, struct dw_err *err)
{
	struct egress_upstream	 up;
	char			 buf[EGRESS_URL_MAX];
	const char		*rest;
	size_t			 len;
	uint16_t		 defport;

	memset(&up, 0, sizeof(up));
	if (*s == '\0') {
		*ret = up;	/* "": no proxy */
		return 0;
	}
	if (strlen(s) >= sizeof(buf)) {
		dw_err_set(err, "longer than %d characters", EGRESS_URL_MAX - 1);
		return -E2BIG;
	}
	if (strncasecmp(s, "https://", 8) == 0) {
		dw_err_set(err, "\"%.128s\": TLS to the proxy is not supported: write "
		    "\"http://%.128s\" (the proxy still tunnels TLS with CONNECT)", s, s + 8);
		return -EINVAL;
	}
	if (strncasecmp(s, "http://", 7) == 0) {
		rest = s + 7;
		up.kind = EGRESS_ROUTE_PROXY;
		defport = 80;
	} else if (strncasecmp(s, "socks5://", 9) == 0) {
		rest = s + 9;
		up.kind = EGRESS_ROUTE_SOCKS5;
		defport = 1080;
	} else if (strncasecmp(s, "socks5h://", 10) == 0) {
		rest = s + 10;
		up.kind = EGRESS_ROUTE_SOCKS5;
		defport = 1080;
	} else if (strstr(s, "://") != NULL) {
		dw_err_set(err, "\"%.128s\": the scheme must be http:// or socks5://", s);
		return -EINVAL;
	} else {
		rest = s;
		up.kind = EGRESS_ROUTE_PROXY;
		defport = 80;
	}
	len = strlen(rest);
	memcpy(buf, rest, len + 1);
	if (len > 0 && buf[len - 1] == '/')
		buf[--len] = '\0';	/* "http://proxy:3128/" */
	if (strchr(buf, '@') != NULL) {
		dw_err_set(err, "\"%.128s\": credentials in a proxy URL are not supported: "
		    "allow the proxy's clients by address", s);
		return -EINVAL;
	}
	if (egress_answer_hostport(buf, defport, up.host, sizeof(up.host), &up.port) != 0) {
		dw_err_set(err, "\"%.128s\": not a proxy address: write \"http://host:port\" "
		    "or \"socks5://host:port\"", s);
		return -EINVAL;
	}
	up.set = true;
	*ret = up;
	return 0;
}

/* A growing exclude array (the policy's). */
static int
policy_exclude_add(struct egress_policy *p, enum egress_exclude_kind kind, const char *text,
    const struct egress_cidr *cidr, struct dw_err *err)
{
	struct egress_exclude	*n;
	char			*t;

	if (p->nexclude >= EGRESS_EXCLUDES_MAX) {
		dw_err_set(err, "more than %d entries: use CIDRs and *.suffix entries",
		    EGRESS_EXCLUDES_MAX);
		return -E2BIG;
	}
	if ((t = strdup(text)) == NULL)
		return -ENOMEM;
	n = realloc(p->exclude, (p->nexclude + 1) * sizeof(*n));
	if (n == NULL) {
		free(t);
		return -ENOMEM;
	}
	p->exclude = n;
	memset(&n[p->nexclude], 0, sizeof(n[0]));
	n[p->nexclude].kind = kind;
	n[p->nexclude].text = t;
	if (cidr != NULL)
		n[p->nexclude].cidr = *cidr;
	p->nexclude++;
	return 0;
}

/*
 * One exclude entry (see egress_policy.h).  env: no_proxy's reading, where
 * a bare name covers its subdomains too.
 */
static int
policy_exclude_one(struct egress_policy *p, const char *in, bool env, struct dw_err *err)
{
	struct egress_cidr	 cidr;
	char			 buf[EGRESS_HOST_MAX + 2];
	const char		*s = in;
	size_t			 len, i;
	bool			 suffix = false;
	int			 r;

	while (policy_blank(*s))
		s++;
	len = strlen(s);
	while (len > 0 && policy_blank(s[len - 1]))
		len--;
	if (len == 0) {
		dw_err_set(err, "an empty entry");
		return -EINVAL;
	}
	if (len >= sizeof(buf)) {
		dw_err_set(err, "\"%.64s...\": longer than a host name", s);
		return -EINVAL;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	for (i = 0; i < len; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	if (strcmp(buf, "*") == 0) {
		dw_err_set(err, "\"*\" would exclude every destination: remove containersProxy "
		    "to turn the policy off, or list the hosts");
		return -EINVAL;
	}
	if (strcmp(buf, "<local>") == 0)
		return policy_exclude_add(p, EGRESS_EXCLUDE_PLAIN, buf, NULL, err);
	/* An address or CIDR ("[::1]" as no_proxy may write it). */
	if (buf[0] == '[' && buf[len - 1] == ']') {
		memmove(buf, buf + 1, len - 2);
		buf[len - 2] = '\0';
		if (egress_cidr_parse(buf, &cidr, err) != 0)
			return -EINVAL;
		return policy_exclude_add(p, EGRESS_EXCLUDE_CIDR, buf, &cidr, err);
	}
	if (strchr(buf, ':') != NULL || strchr(buf, '/') != NULL ||
	    strspn(buf, "0123456789.") == len) {
		if (egress_cidr_parse(buf, &cidr, NULL) == 0)
			return policy_exclude_add(p, EGRESS_EXCLUDE_CIDR, buf, &cidr, err);
		if (strchr(buf, ':') != NULL && strchr(buf, '/') == NULL &&
		    strchr(strchr(buf, ':') + 1, ':') == NULL) {
			dw_err_set(err, "\"%s\": ports are not supported here: write the host alone",
			    buf);
			return -EINVAL;
		}
		(void)egress_cidr_parse(buf, &cidr, err);
		return -EINVAL;
	}
	if (buf[0] == '*' && buf[1] == '.') {
		memmove(buf, buf + 1, len);	/* "*.x" -> ".x" */
		len--;
		suffix = true;
	} else if (buf[0] == '.')
		suffix = true;
	if (len > 1 && buf[len - 1] == '.')
		buf[--len] = '\0';	/* "example.com.": the FQDN form */
	if (!egress_answer_name_ok(suffix ? buf + 1 : buf)) {
		dw_err_set(err, "\"%s\": not a host name, \"*.suffix\", IP address or CIDR "
		    "(wildcards only as a leading \"*.\")", buf);
		return -EINVAL;
	}
	if (suffix)
		return policy_exclude_add(p, EGRESS_EXCLUDE_SUFFIX, buf, NULL, err);
	if ((r = policy_exclude_add(p, EGRESS_EXCLUDE_HOST, buf, NULL, err)) != 0)
		return r;
	if (!env)
		return 0;
	memmove(buf + 1, buf, len + 1);
	buf[0] = '.';
	return policy_exclude_add(p, EGRESS_EXCLUDE_SUFFIX, buf, NULL, err);
}

/*
 * A comma-separated list of exclude entries, as containersProxy.exclude
 * may be written and as no_proxy is; blank entries are skipped.  what
 * prefixes err (the setting's name).
 */
static int
policy_exclude_list(struct egress_policy *p, const char *in, bool env,
    const char *what, struct dw_err *err)
{
	char	*list, *cur, *next;
	int	 r = 0;

	if ((list = strdup(in)) == NULL) {
		dw_err_set(err, "out of memory");
		return -ENOMEM;
	}
	for (cur = list; cur != NULL; cur = next) {
		if ((next = strchr(cur, ',')) != NULL)
			*next++ = '\0';
		if (strspn(cur, " \t") == strlen(cur))
			continue;
		if ((r = policy_exclude_one(p, cur, env, err)) != 0) {
			dw_err_prefix(err, "%s", what);
			break;
		}
	}
	free(list);
	return r;
}

/* Drop every exclude entry (mode "system" replaces them). */
static void
policy_exclude_clear(struct egress_policy *p)
{
	size_t	i;

	for (i = 0; i < p->nexclude; i++)
		free(p->exclude[i].text);
	free(p->exclude);
	p->exclude = NULL;
	p->nexclude = 0;
}

/* An optional string member: borrowed into *ret, NULL when absent or null. */
static int
policy_string(const json_t *o, const char *key, const char *path, const char **ret,
    struct dw_err *err)
{
	const json_t	*v = json_object_get(o, key);

	if (v == NULL || json_is_null(v)) {
		*ret = NULL;
		return 0;
	}
	if (!json_is_string(v)) {
		dw_err_set(err, "%s.%s: must be a string", path, key);
		return -EINVAL;
	}
	*ret = json_string_value(v);
	return 0;
}

/* A URL for the PAC: http or https, a host, no blanks or control bytes. */
static int
policy_pac_url(const char *s, struct dw_err *err)
{
	const char	*h, *p;

	if (strlen(s) >= EGRESS_URL_MAX) {
		dw_err_set(err, "longer than %d characters", EGRESS_URL_MAX - 1);
		return -E2BIG;
	}
	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			dw_err_set(err, "\"%.128s\": blanks and control characters must be "
			    "percent-encoded", s);
			return -EINVAL;
		}
	}
	if (strncasecmp(s, "http://", 7) == 0)
		h = s + 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		h = s + 8;
	else {
		dw_err_set(err, "\"%.128s\": only http:// and https:// PAC URLs are fetched: "
		    "serve the file over HTTP(S)", s);
		return -EINVAL;
	}
	if (*h == '\0' || *h == '/' || *h == ':' || *h == '?' || *h == '#') {
		dw_err_set(err, "\"%.128s\": the URL has no host", s);
		return -EINVAL;
	}
	return 0;
}

/* An integer member in [lo, hi]; absent leaves *ret alone. */
static int
policy_uint(const json_t *o, const char *key, long long lo, long long hi, unsigned *ret,
    struct dw_err *err)
{
	const json_t	*v = json_object_get(o, key);
	long long	 n;

	if (v == NULL)
		return 0;
	if (!json_is_integer(v)) {
		dw_err_set(err, EG ".%s: must be a whole number", key);
		return -EINVAL;
	}
	n = json_integer_value(v);
	if (n < lo || n > hi) {
		dw_err_set(err, EG ".%s: %lld is outside %lld..%lld", key, n, lo, hi);
		return -EINVAL;
	}
	*ret = (unsigned)n;
	return 0;
}

static int
policy_parse_egress(struct egress_policy *p, const json_t *eg, struct dw_err *err)
{
	const char	*key, *s;
	const json_t	*v, *item;
	size_t		 i, k;
	unsigned	 port = p->port;
	int		 r;

	if (!json_is_object(eg)) {
		dw_err_set(err, EG ": must be an object");
		return -EINVAL;
	}
	json_object_foreach((json_t *)eg, key, v) {
		for (k = 0; egress_keys[k] != NULL; k++)
			if (strcmp(key, egress_keys[k]) == 0)
				break;
		if (egress_keys[k] == NULL) {
			dw_err_set(err, EG ".%.64s: unknown key (known: udp, dnsServers, "
			    "pacGraceSeconds, pacRefreshSeconds, port, caFile)", key);
			return -EINVAL;
		}
	}
	if ((v = json_object_get(eg, "udp")) != NULL) {
		s = json_is_string(v) ? json_string_value(v) : "";
		if (strcmp(s, "dns-only") == 0)
			p->udp = EGRESS_UDP_DNS_ONLY;
		else if (strcmp(s, "allow") == 0)
			p->udp = EGRESS_UDP_ALLOW;
		else if (strcmp(s, "block") == 0)
			p->udp = EGRESS_UDP_BLOCK;
		else {
			dw_err_set(err, EG ".udp: must be \"dns-only\", \"allow\" or \"block\"");
			return -EINVAL;
		}
	}
	if ((v = json_object_get(eg, "dnsServers")) != NULL) {
		if (!json_is_array(v)) {
			dw_err_set(err, EG ".dnsServers: must be a list of IP addresses");
			return -EINVAL;
		}
		if (json_array_size(v) > EGRESS_DNS_MAX) {
			dw_err_set(err, EG ".dnsServers: more than %d servers", EGRESS_DNS_MAX);
			return -E2BIG;
		}
		json_array_foreach(v, i, item) {
			if (!json_is_string(item) ||
			    egress_addr_parse(json_string_value(item), &p->dns[i]) != 0) {
				dw_err_set(err, EG ".dnsServers[%zu]: must be an IP address such "
				    "as \"10.0.0.2\" (no port, no name)", i);
				return -EINVAL;
			}
		}
		p->ndns = json_array_size(v);
		p->dns_explicit = true;
	}
	if ((r = policy_uint(eg, "pacGraceSeconds", 0, EGRESS_PAC_GRACE_MAX, &p->pac_grace_s,
	    err)) != 0)
		return r;
	if ((r = policy_uint(eg, "pacRefreshSeconds", EGRESS_PAC_REFRESH_MIN,
	    EGRESS_PAC_REFRESH_MAX, &p->pac_refresh_s, err)) != 0)
		return r;
	if ((r = policy_uint(eg, "port", 1, 65535, &port, err)) != 0)
		return r;
	p->port = (uint16_t)port;
	if ((r = policy_string(eg, "caFile", EG, &s, err)) != 0)
		return r;
	if (s != NULL) {
		if (s[0] != '/') {
			dw_err_set(err, EG ".caFile: \"%.128s\": must be an absolute path to a "
			    "PEM bundle", s);
			return -EINVAL;
		}
		if ((p->ca_file = strdup(s)) == NULL)
			return -ENOMEM;
	}
	return 0;
}

int
egress_policy_parse(const json_t *cp, const json_t *eg, struct egress_policy **out,
    struct dw_err *err)
{
	struct egress_policy	*p = NULL;
	const json_t		*v, *item;
	const char		*s;
	size_t			 i;
	int			 r;

	if (!json_is_object(cp)) {
		dw_err_set(err, CP ": must be an object");
		r = -EINVAL;
		goto out;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	p->mode = EGRESS_MODE_MANUAL;
	p->ports.all = true;
	p->udp = EGRESS_UDP_DNS_ONLY;
	p->pac_refresh_s = EGRESS_PAC_REFRESH_DEFAULT;
	p->port = EGRESS_PORT_DEFAULT;

	if ((v = json_object_get(cp, "locked")) != NULL) {
		if (!json_is_boolean(v)) {
			dw_err_set(err, CP ".locked: must be true or false");
			r = -EINVAL;
			goto out;
		}
		p->locked = json_is_true(v);
	}
	if ((r = policy_string(cp, "mode", CP, &s, err)) != 0)
		goto out;
	if (s != NULL && strcmp(s, "system") == 0)
		p->mode = EGRESS_MODE_SYSTEM;
	else if (s != NULL && strcmp(s, "manual") != 0) {
		dw_err_set(err, CP ".mode: \"%.64s\": must be \"manual\" or \"system\"", s);
		r = -EINVAL;
		goto out;
	}
	if ((r = policy_string(cp, "http", CP, &s, err)) != 0)
		goto out;
	if (s != NULL && (r = policy_upstream(s, &p->http, err)) != 0) {
		dw_err_prefix(err, CP ".http");
		goto out;
	}
	if ((r = policy_string(cp, "https", CP, &s, err)) != 0)
		goto out;
	if (s != NULL && (r = policy_upstream(s, &p->https, err)) != 0) {
		dw_err_prefix(err, CP ".https");
		goto out;
	}
	/* A list, or one comma-separated string as Docker's `proxy` setting writes it. */
	if ((v = json_object_get(cp, "exclude")) != NULL && !json_is_null(v)) {
		if (json_is_array(v)) {
			json_array_foreach(v, i, item) {
				if (!json_is_string(item)) {
					dw_err_set(err, CP ".exclude[%zu]: must be a string", i);
					r = -EINVAL;
					goto out;
				}
				if ((r = policy_exclude_one(p, json_string_value(item), false,
				    err)) != 0) {
					dw_err_prefix(err, CP ".exclude[%zu]", i);
					goto out;
				}
			}
		} else if (json_is_string(v)) {
			if ((r = policy_exclude_list(p, json_string_value(v), false,
			    CP ".exclude", err)) != 0)
				goto out;
		} else {
			dw_err_set(err, CP ".exclude: must be a list of host names, IPs and CIDRs");
			r = -EINVAL;
			goto out;
		}
	}
	if ((r = policy_string(cp, "pac", CP, &s, err)) != 0)
		goto out;
	if (s != NULL && *s != '\0') {
		if (p->mode == EGRESS_MODE_SYSTEM) {
			dw_err_set(err, CP ".pac: not used with mode \"system\" (the proxy "
			    "environment decides): remove it or set mode to \"manual\"");
			r = -EINVAL;
			goto out;
		}
		if ((r = policy_pac_url(s, err)) != 0) {
			dw_err_prefix(err, CP ".pac");
			goto out;
		}
		if ((p->pac_url = strdup(s)) == NULL) {
			r = -ENOMEM;
			goto out;
		}
	}
	if ((v = json_object_get(cp, "transparentPorts")) != NULL && !json_is_null(v)) {
		if (!json_is_string(v)) {
			dw_err_set(err, CP ".transparentPorts: must be a string such as \"*\" or "
			    "\"80,443\"");
			r = -EINVAL;
			goto out;
		}
		if ((r = policy_ports(json_string_value(v), &p->ports, err)) != 0) {
			dw_err_prefix(err, CP ".transparentPorts");
			goto out;
		}
	}
	if (eg != NULL && (r = policy_parse_egress(p, eg, err)) != 0)
		goto out;
	*out = p;
	p = NULL;
	r = 0;
out:
	egress_policy_free(p);
	return r;
}

/* Go's order: the upper-case name first, an empty value counts as unset. */
static const char *
policy_env(const char *(*get)(const char *), const char *upper, const char *lower)
{
	const char	*v;

	if ((v = get(upper)) != NULL && *v != '\0')
		return v;
	if ((v = get(lower)) != NULL && *v != '\0')
		return v;
	return NULL;
}

static const char *
policy_getenv(const char *name)
{
	return getenv(name);
}

int
egress_policy_system(struct egress_policy *p, const char *(*get)(const char *name),
    struct dw_err *err)
{
	struct egress_policy	 tmp;
	struct egress_upstream	 http, https;
	const char		*v;
	int			 r;

	if (get == NULL)
		get = policy_getenv;
	memset(&http, 0, sizeof(http));
	memset(&https, 0, sizeof(https));
	memset(&tmp, 0, sizeof(tmp));
	if ((v = policy_env(get, "HTTP_PROXY", "http_proxy")) != NULL &&
	    (r = policy_upstream(v, &http, err)) != 0) {
		dw_err_prefix(err, "HTTP_PROXY");
		goto out;
	}
	if ((v = policy_env(get, "HTTPS_PROXY", "https_proxy")) != NULL &&
	    (r = policy_upstream(v, &https, err)) != 0) {
		dw_err_prefix(err, "HTTPS_PROXY");
		goto out;
	}
	if ((v = policy_env(get, "NO_PROXY", "no_proxy")) != NULL &&
	    (r = policy_exclude_list(&tmp, v, true, "NO_PROXY", err)) != 0)
		goto out;
	policy_exclude_clear(p);
	p->exclude = tmp.exclude;
	p->nexclude = tmp.nexclude;
	tmp.exclude = NULL;
	tmp.nexclude = 0;
	p->http = http;
	p->https = https;
	r = 0;
out:
	policy_exclude_clear(&tmp);
	return r;
}

static bool
policy_loopback(const struct egress_addr *a)
{
	if (a->family == AF_INET)
		return (ntohl(a->u.v4.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&a->u.v6);
}

/* Add a to dns[] (n entries) unless it is there. 0 or -E2BIG. */
static int
policy_dns_add(struct egress_addr *dns, size_t *n, const struct egress_addr *a)
{
	size_t	i;

	for (i = 0; i < *n; i++)
		if (egress_addr_equal(&dns[i], a))
			return 0;
	if (*n == EGRESS_DNS_MAX)
		return -E2BIG;
	dns[(*n)++] = *a;
	return 0;
}

int
egress_policy_default_dns(struct egress_policy *p, const char *resolv_conf,
    const struct dw_strv *daemon_dns, struct dw_err *err)
{
	struct egress_addr	 dns[EGRESS_DNS_MAX], a;
	char			 line[512], *s, *e;
	size_t			 n = 0, i;
	FILE			*f = NULL;
	bool			 partial = false;
	int			 r;

	if (p->dns_explicit)
		return 0;
	if (resolv_conf != NULL && (f = fopen(resolv_conf, "r")) == NULL && errno != ENOENT) {
		r = -errno;
		dw_err_set(err, "%s: %s", resolv_conf, strerror(errno));
		goto out;
	}
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		/* A line longer than the buffer: skip its rest, it is no nameserver line. */
		bool cont = partial;

		partial = strchr(line, '\n') == NULL && !feof(f);
		if (cont)
			continue;
		s = line;
		while (policy_blank(*s))
			s++;
		if (strncmp(s, "nameserver", 10) != 0 || !policy_blank(s[10]))
			continue;
		s += 10;
		while (policy_blank(*s))
			s++;
		e = s + strcspn(s, " \t\r\n#;");
		*e = '\0';
		/* Loopback and scoped (link-local) resolvers are the host's own. */
		if (egress_addr_parse(s, &a) != 0 || policy_loopback(&a))
			continue;
		if (policy_dns_add(dns, &n, &a) != 0) {
			dw_err_set(err, "more than %d resolvers: list the allowed ones in "
			    EG ".dnsServers", EGRESS_DNS_MAX);
			r = -E2BIG;
			goto out;
		}
	}
	if (f != NULL && ferror(f)) {
		dw_err_set(err, "%s: read error", resolv_conf);
		r = -EIO;
		goto out;
	}
	for (i = 0; daemon_dns != NULL && i < daemon_dns->n; i++) {
		if (egress_addr_parse(daemon_dns->v[i], &a) != 0) {
			dw_err_set(err, "dockerd's dns \"%.64s\": not an IP address", daemon_dns->v[i]);
			r = -EINVAL;
			goto out;
		}
		if (policy_dns_add(dns, &n, &a) != 0) {
			dw_err_set(err, "more than %d resolvers: list the allowed ones in "
			    EG ".dnsServers", EGRESS_DNS_MAX);
			r = -E2BIG;
			goto out;
		}
	}
	memcpy(p->dns, dns, n * sizeof(dns[0]));
	p->ndns = n;
	r = 0;
out:
	if (f != NULL)
		fclose(f);
	return r;
}

/* name lower-case without a trailing dot into buf; false when it does not fit. */
static bool
policy_name_norm(const char *name, char *buf, size_t sz)
{
	size_t	len = strlen(name), i;

	if (len > 1 && name[len - 1] == '.')
		len--;
	if (len >= sz)
		return false;
	for (i = 0; i < len; i++)
		buf[i] = (char)tolower((unsigned char)name[i]);
	buf[len] = '\0';
	return true;
}

bool
egress_policy_excluded(const struct egress_policy *p, const char *name,
    const struct egress_addr *ip)
{
	const struct egress_exclude	*x;
	char				 n[EGRESS_HOST_MAX];
	size_t				 i, nlen = 0, tlen;
	bool				 named = false;

	if (name != NULL && *name != '\0' && policy_name_norm(name, n, sizeof(n))) {
		named = true;
		nlen = strlen(n);
	}
	for (i = 0; i < p->nexclude; i++) {
		x = &p->exclude[i];
		switch (x->kind) {
		case EGRESS_EXCLUDE_HOST:
			if (named && strcmp(n, x->text) == 0)
				return true;
			break;
		case EGRESS_EXCLUDE_SUFFIX:
			tlen = strlen(x->text);
			if (named && nlen > tlen && strcmp(n + nlen - tlen, x->text) == 0)
				return true;
			break;
		case EGRESS_EXCLUDE_PLAIN:
			if (named && strchr(n, '.') == NULL)
				return true;
			break;
		case EGRESS_EXCLUDE_CIDR:
			if (ip != NULL && egress_cidr_contains(&x->cidr, ip))
				return true;
			break;
		}
	}
	return false;
}

bool
egress_policy_dns_allowed(const struct egress_policy *p, const struct egress_addr *ip)
{
	size_t	i;

	for (i = 0; i < p->ndns && i < EGRESS_DNS_MAX; i++)
		if (egress_addr_equal(&p->dns[i], ip))
			return true;
	return false;
}

void
egress_policy_decide_static(const struct egress_policy *p, const struct egress_target *t,
    struct egress_answer *out)
{
	const struct egress_upstream	*up;

	if (!egress_ports_match(&p->ports, t->port) ||
	    egress_policy_excluded(p, t->name, &t->ip)) {
		egress_answer_one(out, EGRESS_ROUTE_DIRECT, NULL, 0);
		return;
	}
	if (t->port == 443)
		up = p->https.set ? &p->https : &p->http;
	else
		up = p->http.set ? &p->http : &p->https;
	if (!up->set) {
		egress_answer_one(out, EGRESS_ROUTE_REFUSE, NULL, 0);
		return;
	}
	egress_answer_one(out, up->kind, up->host, up->port);
}

static void
policy_describe_upstream(FILE *f, const char *what, const struct egress_upstream *up)
{
	if (!up->set) {
		fprintf(f, "%s proxy: none\n", what);
		return;
	}
	fprintf(f, strchr(up->host, ':') != NULL ? "%s proxy: %s://[%s]:%u\n" :
	    "%s proxy: %s://%s:%u\n", what, up->kind == EGRESS_ROUTE_SOCKS5 ? "socks5" : "http",
	    up->host, (unsigned)up->port);
}

char *
egress_policy_describe(const struct egress_policy *p)
{
	static const char *const udp[] = { "dns-only", "allow", "block" };
	char		*buf = NULL, a[EGRESS_ADDR_STRLEN];
	size_t		 len = 0, i;
	FILE		*f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	fprintf(f, "mode: %s%s\n", p->mode == EGRESS_MODE_SYSTEM ?
	    "system (the unit's HTTP_PROXY, HTTPS_PROXY, NO_PROXY)" : "manual",
	    p->locked ? ", locked" : "");
	fprintf(f, "transparent ports: ");
	if (p->ports.all)
		fprintf(f, "* (every TCP port)");
	for (i = 0; !p->ports.all && i < p->ports.n; i++) {
		if (p->ports.r[i].lo == p->ports.r[i].hi)
			fprintf(f, "%s%u", i ? "," : "", (unsigned)p->ports.r[i].lo);
		else
			fprintf(f, "%s%u-%u", i ? "," : "", (unsigned)p->ports.r[i].lo,
			    (unsigned)p->ports.r[i].hi);
	}
	fprintf(f, "; other ports go direct\n");
	if (p->pac_url != NULL) {
		fprintf(f, "pac: %s (refresh every %u s, last good kept %u s on failure%s%s)\n",
		    p->pac_url, p->pac_refresh_s, p->pac_grace_s,
		    p->ca_file != NULL ? ", CA file " : "", p->ca_file != NULL ? p->ca_file : "");
		fprintf(f, "decisions: the PAC's FindProxyForURL; no PAC (download or "
		    "script failure): refuse\n");
	} else {
		policy_describe_upstream(f, "http", &p->http);
		policy_describe_upstream(f, "https (port 443)", &p->https);
		fprintf(f, "exclude (direct): ");
		for (i = 0; i < p->nexclude; i++)
			fprintf(f, "%s%s%s", i ? ", " : "",
			    p->exclude[i].kind == EGRESS_EXCLUDE_SUFFIX ? "*" : "",
			    p->exclude[i].text);
		fprintf(f, "%s\n", p->nexclude ? "" : "none");
		if (!p->http.set && !p->https.set)
			fprintf(f, "decisions: excluded -> direct, everything else refused\n");
		else
			fprintf(f, "decisions: excluded -> direct, everything else via the proxy\n");
	}
	fprintf(f, "udp: %s", udp[p->udp <= EGRESS_UDP_BLOCK ? p->udp : 0]);
	if (p->udp == EGRESS_UDP_DNS_ONLY) {
		fprintf(f, "; dns servers (%s): ", p->dns_explicit ? "dnsServers" :
		    "resolv.conf and dockerd");
		for (i = 0; i < p->ndns; i++)
			fprintf(f, "%s%s", i ? ", " : "",
			    egress_addr_format(&p->dns[i], a, sizeof(a)));
		fprintf(f, "%s", p->ndns ? "" : "none (no DNS)");
	}
	fprintf(f, "\nproxy port: %u\n", (unsigned)p->port);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
