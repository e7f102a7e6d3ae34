/*
 * cli_docker: docker 20.10 command lines as Engine API requests.
 *
 * Flags are parsed the way the CLI's pflag does (--long, --long=v, -s v,
 * -sv, bundled -itd, "--" ends flags; run, create and exec stop at the
 * first argument), then each command builds what its client call sends.
 * The shapes follow docker/cli v20.10.24 (cli/command/...) and were
 * checked against recorded requests (tests/data/explain/recorded/).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli_docker.h"
#include "common/dw_limits.h"
#include "digest/digest_ref.h"

#define FILE_MAX	(1024 * 1024)	/* --env-file, --label-file, seccomp profiles */

enum fkind { FK_BOOL, FK_STR, FK_LIST };

/* One flag of a command; id says what it sets (0: accepted, no effect on the request). */
struct cflag {
	const char	*name;
	char		 sh;
	enum fkind	 kind;
	int		 id;
	const char	*query;		/* simple commands: the query key it sets */
};

struct occ {
	const struct cflag	*f;
	const char		*val;	/* "true"/"false" for booleans */
};

struct parsed {
	struct occ	*o;
	size_t		 no;
	const char	**pos;
	size_t		 npos;
};

/* Query parameters in the order given; encoded sorted by key as Go does. */
struct query {
	struct dw_strv	k, v;
};

struct tr {
	struct cli_docker_plan	*plan;
	struct dw_err		*err;
	const char		*cmd;		/* for messages: "run" */
};

/* ---- small helpers ---- */

static int
fail(struct tr *t, int r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct tr *t, int r, const char *fmt, ...)
{
	char	buf[DW_ERR_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	dw_err_set(t->err, "%s", buf);
	return r;
}

static int
nomem(struct tr *t)
{
	return fail(t, -ENOMEM, "out of memory");
}

static void
q_add(struct query *q, const char *k, const char *v)
{
	dw_strv_push(&q->k, k);
	dw_strv_push(&q->v, v ? v : "");
}

static void
q_clear(struct query *q)
{
	dw_strv_clear(&q->k);
	dw_strv_clear(&q->v);
}

/* Append s escaped: Go's QueryEscape (query) or EscapedPath (path). */
static int
esc_append(char *buf, size_t len, size_t *off, const char *s, bool query)
{
	static const char	hex[] = "0123456789ABCDEF";
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*off + 4 >= len)
			return -E2BIG;
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~' ||
		    (!query && strchr("$&+,/:;=@", *p) != NULL))
			buf[(*off)++] = (char)*p;
		else if (query && *p == ' ')
			buf[(*off)++] = '+';
		else {
			buf[(*off)++] = '%';
			buf[(*off)++] = hex[*p >> 4];
			buf[(*off)++] = hex[*p & 15];
		}
	}
	buf[*off] = '\0';
	return 0;
}

/* A new request: path (unescaped, no version) and query; body is stolen. */
static struct cli_docker_req *
req_add(struct tr *t, const char *method, const char *path, struct query *q,
    json_t *body)
{
	struct cli_docker_plan	*pl = t->plan;
	struct cli_docker_req	*v, *r = NULL;
	char			 uri[DW_URI_MAX];
	size_t			 off, i, k, *ord = NULL, nq = q ? q->k.n : 0;

	off = (size_t)snprintf(uri, sizeof(uri), "/v%s", CLI_DOCKER_VERSION);
	if (esc_append(uri, sizeof(uri), &off, path, false) < 0)
		goto toolong;
	if (nq > 0) {
		/* Stable sort of the keys (insertion sort: few parameters). */
		if ((ord = calloc(nq, sizeof(*ord))) == NULL)
			goto mem;
		for (i = 0; i < nq; i++) {
			for (k = i; k > 0 && strcmp(q->k.v[ord[k - 1]], q->k.v[i]) > 0; k--)
				ord[k] = ord[k - 1];
			ord[k] = i;
		}
		for (i = 0; i < nq; i++) {
			if (off + 2 >= sizeof(uri))
				goto toolong;
			uri[off++] = i == 0 ? '?' : '&';
			uri[off] = '\0';
			if (esc_append(uri, sizeof(uri), &off, q->k.v[ord[i]], true) < 0)
				goto toolong;
			uri[off++] = '=';
			uri[off] = '\0';
			if (esc_append(uri, sizeof(uri), &off, q->v.v[ord[i]], true) < 0)
				goto toolong;
		}
	}
	if ((v = realloc(pl->v, (pl->n + 1) * sizeof(*v))) == NULL)
		goto mem;
	pl->v = v;
	r = &pl->v[pl->n];
	memset(r, 0, sizeof(*r));
	if ((r->method = strdup(method)) == NULL || (r->uri = strdup(uri)) == NULL) {
		free(r->method);
		free(r->uri);
		r = NULL;
		goto mem;
	}
	r->body = body;
	body = NULL;
	pl->n++;
	goto out;
toolong:
	fail(t, -E2BIG, "docker %s: the request URI would be longer than %d bytes",
	    t->cmd, DW_URI_MAX);
	goto out;
mem:
	nomem(t);
out:
	json_decref(body);
	free(ord);
	return r;
}

static void
note(struct cli_docker_req *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note(struct cli_docker_req *r, const char *fmt, ...)
{
	char	buf[DW_MSG_MAX];
	va_list	ap;

	if (r == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	dw_strv_push(&r->notes, buf);
}

/* strconv.ParseBool. */
static int
parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
	size_t	i;

	for (i = 0; i < 6; i++) {
		if (strcmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* go-units RAMInBytes: "64m", "1.5g", "512" (bytes), powers of 1024. */
static int
ram_bytes(const char *s, long long *ret)
{
	static const char	units[] = "kmgtp";
	char			*end;
	double			 v, mul = 1;
	const char		*u;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno != 0 || v < 0 || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	if (*end == ' ')
		end++;
	if (*end != '\0' && (u = strchr(units, tolower((unsigned char)*end))) != NULL) {
		for (size_t i = 0; i <= (size_t)(u - units); i++)
			mul *= 1024;
		end++;
	}
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end != '\0' || v * mul > 9.2e18)
		return -EINVAL;
	*ret = (long long)(v * mul);
	return 0;
}

static int
parse_ll(const char *s, long long *ret)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* opts.ConvertKVStringsToMap: "k=v" -> k: v, "k" -> k: "". */
static json_t *
kv_map(const struct dw_strv *sv)
{
	json_t	*m = json_object();
	char	 key[1024];
	size_t	 i, n;

	for (i = 0; m != NULL && i < sv->n; i++) {
		n = strcspn(sv->v[i], "=");
		snprintf(key, sizeof(key), "%.*s", (int)(n < sizeof(key) ? n : sizeof(key) - 1),
		    sv->v[i]);
		json_object_set_new(m, key, json_string(sv->v[i][n] ? sv->v[i] + n + 1 : ""));
	}
	return m;
}

static json_t *
str_array(const struct dw_strv *sv)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; a != NULL && i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	return a;
}

/* Read a small local file the CLI would read (NUL-terminated, caller frees). */
static char *
file_read(struct tr *t, const char *flag, const char *path)
{
	FILE	*f;
	char	*buf;
	size_t	 n;

	if ((f = fopen(path, "re")) == NULL) {
		fail(t, -EINVAL, "docker %s %s %s: %s", t->cmd, flag, path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc(FILE_MAX + 1)) == NULL) {
		fclose(f);
		nomem(t);
		return NULL;
	}
	n = fread(buf, 1, FILE_MAX + 1, f);
	fclose(f);
	if (n > FILE_MAX) {
		free(buf);
		fail(t, -E2BIG, "docker %s %s %s: larger than %d bytes", t->cmd, flag, path,
		    FILE_MAX);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* opts.ReadKVStrings/ReadKVEnvStrings: file lines (no comments, no blanks) first. */
static int
kv_files(struct tr *t, const char *flag, const struct dw_strv *files, bool env,
    const struct dw_strv *direct, struct dw_strv *out)
{
	char	*buf, *line, *save = NULL, *val;
	size_t	 i;

	for (i = 0; i < files->n; i++) {
		if ((buf = file_read(t, flag, files->v[i])) == NULL)
			return -EINVAL;
		for (line = strtok_r(buf, "\r\n", &save); line != NULL;
		    line = strtok_r(NULL, "\r\n", &save)) {
			while (isspace((unsigned char)*line))
				line++;
			if (*line == '\0' || *line == '#')
				continue;
			/* A bare variable name takes its value from the environment. */
			if (env && strchr(line, '=') == NULL) {
				if ((val = getenv(line)) == NULL)
					continue;
				char kv[4096];
				snprintf(kv, sizeof(kv), "%s=%s", line, val);
				dw_strv_push(out, kv);
			} else
				dw_strv_push(out, line);
		}
		free(buf);
	}
	for (i = 0; i < direct->n; i++) {
		if (env && strchr(direct->v[i], '=') == NULL) {
			if ((val = getenv(direct->v[i])) == NULL)
				continue;
			char kv[4096];
			snprintf(kv, sizeof(kv), "%s=%s", direct->v[i], val);
			dw_strv_push(out, kv);
		} else
			dw_strv_push(out, direct->v[i]);
	}
	return 0;
}

/* ---- flag parsing (pflag) ---- */

static const struct cflag *
flag_long(const struct cflag *tab, const char *name, size_t n)
{
	for (; tab->name != NULL; tab++)
		if (strlen(tab->name) == n && strncmp(tab->name, name, n) == 0)
			return tab;
	return NULL;
}

static const struct cflag *
flag_short(const struct cflag *tab, char c)
{
	for (; tab->name != NULL; tab++)
		if (tab->sh == c)
			return tab;
	return NULL;
}

static int
occ_push(struct tr *t, struct parsed *p, const struct cflag *f, const char *val)
{
	struct occ	*o;
	bool		 b;

	if (f->kind == FK_BOOL && parse_bool(val, &b) < 0)
		return fail(t, -EINVAL, "docker %s: invalid argument \"%s\" for --%s: "
		    "want true or false", t->cmd, val, f->name);
	if ((o = realloc(p->o, (p->no + 1) * sizeof(*o))) == NULL)
		return nomem(t);
	p->o = o;
	p->o[p->no].f = f;
	p->o[p->no].val = f->kind == FK_BOOL ? (b ? "true" : "false") : val;
	p->no++;
	return 0;
}

static int
pos_push(struct tr *t, struct parsed *p, const char *a)
{
	const char	**v;

	if ((v = realloc(p->pos, (p->npos + 1) * sizeof(*v))) == NULL)
		return nomem(t);
	p->pos = v;
	p->pos[p->npos++] = a;
	return 0;
}

static void
parsed_clear(struct parsed *p)
{
	free(p->o);
	free(p->pos);
	memset(p, 0, sizeof(*p));
}

/*
 * Parse argv[i..argc) against tab.  interspersed false: the first
 * argument ends the flags (run, create, exec).  Unknown flags fail.
 */
static int
flags_parse(struct tr *t, int argc, char *const argv[], int i,
    const struct cflag *tab, bool interspersed, struct parsed *p)
{
	const struct cflag	*f;
	const char		*a, *eq, *val;
	bool			 flags = true;
	size_t			 n, j;
	int			 r;

	for (; i < argc; i++) {
		a = argv[i];
		if (!flags || a[0] != '-' || a[1] == '\0') {
			if ((r = pos_push(t, p, a)) < 0)
				return r;
			if (!interspersed)
				flags = false;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			flags = false;
			continue;
		}
		if (a[1] == '-') {
			eq = strchr(a + 2, '=');
			n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			if (n == 4 && strncmp(a + 2, "help", 4) == 0)
				return fail(t, -EINVAL, "docker %s --help asks for no API request",
				    t->cmd);
			if ((f = flag_long(tab, a + 2, n)) == NULL)
				return fail(t, -EINVAL, "unknown flag: %.*s for \"docker %s\"",
				    (int)n + 2, a, t->cmd);
			if (eq != NULL)
				val = eq + 1;
			else if (f->kind == FK_BOOL)
				val = "true";
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return fail(t, -EINVAL, "docker %s: flag needs an argument: --%s",
				    t->cmd, f->name);
			if ((r = occ_push(t, p, f, val)) < 0)
				return r;
			continue;
		}
		for (j = 1; a[j] != '\0'; j++) {
			if ((f = flag_short(tab, a[j])) == NULL)
				return fail(t, -EINVAL, "unknown shorthand flag: '%c' in %s for "
				    "\"docker %s\"", a[j], a, t->cmd);
			if (f->kind == FK_BOOL) {
				if (a[j + 1] == '=') {
					r = occ_push(t, p, f, a + j + 2);
					if (r < 0)
						return r;
					break;
				}
				if ((r = occ_push(t, p, f, "true")) < 0)
					return r;
				continue;
			}
			if (a[j + 1] != '\0')
				val = a + j + 1 + (a[j + 1] == '=');
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return fail(t, -EINVAL, "docker %s: flag needs an argument: "
				    "'%c' in %s", t->cmd, a[j], a);
			if ((r = occ_push(t, p, f, val)) < 0)
				return r;
			break;
		}
	}
	return 0;
}

/* The last value of flag id, or NULL. */
static const char *
get_str(const struct parsed *p, int id)
{
	const char	*v = NULL;
	size_t		 i;

	for (i = 0; i < p->no; i++)
		if (p->o[i].f->id == id)
			v = p->o[i].val;
	return v;
}

/* The last value of flag id, or def. */
static const char *
str_or(const struct parsed *p, int id, const char *def)
{
	const char	*v = get_str(p, id);

	return v != NULL ? v : def;
}

static bool
get_bool(const struct parsed *p, int id, bool def)
{
	const char	*v = get_str(p, id);

	return v == NULL ? def : strcmp(v, "true") == 0;
}

static bool
given(const struct parsed *p, int id)
{
	return get_str(p, id) != NULL;
}

/* Every value of flag id, in order. */
static void
get_list(const struct parsed *p, int id, struct dw_strv *out)
{
	size_t	i;

	for (i = 0; i < p->no; i++)
		if (p->o[i].f->id == id)
			dw_strv_push(out, p->o[i].val);
}

/* ---- image names ---- */

/*
 * reference.FamiliarName and the API tag of a reference, as the client
 * library sends them: "docker.io/library/alpine:3" -> "alpine", "3";
 * no tag -> "latest" (want_latest) or "".
 */
static int
ref_split(struct tr *t, const char *s, bool want_latest, char **name, char **tag)
{
	struct digest_ref	*ref;
	struct dw_err		 e;
	char			 buf[1024];

	if ((ref = digest_ref_parse(s, 0, &e)) == NULL)
		return fail(t, -EINVAL, "docker %s: invalid reference \"%s\": %s", t->cmd,
		    s, e.msg);
	if (strcmp(ref->domain, "docker.io") == 0 && strncmp(ref->path, "library/", 8) == 0 &&
	    strchr(ref->path + 8, '/') == NULL)
		snprintf(buf, sizeof(buf), "%s", ref->path + 8);
	else if (strcmp(ref->domain, "docker.io") == 0)
		snprintf(buf, sizeof(buf), "%s", ref->path);
	else
		snprintf(buf, sizeof(buf), "%s/%s", ref->domain, ref->path);
	*name = strdup(buf);
	*tag = strdup(ref->digest ? ref->digest : ref->tag ? ref->tag :
	    want_latest ? "latest" : "");
	digest_ref_free(ref);
	if (*name == NULL || *tag == NULL) {
		free(*name);
		free(*tag);
		return nomem(t);
	}
	return 0;
}

/* ---- docker run / create ---- */

enum {
	R_IGN = 1, R_NOTE, R_DETACH, R_NAME, R_PLATFORM, R_PULL,
	R_ATTACH, R_DEVCG, R_DEVICE, R_GPUS, R_ENV, R_ENVFILE, R_ENTRYPOINT,
	R_GROUPADD, R_HOSTNAME, R_DOMAINNAME, R_INTERACTIVE, R_LABEL, R_LABELFILE,
	R_READONLY, R_RESTART, R_STOPSIGNAL, R_STOPTIMEOUT, R_SYSCTL, R_TTY,
	R_ULIMIT, R_USER, R_WORKDIR, R_RM, R_CAPADD, R_CAPDROP, R_PRIVILEGED,
	R_SECOPT, R_USERNS, R_CGROUPNS, R_ADDHOST, R_DNS, R_DNSOPT, R_DNSSEARCH,
	R_EXPOSE, R_IP, R_IP6, R_LINK, R_LINKLOCAL, R_MAC, R_PUBLISH, R_PUBLISHALL,
	R_NETWORK, R_ALIAS, R_LOGDRIVER, R_VOLDRIVER, R_LOGOPT, R_STORAGEOPT,
	R_TMPFS, R_VOLUMESFROM, R_VOLUME, R_MOUNT, R_CIDFILE, R_MEMORY, R_MEMRES,
	R_MEMSWAP, R_SWAPPINESS, R_KMEM, R_OOMKILL, R_OOMSCORE, R_PIDS, R_CGPARENT,
	R_IPC, R_ISOLATION, R_PID, R_SHM, R_UTS, R_RUNTIME, R_INIT, R_CPUS,
	R_CPUSHARES, R_CPUPERIOD, R_CPUQUOTA, R_CPUSETCPUS, R_CPUSETMEMS, R_BLKIO,
};

static const struct cflag run_flags[] = {
	/* run and create */
	{ "detach", 'd', FK_BOOL, R_DETACH, NULL },	/* run only: checked below */
	{ "sig-proxy", 0, FK_BOOL, R_IGN, NULL },
	{ "detach-keys", 0, FK_STR, R_IGN, NULL },
	{ "name", 0, FK_STR, R_NAME, NULL },
	{ "platform", 0, FK_STR, R_PLATFORM, NULL },
	{ "pull", 0, FK_STR, R_PULL, NULL },
	{ "disable-content-trust", 0, FK_BOOL, R_IGN, NULL },
	/* containerOptions (opts.go addFlags) */
	{ "attach", 'a', FK_LIST, R_ATTACH, NULL },
	{ "device-cgroup-rule", 0, FK_LIST, R_DEVCG, NULL },
	{ "device", 0, FK_LIST, R_DEVICE, NULL },
	{ "gpus", 0, FK_STR, R_GPUS, NULL },
	{ "env", 'e', FK_LIST, R_ENV, NULL },
	{ "env-file", 0, FK_LIST, R_ENVFILE, NULL },
	{ "entrypoint", 0, FK_STR, R_ENTRYPOINT, NULL },
	{ "group-add", 0, FK_LIST, R_GROUPADD, NULL },
	{ "hostname", 'h', FK_STR, R_HOSTNAME, NULL },
	{ "domainname", 0, FK_STR, R_DOMAINNAME, NULL },
	{ "interactive", 'i', FK_BOOL, R_INTERACTIVE, NULL },
	{ "label", 'l', FK_LIST, R_LABEL, NULL },
	{ "label-file", 0, FK_LIST, R_LABELFILE, NULL },
	{ "read-only", 0, FK_BOOL, R_READONLY, NULL },
	{ "restart", 0, FK_STR, R_RESTART, NULL },
	{ "stop-signal", 0, FK_STR, R_STOPSIGNAL, NULL },
	{ "stop-timeout", 0, FK_STR, R_STOPTIMEOUT, NULL },
	{ "sysctl", 0, FK_LIST, R_SYSCTL, NULL },
	{ "tty", 't', FK_BOOL, R_TTY, NULL },
	{ "ulimit", 0, FK_LIST, R_ULIMIT, NULL },
	{ "user", 'u', FK_STR, R_USER, NULL },
	{ "workdir", 'w', FK_STR, R_WORKDIR, NULL },
	{ "rm", 0, FK_BOOL, R_RM, NULL },
	{ "cap-add", 0, FK_LIST, R_CAPADD, NULL },
	{ "cap-drop", 0, FK_LIST, R_CAPDROP, NULL },
	{ "privileged", 0, FK_BOOL, R_PRIVILEGED, NULL },
	{ "security-opt", 0, FK_LIST, R_SECOPT, NULL },
	{ "userns", 0, FK_STR, R_USERNS, NULL },
	{ "cgroupns", 0, FK_STR, R_CGROUPNS, NULL },
	{ "add-host", 0, FK_LIST, R_ADDHOST, NULL },
	{ "dns", 0, FK_LIST, R_DNS, NULL },
	{ "dns-opt", 0, FK_LIST, R_DNSOPT, NULL },
	{ "dns-option", 0, FK_LIST, R_DNSOPT, NULL },
	{ "dns-search", 0, FK_LIST, R_DNSSEARCH, NULL },
	{ "expose", 0, FK_LIST, R_EXPOSE, NULL },
	{ "ip", 0, FK_STR, R_IP, NULL },
	{ "ip6", 0, FK_STR, R_IP6, NULL },
	{ "link", 0, FK_LIST, R_LINK, NULL },
	{ "link-local-ip", 0, FK_LIST, R_LINKLOCAL, NULL },
	{ "mac-address", 0, FK_STR, R_MAC, NULL },
	{ "publish", 'p', FK_LIST, R_PUBLISH, NULL },
	{ "publish-all", 'P', FK_BOOL, R_PUBLISHALL, NULL },
	{ "net", 0, FK_LIST, R_NETWORK, NULL },
	{ "network", 0, FK_LIST, R_NETWORK, NULL },
	{ "net-alias", 0, FK_LIST, R_ALIAS, NULL },
	{ "network-alias", 0, FK_LIST, R_ALIAS, NULL },
	{ "log-driver", 0, FK_STR, R_LOGDRIVER, NULL },
	{ "volume-driver", 0, FK_STR, R_VOLDRIVER, NULL },
	{ "log-opt", 0, FK_LIST, R_LOGOPT, NULL },
	{ "storage-opt", 0, FK_LIST, R_STORAGEOPT, NULL },
	{ "tmpfs", 0, FK_LIST, R_TMPFS, NULL },
	{ "volumes-from", 0, FK_LIST, R_VOLUMESFROM, NULL },
	{ "volume", 'v', FK_LIST, R_VOLUME, NULL },
	{ "mount", 0, FK_LIST, R_MOUNT, NULL },
	{ "health-cmd", 0, FK_STR, R_NOTE, NULL },
	{ "health-interval", 0, FK_STR, R_NOTE, NULL },
	{ "health-retries", 0, FK_STR, R_NOTE, NULL },
	{ "health-timeout", 0, FK_STR, R_NOTE, NULL },
	{ "health-start-period", 0, FK_STR, R_NOTE, NULL },
	{ "no-healthcheck", 0, FK_BOOL, R_NOTE, NULL },
	{ "blkio-weight", 0, FK_STR, R_BLKIO, NULL },
	{ "blkio-weight-device", 0, FK_LIST, R_NOTE, NULL },
	{ "cidfile", 0, FK_STR, R_CIDFILE, NULL },
	{ "cpuset-cpus", 0, FK_STR, R_CPUSETCPUS, NULL },
	{ "cpuset-mems", 0, FK_STR, R_CPUSETMEMS, NULL },
	{ "cpu-count", 0, FK_STR, R_NOTE, NULL },
	{ "cpu-percent", 0, FK_STR, R_NOTE, NULL },
	{ "cpu-period", 0, FK_STR, R_CPUPERIOD, NULL },
	{ "cpu-quota", 0, FK_STR, R_CPUQUOTA, NULL },
	{ "cpu-rt-period", 0, FK_STR, R_NOTE, NULL },
	{ "cpu-rt-runtime", 0, FK_STR, R_NOTE, NULL },
	{ "cpu-shares", 'c', FK_STR, R_CPUSHARES, NULL },
	{ "cpus", 0, FK_STR, R_CPUS, NULL },
	{ "device-read-bps", 0, FK_LIST, R_NOTE, NULL },
	{ "device-read-iops", 0, FK_LIST, R_NOTE, NULL },
	{ "device-write-bps", 0, FK_LIST, R_NOTE, NULL },
	{ "device-write-iops", 0, FK_LIST, R_NOTE, NULL },
	{ "io-maxbandwidth", 0, FK_STR, R_NOTE, NULL },
	{ "io-maxiops", 0, FK_STR, R_NOTE, NULL },
	{ "kernel-memory", 0, FK_STR, R_KMEM, NULL },
	{ "memory", 'm', FK_STR, R_MEMORY, NULL },
	{ "memory-reservation", 0, FK_STR, R_MEMRES, NULL },
	{ "memory-swap", 0, FK_STR, R_MEMSWAP, NULL },
	{ "memory-swappiness", 0, FK_STR, R_SWAPPINESS, NULL },
	{ "oom-kill-disable", 0, FK_BOOL, R_OOMKILL, NULL },
	{ "oom-score-adj", 0, FK_STR, R_OOMSCORE, NULL },
	{ "pids-limit", 0, FK_STR, R_PIDS, NULL },
	{ "cgroup-parent", 0, FK_STR, R_CGPARENT, NULL },
	{ "ipc", 0, FK_STR, R_IPC, NULL },
	{ "isolation", 0, FK_STR, R_ISOLATION, NULL },
	{ "pid", 0, FK_STR, R_PID, NULL },
	{ "shm-size", 0, FK_STR, R_SHM, NULL },
	{ "uts", 0, FK_STR, R_UTS, NULL },
	{ "runtime", 0, FK_STR, R_RUNTIME, NULL },
	{ "init", 0, FK_BOOL, R_INIT, NULL },
	{ NULL, 0, 0, 0, NULL }
};

/* One --mount value (opts.MountOpt.Set) as a mount.Mount object. */
static int
mount_parse(struct tr *t, const char *spec, json_t **ret)
{
	json_t		*m, *vo = NULL, *bo = NULL, *to = NULL, *dc, *o;
	char		*copy, *field, *save = NULL, *v;
	const char	*type = "volume";
	long long	 n;
	bool		 b;
	int		 r = -EINVAL;

	if ((m = json_object()) == NULL || (copy = strdup(spec)) == NULL) {
		json_decref(m);
		return nomem(t);
	}
	/* CSV without quotes covers every documented form. */
	for (field = strtok_r(copy, ",", &save); field != NULL;
	    field = strtok_r(NULL, ",", &save)) {
		char	key[64];
		size_t	kl = strcspn(field, "=");

		snprintf(key, sizeof(key), "%.*s", (int)(kl < 63 ? kl : 63), field);
		for (v = key; *v; v++)
			*v = (char)tolower((unsigned char)*v);
		v = field[kl] == '=' ? field + kl + 1 : NULL;
		if (v == NULL && (strcmp(key, "readonly") == 0 || strcmp(key, "ro") == 0)) {
			json_object_set_new(m, "ReadOnly", json_true());
			continue;
		}
		if (v == NULL && strcmp(key, "volume-nocopy") == 0) {
			if (vo == NULL)
				vo = json_object();
			json_object_set_new(vo, "NoCopy", json_true());
			continue;
		}
		if (v == NULL && strcmp(key, "bind-nonrecursive") == 0) {
			if (bo == NULL)
				bo = json_object();
			json_object_set_new(bo, "NonRecursive", json_true());
			continue;
		}
		if (v == NULL) {
			fail(t, -EINVAL, "docker %s --mount %s: invalid field '%s' must be a "
			    "key=value pair", t->cmd, spec, field);
			goto out;
		}
		if (strcmp(key, "type") == 0) {
			for (char *c = v; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			type = v;
		} else if (strcmp(key, "source") == 0 || strcmp(key, "src") == 0)
			json_object_set_new(m, "Source", json_string(v));
		else if (strcmp(key, "target") == 0 || strcmp(key, "dst") == 0 ||
		    strcmp(key, "destination") == 0)
			json_object_set_new(m, "Target", json_string(v));
		else if (strcmp(key, "readonly") == 0 || strcmp(key, "ro") == 0) {
			if (parse_bool(v, &b) < 0)
				goto badval;
			json_object_set_new(m, "ReadOnly", json_boolean(b));
		} else if (strcmp(key, "consistency") == 0)
			json_object_set_new(m, "Consistency", json_string(v));
		else if (strcmp(key, "bind-propagation") == 0) {
			if (bo == NULL)
				bo = json_object();
			json_object_set_new(bo, "Propagation", json_string(v));
		} else if (strcmp(key, "bind-nonrecursive") == 0) {
			if (parse_bool(v, &b) < 0)
				goto badval;
			if (bo == NULL)
				bo = json_object();
			json_object_set_new(bo, "NonRecursive", json_boolean(b));
		} else if (strcmp(key, "volume-nocopy") == 0) {
			if (parse_bool(v, &b) < 0)
				goto badval;
			if (vo == NULL)
				vo = json_object();
			json_object_set_new(vo, "NoCopy", json_boolean(b));
		} else if (strcmp(key, "volume-label") == 0 || strcmp(key, "volume-opt") == 0 ||
		    strcmp(key, "volume-driver") == 0) {
			if (vo == NULL)
				vo = json_object();
			if ((dc = json_object_get(vo, "DriverConfig")) == NULL) {
				dc = json_object();
				json_object_set_new(vo, "DriverConfig", dc);
			}
			if (strcmp(key, "volume-driver") == 0)
				json_object_set_new(dc, "Name", json_string(v));
			else {
				const char *sect = key[7] == 'l' ? "Labels" : "Options";
				json_t *target = sect[0] == 'L' ? vo : dc;
				size_t kn = strcspn(v, "=");
				char ok[512];

				if ((o = json_object_get(target, sect)) == NULL) {
					o = json_object();
					json_object_set_new(target, sect, o);
				}
				snprintf(ok, sizeof(ok), "%.*s", (int)(kn < 511 ? kn : 511), v);
				json_object_set_new(o, ok, json_string(v[kn] ? v + kn + 1 : ""));
			}
		} else if (strcmp(key, "tmpfs-size") == 0) {
			if (ram_bytes(v, &n) < 0)
				goto badval;
			if (to == NULL)
				to = json_object();
			json_object_set_new(to, "SizeBytes", json_integer(n));
		} else if (strcmp(key, "tmpfs-mode") == 0) {
			char *end;
			unsigned long mode = strtoul(v, &end, 8);

			if (*v == '\0' || *end != '\0' || mode > 0xffffffffUL)
				goto badval;
			if (to == NULL)
				to = json_object();
			json_object_set_new(to, "Mode", json_integer((json_int_t)mode));
		} else {
			fail(t, -EINVAL, "docker %s --mount %s: unexpected key '%s' in '%s'",
			    t->cmd, spec, key, field);
			goto out;
		}
		continue;
badval:
		fail(t, -EINVAL, "docker %s --mount %s: invalid value for %s: %s", t->cmd,
		    spec, key, v);
		goto out;
	}
	if (json_object_get(m, "Target") == NULL) {
		fail(t, -EINVAL, "docker %s --mount %s: target is required", t->cmd, spec);
		goto out;
	}
	if ((vo != NULL && strcmp(type, "volume") != 0) ||
	    (bo != NULL && strcmp(type, "bind") != 0) ||
	    (to != NULL && strcmp(type, "tmpfs") != 0)) {
		fail(t, -EINVAL, "docker %s --mount %s: cannot mix 'volume-*', 'bind-*' "
		    "or 'tmpfs-*' options with mount type '%s'", t->cmd, spec, type);
		goto out;
	}
	json_object_set_new(m, "Type", json_string(type));
	if (vo != NULL)
		json_object_set(m, "VolumeOptions", vo);
	if (bo != NULL)
		json_object_set(m, "BindOptions", bo);
	if (to != NULL)
		json_object_set(m, "TmpfsOptions", to);
	*ret = m;
	m = NULL;
	r = 0;
out:
	json_decref(vo);
	json_decref(bo);
	json_decref(to);
	json_decref(m);
	free(copy);
	return r;
}

/* One port number or range "a" / "a-b"; 0 or -EINVAL. */
static int
port_range(const char *s, unsigned *lo, unsigned *hi)
{
	char		*end;
	unsigned long	 a, b;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	a = strtoul(s, &end, 10);
	b = a;
	if (*end == '-') {
		if (!isdigit((unsigned char)end[1]))
			return -EINVAL;
		b = strtoul(end + 1, &end, 10);
	}
	if (*end != '\0' || a > 65535 || b > 65535 || b < a)
		return -EINVAL;
	*lo = (unsigned)a;
	*hi = (unsigned)b;
	return 0;
}

/*
 * -p values (nat.ParsePortSpecs after convertToStandardNotation) into
 * ExposedPorts and PortBindings.
 */
static int
ports_add(struct tr *t, const char *spec, json_t *exposed, json_t *bindings)
{
	char		 buf[512], ip[256] = "", host[64] = "", cport[64], proto[16] = "tcp";
	char		*parts[64], *slash, *save = NULL, *p;
	size_t		 np = 0, i;
	unsigned	 clo, chi, hlo = 0, hhi = 0;

	if (strchr(spec, '=') != NULL) {
		/* Long syntax: published=8080,target=80[,protocol=udp]. */
		char pub[64] = "", tgt[64] = "", pr[16] = "tcp", *f;

		snprintf(buf, sizeof(buf), "%s", spec);
		for (f = strtok_r(buf, ",", &save); f != NULL; f = strtok_r(NULL, ",", &save)) {
			if (strncmp(f, "published=", 10) == 0)
				snprintf(pub, sizeof(pub), "%s", f + 10);
			else if (strncmp(f, "target=", 7) == 0)
				snprintf(tgt, sizeof(tgt), "%s", f + 7);
			else if (strncmp(f, "protocol=", 9) == 0)
				snprintf(pr, sizeof(pr), "%s", f + 9);
			else if (strchr(f, '=') == NULL)
				return fail(t, -EINVAL, "docker %s -p %s: invalid publish opts "
				    "format (should be name=value but got '%s')", t->cmd, spec, f);
		}
		snprintf(buf, sizeof(buf), "%s:%s/%s", pub, tgt, pr);
	} else
		snprintf(buf, sizeof(buf), "%s", spec);
	if ((slash = strrchr(buf, '/')) != NULL) {
		snprintf(proto, sizeof(proto), "%s", slash + 1);
		*slash = '\0';
	}
	for (p = buf; np < 64; ) {
		parts[np++] = p;
		if ((p = strchr(p, ':')) == NULL)
			break;
		*p++ = '\0';
	}
	snprintf(cport, sizeof(cport), "%.63s", parts[np - 1]);
	if (np == 2)
		snprintf(host, sizeof(host), "%.63s", parts[0]);
	else if (np >= 3) {
		size_t off = 0;

		for (i = 0; i + 2 < np; i++)
			off += (size_t)snprintf(ip + off, sizeof(ip) - off, "%s%s",
			    i ? ":" : "", parts[i]);
		snprintf(host, sizeof(host), "%.63s", parts[np - 2]);
	}
	/* "[::1]" -> "::1" */
	if (ip[0] == '[' && ip[strlen(ip) - 1] == ']') {
		memmove(ip, ip + 1, strlen(ip));
		ip[strlen(ip) - 1] = '\0';
	}
	if (port_range(cport, &clo, &chi) < 0)
		return fail(t, -EINVAL, "docker %s -p %s: invalid containerPort: %s", t->cmd,
		    spec, cport);
	if (host[0] != '\0' && port_range(host, &hlo, &hhi) < 0)
		return fail(t, -EINVAL, "docker %s -p %s: invalid hostPort: %s", t->cmd,
		    spec, host);
	if (host[0] != '\0' && chi - clo != hhi - hlo && chi != clo)
		return fail(t, -EINVAL, "docker %s -p %s: invalid ranges specified for "
		    "container and host Ports", t->cmd, spec);
	for (i = 0; i <= chi - clo; i++) {
		char	key[96], hp[64];
		json_t	*list, *b;

		snprintf(key, sizeof(key), "%u/%s", clo + (unsigned)i, proto);
		if (host[0] == '\0')
			hp[0] = '\0';
		else if (chi == clo && hhi != hlo)
			snprintf(hp, sizeof(hp), "%s", host);	/* a host range for one port */
		else
			snprintf(hp, sizeof(hp), "%u", hlo + (unsigned)i);
		json_object_set_new(exposed, key, json_object());
		if ((list = json_object_get(bindings, key)) == NULL) {
			list = json_array();
			json_object_set_new(bindings, key, list);
		}
		b = json_pack("{s:s, s:s}", "HostIp", ip, "HostPort", hp);
		json_array_append_new(list, b);
	}
	return 0;
}

/* --restart: RestartPolicy. */
static int
restart_parse(struct tr *t, const char *v, json_t **ret)
{
	const char	*colon = strchr(v, ':');
	char		 name[64];
	long long	 n = 0;

	snprintf(name, sizeof(name), "%.*s", (int)(colon ? colon - v : (long)strlen(v)), v);
	if (colon != NULL) {
		if (strcmp(name, "on-failure") != 0 || parse_ll(colon + 1, &n) < 0)
			return fail(t, -EINVAL, "docker %s --restart %s: maximum retry count "
			    "is for on-failure only and must be a number", t->cmd, v);
	}
	if (strcmp(name, "no") != 0 && strcmp(name, "always") != 0 &&
	    strcmp(name, "unless-stopped") != 0 && strcmp(name, "on-failure") != 0)
		return fail(t, -EINVAL, "docker %s --restart %s: invalid restart policy",
		    t->cmd, v);
	*ret = json_pack("{s:s, s:I}", "Name", name, "MaximumRetryCount", (json_int_t)n);
	return *ret ? 0 : nomem(t);
}

/* --device SRC[:DST][:PERMS] (parseLinuxDevice). */
static json_t *
device_parse(const char *v)
{
	char		 src[1024], dst[1024] = "", perm[8] = "rwm";
	const char	*parts[4];
	size_t		 n = 0, i, len[4];
	const char	*p = v;

	for (; n < 4; n++) {
		parts[n] = p;
		len[n] = strcspn(p, ":");
		if (p[len[n]] == '\0') {
			n++;
			break;
		}
		p += len[n] + 1;
	}
	if (n > 3)
		return NULL;
	snprintf(src, sizeof(src), "%.*s", (int)len[0], parts[0]);
	if (n == 3)
		snprintf(perm, sizeof(perm), "%.*s", (int)len[2], parts[2]);
	if (n >= 2) {
		bool mode = len[1] > 0 && len[1] <= 3;

		for (i = 0; i < len[1] && mode; i++)
			mode = strchr("rwm", parts[1][i]) != NULL;
		if (mode)
			snprintf(perm, sizeof(perm), "%.*s", (int)len[1], parts[1]);
		else
			snprintf(dst, sizeof(dst), "%.*s", (int)len[1], parts[1]);
	}
	if (dst[0] == '\0')
		snprintf(dst, sizeof(dst), "%s", src);
	return json_pack("{s:s, s:s, s:s}", "PathOnHost", src, "PathInContainer", dst,
	    "CgroupPermissions", perm);
}

/* --gpus: DeviceRequests (opts.GpuOpts). */
static json_t *
gpus_parse(const char *v)
{
	json_t		*dr, *ids = json_null();
	long long	 count = 0;

	if (strcmp(v, "all") == 0)
		count = -1;
	else if (parse_ll(v, &count) == 0)
		;
	else if (strncmp(v, "device=", 7) == 0) {
		char buf[512], *tok, *save = NULL;

		snprintf(buf, sizeof(buf), "%s", v + 7);
		ids = json_array();
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			json_array_append_new(ids, json_string(tok));
	}
	dr = json_pack("{s:s, s:I, s:o, s:[[s]], s:{}}", "Driver", "", "Count",
	    (json_int_t)count, "DeviceIDs", ids, "Capabilities", "gpu", "Options");
	return json_pack("[o]", dr);
}

/* --security-opt: seccomp=FILE is sent as the file's JSON; systempaths=unconfined is client-side. */
static int
secopts(struct tr *t, const struct dw_strv *in, json_t *hc)
{
	json_t	*a = json_array(), *j;
	size_t	 i;
	char	*text, *compact;

	for (i = 0; i < in->n; i++) {
		const char *o = in->v[i];

		if (strchr(o, '=') == NULL && strchr(o, ':') == NULL &&
		    strcmp(o, "no-new-privileges") != 0) {
			json_decref(a);
			return fail(t, -EINVAL, "docker %s: invalid --security-opt: \"%s\"",
			    t->cmd, o);
		}
		if (strcmp(o, "systempaths=unconfined") == 0) {
			json_object_set_new(hc, "MaskedPaths", json_array());
			json_object_set_new(hc, "ReadonlyPaths", json_array());
			continue;
		}
		if ((strncmp(o, "seccomp=", 8) == 0 || strncmp(o, "seccomp:", 8) == 0) &&
		    strcmp(o + 8, "unconfined") != 0) {
			if ((text = file_read(t, "--security-opt seccomp=", o + 8)) == NULL) {
				json_decref(a);
				return -EINVAL;
			}
			j = json_loads(text, 0, NULL);
			free(text);
			if (j == NULL) {
				json_decref(a);
				return fail(t, -EINVAL, "docker %s: seccomp profile %s is not "
				    "JSON", t->cmd, o + 8);
			}
			compact = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
			json_decref(j);
			if (compact == NULL) {
				json_decref(a);
				return nomem(t);
			}
			size_t len = strlen(compact) + 9;
			char *s = malloc(len);

			if (s != NULL) {
				snprintf(s, len, "seccomp=%s", compact);
				json_array_append_new(a, json_string(s));
			}
			free(s);
			free(compact);
			continue;
		}
		json_array_append_new(a, json_string(o));
	}
	if (json_array_size(a) > 0)
		json_object_set_new(hc, "SecurityOpt", a);
	else
		json_decref(a);
	return 0;
}

/* A memory-like flag into obj[key]; memory-swap also takes -1. */
static int
set_bytes(struct tr *t, const struct parsed *p, int id, const char *flag, json_t *obj,
    const char *key)
{
	const char	*v = get_str(p, id);
	long long	 n;

	if (v == NULL)
		return 0;
	if (strcmp(v, "-1") == 0 && id == R_MEMSWAP)
		n = -1;
	else if (ram_bytes(v, &n) < 0)
		return fail(t, -EINVAL, "docker %s --%s %s: invalid size", t->cmd, flag, v);
	json_object_set_new(obj, key, json_integer(n));
	return 0;
}

static int
set_int(struct tr *t, const struct parsed *p, int id, const char *flag, json_t *obj,
    const char *key)
{
	const char	*v = get_str(p, id);
	long long	 n;

	if (v == NULL)
		return 0;
	if (parse_ll(v, &n) < 0)
		return fail(t, -EINVAL, "docker %s --%s %s: invalid number", t->cmd, flag, v);
	json_object_set_new(obj, key, json_integer(n));
	return 0;
}

static void
set_str(const struct parsed *p, int id, json_t *obj, const char *key)
{
	const char	*v = get_str(p, id);

	if (v != NULL && v[0] != '\0')
		json_object_set_new(obj, key, json_string(v));
}

static void
set_list(const struct parsed *p, int id, json_t *obj, const char *key)
{
	struct dw_strv	l = { 0 };

	get_list(p, id, &l);
	if (l.n > 0)
		json_object_set_new(obj, key, str_array(&l));
	dw_strv_clear(&l);
}

/* The container create body and query of `docker run|create` (opts.go parse). */
static int
container_body(struct tr *t, const struct parsed *p, bool run, json_t **ret)
{
	struct dw_strv	 l = { 0 }, l2 = { 0 }, env = { 0 };
	json_t		*cfg, *hc, *exposed, *bindings, *vols, *a, *m, *eps;
	const char	*v, *net = "default";
	bool		 detach = run && get_bool(p, R_DETACH, false);
	bool		 stdin_ = get_bool(p, R_INTERACTIVE, false);
	bool		 as_in = false, as_out = false, as_err = false;
	size_t		 i;
	int		 r = -EINVAL;

	cfg = json_object();
	hc = json_object();
	exposed = json_object();
	bindings = json_object();
	vols = json_object();
	if (cfg == NULL || hc == NULL || exposed == NULL || bindings == NULL || vols == NULL) {
		r = nomem(t);
		goto out;
	}
	/* Attach: -a, else stdout and stderr; -i adds stdin; run -d none. */
	get_list(p, R_ATTACH, &l);
	for (i = 0; i < l.n; i++) {
		if (strcasecmp(l.v[i], "stdin") == 0)
			as_in = true;
		else if (strcasecmp(l.v[i], "stdout") == 0)
			as_out = true;
		else if (strcasecmp(l.v[i], "stderr") == 0)
			as_err = true;
		else {
			fail(t, -EINVAL, "docker %s -a %s: valid streams are STDIN, STDOUT "
			    "and STDERR", t->cmd, l.v[i]);
			goto out;
		}
	}
	if (l.n == 0)
		as_out = as_err = true;
	if (stdin_)
		as_in = true;
	if (detach) {
		if (l.n > 0) {
			fail(t, -EINVAL, "docker run: conflicting options: -a and -d");
			goto out;
		}
		as_in = as_out = as_err = false;
	}
	dw_strv_clear(&l);
	json_object_set_new(cfg, "AttachStdin", json_boolean(as_in));
	json_object_set_new(cfg, "AttachStdout", json_boolean(as_out));
	json_object_set_new(cfg, "AttachStderr", json_boolean(as_err));
	json_object_set_new(cfg, "OpenStdin", json_boolean(stdin_));
	json_object_set_new(cfg, "StdinOnce", json_boolean(stdin_ && as_in));
	json_object_set_new(cfg, "Tty", json_boolean(get_bool(p, R_TTY, false)));
	set_str(p, R_HOSTNAME, cfg, "Hostname");
	set_str(p, R_DOMAINNAME, cfg, "Domainname");
	set_str(p, R_USER, cfg, "User");
	set_str(p, R_WORKDIR, cfg, "WorkingDir");
	set_str(p, R_MAC, cfg, "MacAddress");
	set_str(p, R_STOPSIGNAL, cfg, "StopSignal");
	if (set_int(t, p, R_STOPTIMEOUT, "stop-timeout", cfg, "StopTimeout") < 0)
		goto out;
	if ((v = get_str(p, R_ENTRYPOINT)) != NULL)
		json_object_set_new(cfg, "Entrypoint", json_pack("[s]", v));
	/* Environment and labels, files first. */
	get_list(p, R_ENVFILE, &l);
	get_list(p, R_ENV, &l2);
	if (kv_files(t, "--env-file", &l, true, &l2, &env) < 0)
		goto out;
	if (env.n > 0)
		json_object_set_new(cfg, "Env", str_array(&env));
	dw_strv_clear(&l);
	dw_strv_clear(&l2);
	dw_strv_clear(&env);
	get_list(p, R_LABELFILE, &l);
	get_list(p, R_LABEL, &l2);
	if (kv_files(t, "--label-file", &l, false, &l2, &env) < 0)
		goto out;
	json_object_set_new(cfg, "Labels", kv_map(&env));
	dw_strv_clear(&l);
	dw_strv_clear(&l2);
	dw_strv_clear(&env);
	/* Image and command. */
	json_object_set_new(cfg, "Image", json_string(p->pos[0]));
	if (p->npos > 1) {
		a = json_array();
		for (i = 1; i < p->npos; i++)
			json_array_append_new(a, json_string(p->pos[i]));
		json_object_set_new(cfg, "Cmd", a);
	}
	/* -v: a spec with a source is a bind (or named volume), else an anonymous volume. */
	a = json_array();
	get_list(p, R_VOLUME, &l);
	for (i = 0; i < l.n; i++) {
		if (strchr(l.v[i], ':') != NULL)
			json_array_append_new(a, json_string(l.v[i]));
		else
			json_object_set_new(vols, l.v[i], json_object());
	}
	dw_strv_clear(&l);
	if (json_array_size(a) > 0)
		json_object_set_new(hc, "Binds", a);
	else
		json_decref(a);
	json_object_set(cfg, "Volumes", vols);
	/* --mount */
	get_list(p, R_MOUNT, &l);
	if (l.n > 0) {
		a = json_array();
		json_object_set_new(hc, "Mounts", a);
		for (i = 0; i < l.n; i++) {
			if (mount_parse(t, l.v[i], &m) < 0)
				goto out;
			json_array_append_new(a, m);
		}
	}
	dw_strv_clear(&l);
	/* --tmpfs PATH[:OPTS] */
	get_list(p, R_TMPFS, &l);
	if (l.n > 0) {
		m = json_object();
		for (i = 0; i < l.n; i++) {
			char path[1024];
			size_t n = strcspn(l.v[i], ":");

			snprintf(path, sizeof(path), "%.*s", (int)(n < 1023 ? n : 1023), l.v[i]);
			json_object_set_new(m, path, json_string(l.v[i][n] ? l.v[i] + n + 1 : ""));
		}
		json_object_set_new(hc, "Tmpfs", m);
	}
	dw_strv_clear(&l);
	set_list(p, R_VOLUMESFROM, hc, "VolumesFrom");
	set_str(p, R_VOLDRIVER, hc, "VolumeDriver");
	/* Ports */
	get_list(p, R_PUBLISH, &l);
	for (i = 0; i < l.n; i++)
		if (ports_add(t, l.v[i], exposed, bindings) < 0)
			goto out;
	dw_strv_clear(&l);
	get_list(p, R_EXPOSE, &l);
	for (i = 0; i < l.n; i++) {
		char buf[128], *slash;
		unsigned lo, hi, k;
		const char *proto = "tcp";

		snprintf(buf, sizeof(buf), "%s", l.v[i]);
		if ((slash = strchr(buf, '/')) != NULL) {
			*slash = '\0';
			proto = slash + 1;
		}
		if (strchr(buf, ':') != NULL || port_range(buf, &lo, &hi) < 0) {
			fail(t, -EINVAL, "docker %s --expose %s: invalid port", t->cmd, l.v[i]);
			goto out;
		}
		for (k = lo; k <= hi; k++) {
			char key[96];

			snprintf(key, sizeof(key), "%u/%s", k, proto);
			json_object_set_new(exposed, key, json_object());
		}
	}
	dw_strv_clear(&l);
	if (json_object_size(exposed) > 0)
		json_object_set(cfg, "ExposedPorts", exposed);
	json_object_set(hc, "PortBindings", bindings);
	json_object_set_new(hc, "PublishAllPorts", json_boolean(get_bool(p, R_PUBLISHALL, false)));
	/* Security */
	json_object_set_new(hc, "Privileged", json_boolean(get_bool(p, R_PRIVILEGED, false)));
	set_list(p, R_CAPADD, hc, "CapAdd");
	set_list(p, R_CAPDROP, hc, "CapDrop");
	get_list(p, R_SECOPT, &l);
	if (secopts(t, &l, hc) < 0)
		goto out;
	dw_strv_clear(&l);
	set_str(p, R_USERNS, hc, "UsernsMode");
	set_str(p, R_CGROUPNS, hc, "CgroupnsMode");
	set_str(p, R_PID, hc, "PidMode");
	set_str(p, R_IPC, hc, "IpcMode");
	set_str(p, R_UTS, hc, "UTSMode");
	set_str(p, R_RUNTIME, hc, "Runtime");
	set_str(p, R_ISOLATION, hc, "Isolation");
	set_str(p, R_CGPARENT, hc, "CgroupParent");
	set_str(p, R_CIDFILE, hc, "ContainerIDFile");
	set_list(p, R_GROUPADD, hc, "GroupAdd");
	set_list(p, R_ADDHOST, hc, "ExtraHosts");
	set_list(p, R_DNS, hc, "Dns");
	set_list(p, R_DNSOPT, hc, "DnsOptions");
	set_list(p, R_DNSSEARCH, hc, "DnsSearch");
	set_list(p, R_LINK, hc, "Links");
	set_list(p, R_DEVCG, hc, "DeviceCgroupRules");
	get_list(p, R_DEVICE, &l);
	if (l.n > 0) {
		a = json_array();
		json_object_set_new(hc, "Devices", a);
		for (i = 0; i < l.n; i++) {
			if ((m = device_parse(l.v[i])) == NULL) {
				fail(t, -EINVAL, "docker %s --device %s: invalid device "
				    "specification", t->cmd, l.v[i]);
				goto out;
			}
			json_array_append_new(a, m);
		}
	}
	dw_strv_clear(&l);
	if ((v = get_str(p, R_GPUS)) != NULL)
		json_object_set_new(hc, "DeviceRequests", gpus_parse(v));
	get_list(p, R_SYSCTL, &l);
	if (l.n > 0)
		json_object_set_new(hc, "Sysctls", kv_map(&l));
	dw_strv_clear(&l);
	get_list(p, R_STORAGEOPT, &l);
	if (l.n > 0)
		json_object_set_new(hc, "StorageOpt", kv_map(&l));
	dw_strv_clear(&l);
	json_object_set_new(hc, "ReadonlyRootfs", json_boolean(get_bool(p, R_READONLY, false)));
	json_object_set_new(hc, "AutoRemove", json_boolean(get_bool(p, R_RM, false)));
	if (given(p, R_INIT))
		json_object_set_new(hc, "Init", json_boolean(get_bool(p, R_INIT, false)));
	if ((v = get_str(p, R_RESTART)) == NULL)
		v = "no";
	if (restart_parse(t, v, &m) < 0)
		goto out;
	if (get_bool(p, R_RM, false) && strcmp(v, "no") != 0) {
		json_decref(m);
		fail(t, -EINVAL, "docker %s: conflicting options: --restart and --rm", t->cmd);
		goto out;
	}
	json_object_set_new(hc, "RestartPolicy", m);
	get_list(p, R_LOGOPT, &l);
	json_object_set_new(hc, "LogConfig", json_pack("{s:s, s:o}", "Type",
	    str_or(p, R_LOGDRIVER, ""), "Config", kv_map(&l)));
	dw_strv_clear(&l);
	/* Resources the rules may read, and those the CLI always sends. */
	if (set_bytes(t, p, R_MEMORY, "memory", hc, "Memory") < 0 ||
	    set_bytes(t, p, R_MEMRES, "memory-reservation", hc, "MemoryReservation") < 0 ||
	    set_bytes(t, p, R_MEMSWAP, "memory-swap", hc, "MemorySwap") < 0 ||
	    set_bytes(t, p, R_KMEM, "kernel-memory", hc, "KernelMemory") < 0 ||
	    set_bytes(t, p, R_SHM, "shm-size", hc, "ShmSize") < 0 ||
	    set_int(t, p, R_PIDS, "pids-limit", hc, "PidsLimit") < 0 ||
	    set_int(t, p, R_OOMSCORE, "oom-score-adj", hc, "OomScoreAdj") < 0 ||
	    set_int(t, p, R_CPUSHARES, "cpu-shares", hc, "CpuShares") < 0 ||
	    set_int(t, p, R_CPUPERIOD, "cpu-period", hc, "CpuPeriod") < 0 ||
	    set_int(t, p, R_CPUQUOTA, "cpu-quota", hc, "CpuQuota") < 0 ||
	    set_int(t, p, R_BLKIO, "blkio-weight", hc, "BlkioWeight") < 0)
		goto out;
	if (!given(p, R_SWAPPINESS))
		json_object_set_new(hc, "MemorySwappiness", json_integer(-1));
	else if (set_int(t, p, R_SWAPPINESS, "memory-swappiness", hc, "MemorySwappiness") < 0)
		goto out;
	if (given(p, R_OOMKILL))
		json_object_set_new(hc, "OomKillDisable", json_boolean(get_bool(p, R_OOMKILL, false)));
	set_str(p, R_CPUSETCPUS, hc, "CpusetCpus");
	set_str(p, R_CPUSETMEMS, hc, "CpusetMems");
	if ((v = get_str(p, R_CPUS)) != NULL) {
		char *end;
		double c = strtod(v, &end);

		if (*v == '\0' || *end != '\0' || c < 0) {
			fail(t, -EINVAL, "docker %s --cpus %s: invalid number", t->cmd, v);
			goto out;
		}
		json_object_set_new(hc, "NanoCpus", json_integer((json_int_t)(c * 1e9 + 0.5)));
	}
	json_object_set_new(hc, "ConsoleSize", json_pack("[i, i]", 0, 0));
	/* Networks: the first names the mode; per-network settings go to EndpointsConfig. */
	eps = json_object();
	get_list(p, R_NETWORK, &l);
	for (i = 0; i < l.n; i++) {
		const char *n = l.v[i];
		char target[256] = "";
		json_t *ep = json_object();

		if (strchr(n, '=') != NULL) {
			char buf[1024], *f, *save = NULL;

			snprintf(buf, sizeof(buf), "%s", n);
			for (f = strtok_r(buf, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
				if (strncmp(f, "name=", 5) == 0)
					snprintf(target, sizeof(target), "%s", f + 5);
				else if (strncmp(f, "alias=", 6) == 0) {
					json_t *al = json_object_get(ep, "Aliases");

					if (al == NULL)
						json_object_set_new(ep, "Aliases", al = json_array());
					json_array_append_new(al, json_string(f + 6));
				} else if (strncmp(f, "ip=", 3) == 0 || strncmp(f, "ip6=", 4) == 0)
					json_object_set_new(ep, "IPAMConfig", json_pack("{s:s}",
					    f[2] == '=' ? "IPv4Address" : "IPv6Address",
					    f + (f[2] == '=' ? 3 : 4)));
				else if (strncmp(f, "driver-opt=", 11) != 0) {
					json_decref(ep);
					json_decref(eps);
					fail(t, -EINVAL, "docker %s --network %s: invalid field key %s",
					    t->cmd, n, f);
					goto out;
				}
			}
		} else
			snprintf(target, sizeof(target), "%s", n);
		if (i == 0) {
			net = l.v[i];
			json_object_set_new(hc, "NetworkMode", json_string(target));
			get_list(p, R_ALIAS, &l2);
			if (l2.n > 0)
				json_object_set_new(ep, "Aliases", str_array(&l2));
			dw_strv_clear(&l2);
			if ((v = get_str(p, R_IP)) != NULL || (v = get_str(p, R_IP6)) != NULL)
				json_object_set_new(ep, "IPAMConfig", json_pack("{s:s}",
				    get_str(p, R_IP) ? "IPv4Address" : "IPv6Address", v));
			get_list(p, R_LINKLOCAL, &l2);
			dw_strv_clear(&l2);
		}
		/* A single network without settings sends no endpoint. */
		if (json_object_size(ep) > 0 || l.n > 1)
			json_object_set_new(eps, target, ep);
		else
			json_decref(ep);
	}
	(void)net;
	if (l.n == 0)
		json_object_set_new(hc, "NetworkMode", json_string("default"));
	dw_strv_clear(&l);
	json_object_set_new(cfg, "NetworkingConfig", json_pack("{s:o}", "EndpointsConfig", eps));
	json_object_set(cfg, "HostConfig", hc);
	*ret = cfg;
	cfg = NULL;
	r = 0;
out:
	dw_strv_clear(&l);
	dw_strv_clear(&l2);
	dw_strv_clear(&env);
	json_decref(cfg);
	json_decref(hc);
	json_decref(exposed);
	json_decref(bindings);
	json_decref(vols);
	return r;
}

/* Flags that the body leaves out: say so once each. */
static void
run_notes(struct cli_docker_req *r, const struct parsed *p)
{
	size_t	i, k;

	for (i = 0; i < p->no; i++) {
		if (p->o[i].f->id != R_NOTE)
			continue;
		for (k = 0; k < i; k++)
			if (p->o[k].f == p->o[i].f)
				break;
		if (k == i)
			note(r, "--%s is not in the body explain builds: no rule reads it",
			    p->o[i].f->name);
	}
}

static int
cmd_run(struct tr *t, int argc, char *const argv[], int i, bool run)
{
	struct parsed		 p = { 0 };
	struct query		 q = { 0 };
	struct cli_docker_req	*rq;
	json_t			*body = NULL;
	const char		*v, *pull, *id;
	char			*name = NULL, *tag = NULL, path[512];
	int			 r;

	if ((r = flags_parse(t, argc, argv, i, run_flags, false, &p)) < 0)
		goto out;
	if (!run && given(&p, R_DETACH)) {
		r = fail(t, -EINVAL, "unknown shorthand flag: 'd' for \"docker create\"");
		goto out;
	}
	if (p.npos < 1) {
		r = fail(t, -EINVAL, "\"docker %s\" requires at least 1 argument (the image)",
		    t->cmd);
		goto out;
	}
	pull = str_or(&p, R_PULL, "missing");
	if (strcmp(pull, "missing") != 0 && strcmp(pull, "always") != 0 &&
	    strcmp(pull, "never") != 0) {
		r = fail(t, -EINVAL, "docker %s --pull %s: want missing, always or never",
		    t->cmd, pull);
		goto out;
	}
	if ((r = ref_split(t, p.pos[0], true, &name, &tag)) < 0)
		goto out;
	if (strcmp(pull, "always") == 0) {
		q_add(&q, "fromImage", name);
		q_add(&q, "tag", tag);
		if ((v = get_str(&p, R_PLATFORM)) != NULL)
			q_add(&q, "platform", v);
		rq = req_add(t, "POST", "/images/create", &q, NULL);
		q_clear(&q);
		if (rq == NULL) {
			r = -ENOMEM;
			goto out;
		}
		note(rq, "--pull always: the CLI pulls %s before it creates the container",
		    p.pos[0]);
	}
	if ((r = container_body(t, &p, run, &body)) < 0)
		goto out;
	if ((v = get_str(&p, R_NAME)) != NULL && v[0] != '\0')
		q_add(&q, "name", v);
	if ((v = get_str(&p, R_PLATFORM)) != NULL && v[0] != '\0')
		q_add(&q, "platform", v);
	rq = req_add(t, "POST", "/containers/create", &q, body);
	body = NULL;
	if (rq == NULL) {
		r = -ENOMEM;
		goto out;
	}
	run_notes(rq, &p);
	if (strcmp(pull, "missing") == 0)
		note(rq, "if %s is not on this host, dockerd answers 404 and the CLI pulls "
		    "it (POST /images/create?fromImage=%s&tag=%s), then creates again; "
		    "`dockward explain -- docker pull %s` judges that pull", p.pos[0],
		    name, tag, p.pos[0]);
	if (!run)
		goto done;
	/* The calls after create: judged here by the caller's rules only. */
	id = (v = get_str(&p, R_NAME)) && v[0] ? v : "NEW_CONTAINER";
	note(rq, "docker run then calls%s POST /containers/{id}/start; dockerd's "
	    "plugin checks start again (a socket-mounting container's image, by the Id "
	    "dockerd resolved), which needs the created container: not judged here",
	    get_bool(&p, R_DETACH, false) ? "" : " POST /containers/{id}/attach, "
	    "POST /containers/{id}/wait and");
	if (!get_bool(&p, R_DETACH, false)) {
		snprintf(path, sizeof(path), "/containers/%s/attach", id);
		q_add(&q, "stream", "1");
		if (get_bool(&p, R_INTERACTIVE, false))
			q_add(&q, "stdin", "1");
		q_add(&q, "stdout", "1");
		q_add(&q, "stderr", "1");
		if ((rq = req_add(t, "POST", path, &q, NULL)) == NULL) {
			r = -ENOMEM;
			goto out;
		}
		rq->caller_only = true;
		q_clear(&q);
		snprintf(path, sizeof(path), "/containers/%s/wait", id);
		q_add(&q, "condition", get_bool(&p, R_RM, false) ? "removed" : "next-exit");
		if ((rq = req_add(t, "POST", path, &q, NULL)) == NULL) {
			r = -ENOMEM;
			goto out;
		}
		rq->caller_only = true;
		q_clear(&q);
	}
	snprintf(path, sizeof(path), "/containers/%s/start", id);
	if ((rq = req_add(t, "POST", path, NULL, NULL)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	rq->caller_only = true;
done:
	r = 0;
out:
	json_decref(body);
	q_clear(&q);
	free(name);
	free(tag);
	parsed_clear(&p);
	return r;
}

/* ---- docker exec ---- */

enum { E_DETACH = 1, E_DKEYS, E_INTER, E_TTY, E_USER, E_PRIV, E_ENV, E_ENVFILE, E_WORKDIR };

static const struct cflag exec_flags[] = {
	{ "detach", 'd', FK_BOOL, E_DETACH, NULL },
	{ "detach-keys", 0, FK_STR, E_DKEYS, NULL },
	{ "interactive", 'i', FK_BOOL, E_INTER, NULL },
	{ "tty", 't', FK_BOOL, E_TTY, NULL },
	{ "user", 'u', FK_STR, E_USER, NULL },
	{ "privileged", 0, FK_BOOL, E_PRIV, NULL },
	{ "env", 'e', FK_LIST, E_ENV, NULL },
	{ "env-file", 0, FK_LIST, E_ENVFILE, NULL },
	{ "workdir", 'w', FK_STR, E_WORKDIR, NULL },
	{ NULL, 0, 0, 0, NULL }
};

static int
cmd_exec(struct tr *t, int argc, char *const argv[], int i)
{
	struct parsed		 p = { 0 };
	struct dw_strv		 l = { 0 }, l2 = { 0 }, env = { 0 };
	struct cli_docker_req	*rq;
	json_t			*body, *cmd;
	char			 path[512];
	bool			 detach, inter;
	size_t			 k;
	int			 r;

	if ((r = flags_parse(t, argc, argv, i, exec_flags, false, &p)) < 0)
		goto out;
	if (p.npos < 2) {
		r = fail(t, -EINVAL, "\"docker exec\" requires at least 2 arguments "
		    "(a container and a command)");
		goto out;
	}
	detach = get_bool(&p, E_DETACH, false);
	inter = get_bool(&p, E_INTER, false);
	get_list(&p, E_ENVFILE, &l);
	get_list(&p, E_ENV, &l2);
	if ((r = kv_files(t, "--env-file", &l, true, &l2, &env)) < 0)
		goto out;
	snprintf(path, sizeof(path), "/containers/%s/json", p.pos[0]);
	if ((rq = req_add(t, "GET", path, NULL, NULL)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	note(rq, "the CLI inspects the container first");
	cmd = json_array();
	for (k = 1; k < p.npos; k++)
		json_array_append_new(cmd, json_string(p.pos[k]));
	body = json_pack("{s:b, s:b, s:b, s:o, s:b, s:s, s:o, s:b, s:b, s:s, s:s}",
	    "AttachStdin", inter && !detach, "AttachStdout", !detach,
	    "AttachStderr", !detach, "Cmd", cmd, "Detach", detach, "DetachKeys",
	    str_or(&p, E_DKEYS, ""), "Env", env.n ? str_array(&env) : json_null(),
	    "Privileged", get_bool(&p, E_PRIV, false), "Tty", get_bool(&p, E_TTY, false),
	    "User", str_or(&p, E_USER, ""),
	    "WorkingDir", str_or(&p, E_WORKDIR, ""));
	snprintf(path, sizeof(path), "/containers/%s/exec", p.pos[0]);
	if (body == NULL || req_add(t, "POST", path, NULL, body) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	rq = req_add(t, "POST", "/exec/EXEC_ID/start", NULL, json_pack("{s:b, s:b}",
	    "Detach", detach, "Tty", get_bool(&p, E_TTY, false)));
	if (rq == NULL) {
		r = -ENOMEM;
		goto out;
	}
	rq->caller_only = true;
	note(rq, "EXEC_ID stands for the id dockerd returns for the exec");
	r = 0;
out:
	dw_strv_clear(&l);
	dw_strv_clear(&l2);
	dw_strv_clear(&env);
	parsed_clear(&p);
	return r;
}

/* ---- table-driven simple commands ---- */

#define QF(n, s, k, q)	{ n, s, k, 1, q }
#define QEND		{ NULL, 0, 0, 0, NULL }

/* How a simple command turns its arguments into requests. */
enum smode {
	S_NONE,		/* no argument: one request */
	S_EACH,		/* one request per argument: path has one %s */
	S_ONE,		/* exactly one argument: path has one %s */
};

struct simple {
	const char		*name;		/* canonical command */
	const char		*method;
	const char		*path;
	enum smode		 mode;
	const struct cflag	*flags;
	const char		*fixed;		/* "k=v&k2=v2" query the CLI always sends */
	const char		*aux;		/* a GET the CLI makes first, "/containers/%s/json" */
};

static const struct cflag f_none[] = { QEND };
static const struct cflag f_ps[] = {
	QF("all", 'a', FK_BOOL, "all"), QF("filter", 'f', FK_LIST, NULL),
	QF("format", 0, FK_STR, NULL), QF("last", 'n', FK_STR, "limit"),
	QF("latest", 'l', FK_BOOL, NULL), QF("no-trunc", 0, FK_BOOL, NULL),
	QF("quiet", 'q', FK_BOOL, NULL), QF("size", 's', FK_BOOL, "size"), QEND };
static const struct cflag f_images[] = {
	QF("all", 'a', FK_BOOL, "all"), QF("digests", 0, FK_BOOL, NULL),
	QF("filter", 'f', FK_LIST, NULL), QF("format", 0, FK_STR, NULL),
	QF("no-trunc", 0, FK_BOOL, NULL), QF("quiet", 'q', FK_BOOL, NULL), QEND };
static const struct cflag f_inspect[] = {
	QF("format", 'f', FK_STR, NULL), QF("size", 's', FK_BOOL, "size"),
	QF("type", 0, FK_STR, NULL), QEND };
static const struct cflag f_fmt[] = { QF("format", 'f', FK_STR, NULL), QEND };
static const struct cflag f_rm[] = {
	QF("force", 'f', FK_BOOL, "force"), QF("link", 'l', FK_BOOL, "link"),
	QF("volumes", 'v', FK_BOOL, "v"), QEND };
static const struct cflag f_rmi[] = {
	QF("force", 'f', FK_BOOL, "force"), QF("no-prune", 0, FK_BOOL, "noprune"), QEND };
static const struct cflag f_stop[] = { QF("time", 't', FK_STR, "t"), QEND };
static const struct cflag f_kill[] = { QF("signal", 's', FK_STR, "signal"), QEND };
static const struct cflag f_start[] = {
	QF("attach", 'a', FK_BOOL, NULL), QF("interactive", 'i', FK_BOOL, NULL),
	QF("detach-keys", 0, FK_STR, NULL), QF("checkpoint", 0, FK_STR, "checkpoint"),
	QF("checkpoint-dir", 0, FK_STR, "checkpoint-dir"), QEND };
static const struct cflag f_logs[] = {
	QF("details", 0, FK_BOOL, "details"), QF("follow", 'f', FK_BOOL, "follow"),
	QF("since", 0, FK_STR, "since"), QF("tail", 'n', FK_STR, "tail"),
	QF("timestamps", 't', FK_BOOL, "timestamps"), QF("until", 0, FK_STR, "until"), QEND };
static const struct cflag f_prune[] = {
	QF("all", 'a', FK_BOOL, NULL), QF("force", 'f', FK_BOOL, NULL),
	QF("filter", 0, FK_LIST, NULL), QF("volumes", 0, FK_BOOL, NULL), QEND };
static const struct cflag f_events[] = {
	QF("filter", 'f', FK_LIST, NULL), QF("format", 0, FK_STR, NULL),
	QF("since", 0, FK_STR, "since"), QF("until", 0, FK_STR, "until"), QEND };
static const struct cflag f_df[] = {
	QF("format", 0, FK_STR, NULL), QF("verbose", 'v', FK_BOOL, NULL), QEND };
static const struct cflag f_search[] = {
	QF("filter", 'f', FK_LIST, NULL), QF("format", 0, FK_STR, NULL),
	QF("limit", 0, FK_STR, "limit"), QF("no-trunc", 0, FK_BOOL, NULL), QEND };
static const struct cflag f_history[] = {
	QF("format", 0, FK_STR, NULL), QF("human", 'H', FK_BOOL, NULL),
	QF("no-trunc", 0, FK_BOOL, NULL), QF("quiet", 'q', FK_BOOL, NULL), QEND };
static const struct cflag f_save[] = { QF("output", 'o', FK_STR, NULL), QEND };
static const struct cflag f_top[] = { QEND };
static const struct cflag f_stats[] = {
	QF("all", 'a', FK_BOOL, NULL), QF("format", 0, FK_STR, NULL),
	QF("no-stream", 0, FK_BOOL, NULL), QF("no-trunc", 0, FK_BOOL, NULL), QEND };
static const struct cflag f_attach[] = {
	QF("detach-keys", 0, FK_STR, "detachKeys"), QF("no-stdin", 0, FK_BOOL, NULL),
	QF("sig-proxy", 0, FK_BOOL, NULL), QEND };
static const struct cflag f_ls[] = {
	QF("filter", 'f', FK_LIST, NULL), QF("format", 0, FK_STR, NULL),
	QF("quiet", 'q', FK_BOOL, NULL), QF("no-trunc", 0, FK_BOOL, NULL), QEND };
static const struct cflag f_force[] = { QF("force", 'f', FK_BOOL, "force"), QEND };
static const struct cflag f_plugin_enable[] = { QF("timeout", 0, FK_STR, "timeout"), QEND };
static const struct cflag f_swarm_leave[] = { QF("force", 'f', FK_BOOL, "force"), QEND };
static const struct cflag f_wait[] = { QEND };

static const struct simple simples[] = {
	{ "ps", "GET", "/containers/json", S_NONE, f_ps, NULL, NULL },
	{ "images", "GET", "/images/json", S_NONE, f_images, NULL, NULL },
	{ "inspect", "GET", "/containers/%s/json", S_EACH, f_inspect, NULL, NULL },
	{ "container inspect", "GET", "/containers/%s/json", S_EACH, f_inspect, NULL, NULL },
	{ "image inspect", "GET", "/images/%s/json", S_EACH, f_fmt, NULL, NULL },
	{ "rm", "DELETE", "/containers/%s", S_EACH, f_rm, NULL, NULL },
	{ "rmi", "DELETE", "/images/%s", S_EACH, f_rmi, NULL, NULL },
	{ "stop", "POST", "/containers/%s/stop", S_EACH, f_stop, NULL, NULL },
	{ "restart", "POST", "/containers/%s/restart", S_EACH, f_stop, NULL, NULL },
	{ "kill", "POST", "/containers/%s/kill", S_EACH, f_kill, NULL, NULL },
	{ "pause", "POST", "/containers/%s/pause", S_EACH, f_none, NULL, NULL },
	{ "unpause", "POST", "/containers/%s/unpause", S_EACH, f_none, NULL, NULL },
	{ "wait", "POST", "/containers/%s/wait", S_EACH, f_wait, NULL, NULL },
	{ "start", "POST", "/containers/%s/start", S_EACH, f_start, NULL, NULL },
	{ "logs", "GET", "/containers/%s/logs", S_ONE, f_logs, "stdout=1&stderr=1",
	    "/containers/%s/json" },
	{ "attach", "POST", "/containers/%s/attach", S_ONE, f_attach,
	    "stream=1&stdin=1&stdout=1&stderr=1", "/containers/%s/json" },
	{ "top", "GET", "/containers/%s/top", S_ONE, f_top, NULL, NULL },
	{ "diff", "GET", "/containers/%s/changes", S_ONE, f_none, NULL, NULL },
	{ "port", "GET", "/containers/%s/json", S_ONE, f_none, NULL, NULL },
	{ "export", "GET", "/containers/%s/export", S_ONE, f_save, NULL, NULL },
	{ "stats", "GET", "/containers/%s/stats", S_EACH, f_stats, "stream=0", NULL },
	{ "history", "GET", "/images/%s/history", S_ONE, f_history, NULL, NULL },
	{ "search", "GET", "/images/search", S_ONE, f_search, NULL, NULL },
	{ "info", "GET", "/info", S_NONE, f_fmt, NULL, NULL },
	{ "version", "GET", "/version", S_NONE, f_fmt, NULL, NULL },
	{ "events", "GET", "/events", S_NONE, f_events, NULL, NULL },
	{ "system df", "GET", "/system/df", S_NONE, f_df, NULL, NULL },
	{ "container prune", "POST", "/containers/prune", S_NONE, f_prune, NULL, NULL },
	{ "image prune", "POST", "/images/prune", S_NONE, f_prune, NULL, NULL },
	{ "volume prune", "POST", "/volumes/prune", S_NONE, f_prune, NULL, NULL },
	{ "network prune", "POST", "/networks/prune", S_NONE, f_prune, NULL, NULL },
	{ "builder prune", "POST", "/build/prune", S_NONE, f_prune, NULL, NULL },
	{ "volume ls", "GET", "/volumes", S_NONE, f_ls, NULL, NULL },
	{ "volume inspect", "GET", "/volumes/%s", S_EACH, f_fmt, NULL, NULL },
	{ "volume rm", "DELETE", "/volumes/%s", S_EACH, f_force, NULL, NULL },
	{ "network ls", "GET", "/networks", S_NONE, f_ls, NULL, NULL },
	{ "network inspect", "GET", "/networks/%s", S_EACH, f_fmt, NULL, NULL },
	{ "network rm", "DELETE", "/networks/%s", S_EACH, f_none, NULL, NULL },
	{ "plugin ls", "GET", "/plugins", S_NONE, f_ls, NULL, NULL },
	{ "plugin inspect", "GET", "/plugins/%s/json", S_EACH, f_fmt, NULL, NULL },
	{ "plugin enable", "POST", "/plugins/%s/enable", S_ONE, f_plugin_enable,
	    "timeout=30", NULL },
	{ "plugin disable", "POST", "/plugins/%s/disable", S_ONE, f_force, NULL, NULL },
	{ "plugin rm", "DELETE", "/plugins/%s", S_EACH, f_force, NULL, NULL },
	{ "swarm leave", "POST", "/swarm/leave", S_NONE, f_swarm_leave, NULL, NULL },
	{ "service ls", "GET", "/services", S_NONE, f_ls, NULL, NULL },
	{ "service rm", "DELETE", "/services/%s", S_EACH, f_none, NULL, NULL },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL }
};

/* tmpl with its one "%s" replaced by arg. */
static void
path_fill(char *buf, size_t len, const char *tmpl, const char *arg)
{
	const char	*pc = strstr(tmpl, "%s");

	if (pc == NULL)
		snprintf(buf, len, "%s", tmpl);
	else
		snprintf(buf, len, "%.*s%s%s", (int)(pc - tmpl), tmpl, arg, pc + 2);
}

/* Add "k=v&k2=v2" to q. */
static void
q_fixed(struct query *q, const char *fixed)
{
	char	buf[256], *f, *save = NULL, *eq;

	if (fixed == NULL)
		return;
	snprintf(buf, sizeof(buf), "%s", fixed);
	for (f = strtok_r(buf, "&", &save); f; f = strtok_r(NULL, "&", &save)) {
		if ((eq = strchr(f, '=')) != NULL)
			*eq++ = '\0';
		q_add(q, f, eq ? eq : "");
	}
}

static int
cmd_simple(struct tr *t, const struct simple *s, int argc, char *const argv[], int i)
{
	struct parsed		 p = { 0 };
	struct query		 q = { 0 };
	struct cli_docker_req	*rq;
	char			 path[1024];
	size_t			 k, n, o;
	int			 r;

	if ((r = flags_parse(t, argc, argv, i, s->flags, true, &p)) < 0)
		goto out;
	if ((s->mode == S_NONE && p.npos > 0 && strcmp(s->name, "search") != 0) ||
	    (s->mode == S_ONE && p.npos != 1) || (s->mode == S_EACH && p.npos < 1)) {
		r = fail(t, -EINVAL, "\"docker %s\" takes %s", s->name,
		    s->mode == S_NONE ? "no arguments" : s->mode == S_ONE ?
		    "exactly 1 argument" : "at least 1 argument");
		goto out;
	}
	n = s->mode == S_NONE ? 1 : p.npos;
	for (k = 0; k < n; k++) {
		q_fixed(&q, s->fixed);
		for (o = 0; o < p.no; o++) {
			const struct cflag *f = p.o[o].f;

			if (f->query == NULL)
				continue;
			if (f->kind == FK_BOOL && strcmp(p.o[o].val, "true") == 0)
				q_add(&q, f->query, "1");
			else if (f->kind != FK_BOOL)
				q_add(&q, f->query, p.o[o].val);
		}
		if (strcmp(s->name, "search") == 0)
			q_add(&q, "term", p.pos[0]);
		if (s->aux != NULL) {
			path_fill(path, sizeof(path), s->aux, p.pos[k]);
			if (req_add(t, "GET", path, NULL, NULL) == NULL) {
				r = -ENOMEM;
				goto out;
			}
		}
		if (s->mode == S_NONE || strcmp(s->name, "search") == 0)
			snprintf(path, sizeof(path), "%s", s->path);
		else
			path_fill(path, sizeof(path), s->path, p.pos[k]);
		if ((rq = req_add(t, s->method, path, &q, NULL)) == NULL) {
			r = -ENOMEM;
			goto out;
		}
		q_clear(&q);
		if (strcmp(s->name, "start") == 0)
			note(rq, "start re-checks a container that mounts the Docker socket "
			    "against its image, which needs dockerd's answer for the container");
	}
	r = 0;
out:
	q_clear(&q);
	parsed_clear(&p);
	return r;
}

/* ---- images: pull, push, tag, load, import, commit, save ---- */

static const struct cflag f_pull[] = {
	{ "all-tags", 'a', FK_BOOL, 1, NULL }, { "disable-content-trust", 0, FK_BOOL, 0, NULL },
	{ "platform", 0, FK_STR, 2, NULL }, { "quiet", 'q', FK_BOOL, 0, NULL }, QEND };

static int
cmd_pull(struct tr *t, int argc, char *const argv[], int i)
{
	struct parsed	 p = { 0 };
	struct query	 q = { 0 };
	char		*name = NULL, *tag = NULL;
	const char	*v;
	int		 r;

	if ((r = flags_parse(t, argc, argv, i, f_pull, true, &p)) < 0)
		goto out;
	if (p.npos != 1) {
		r = fail(t, -EINVAL, "\"docker pull\" requires exactly 1 argument (the image)");
		goto out;
	}
	if ((r = ref_split(t, p.pos[0], !get_bool(&p, 1, false), &name, &tag)) < 0)
		goto out;
	q_add(&q, "fromImage", name);
	if (tag[0] != '\0')
		q_add(&q, "tag", tag);
	if ((v = get_str(&p, 2)) != NULL)
		q_add(&q, "platform", v);
	r = req_add(t, "POST", "/images/create", &q, NULL) ? 0 : -ENOMEM;
out:
	free(name);
	free(tag);
	q_clear(&q);
	parsed_clear(&p);
	return r;
}

static const struct cflag f_push[] = {
	{ "all-tags", 'a', FK_BOOL, 1, NULL }, { "disable-content-trust", 0, FK_BOOL, 0, NULL },
	{ "quiet", 'q', FK_BOOL, 0, NULL }, QEND };

static int
cmd_push(struct tr *t, int argc, char *const argv[], int i)
{
	struct parsed	 p = { 0 };
	struct query	 q = { 0 };
	char		*name = NULL, *tag = NULL, path[1024];
	int		 r;

	if ((r = flags_parse(t, argc, argv, i, f_push, true, &p)) < 0)
		goto out;
	if (p.npos != 1) {
		r = fail(t, -EINVAL, "\"docker push\" requires exactly 1 argument (the image)");
		goto out;
	}
	if ((r = ref_split(t, p.pos[0], !get_bool(&p, 1, false), &name, &tag)) < 0)
		goto out;
	q_add(&q, "tag", tag);
	snprintf(path, sizeof(path), "/images/%s/push", name);
	r = req_add(t, "POST", path, &q, NULL) ? 0 : -ENOMEM;
out:
	free(name);
	free(tag);
	q_clear(&q);
	parsed_clear(&p);
	return r;
}

static int
cmd_tag(struct tr *t, int argc, char *const argv[], int i)
{
	struct parsed	 p = { 0 };
	struct query	 q = { 0 };
	char		*name = NULL, *tag = NULL, path[1024];
	int		 r;

	if ((r = flags_parse(t, argc, argv, i, f_none, true, &p)) < 0)
		goto out;
	if (p.npos != 2) {
		r = fail(t, -EINVAL, "\"docker tag\" requires exactly 2 arguments "
		    "(SOURCE TARGET)");
		goto out;
	}
	if ((r = ref_split(t, p.pos[1], true, &name, &tag)) < 0)
		goto out;
	q_add(&q, "repo", name);
	q_add(&q, "tag", tag);
	snprintf(path, sizeof(path), "/images/%s/tag", p.pos[0]);
	r = req_add(t, "POST", path, &q, NULL) ? 0 : -ENOMEM;
out:
	free(name);
	free(tag);
	q_clear(&q);
	parsed_clear(&p);
	return r;
}

static const struct cflag f_load[] = {
	{ "input", 'i', FK_STR, 0, NULL }, { "quiet", 'q', FK_BOOL, 0, NULL }, QEND };

static int
cmd_load(struct tr *t, int argc, char *const argv[], int i)
{
	struct parsed		 p = { 0 };
	struct query		 q = { 0 };
	struct cli_docker_req	*rq;
	int			 r;

	if ((r = flags_parse(t, argc, argv, i, f_load, true, &p)) < 0)
		goto out;
	if (p.npos != 0) {
		r = fail(t, -EINVAL, "\"docker load\" takes no arguments");
		goto out;
	}
	/* The CLI is quiet whenever its output is not a terminal, as under explain. */
	q_add(&q, "quiet", "1");
	if ((rq = req_add(t, "POST", "/images/load", &q, NULL)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	rq->body_opaque = true;
	note(rq, "the body is the image archive, which explain does not read");
	r = 0;
out:
	q_clear(&q);
	parsed_clear(&p);
	return r;
}

static const struct cflag f_import[] = {
	{ "change", 'c', FK_LIST, 1, NULL }, { "message", 'm', FK_STR, 2, NULL },
	{ "platform", 0, FK_STR, 3, NULL }, QEND };

static int
cmd_import(struct tr *t, int argc, char *const argv[], int i)
{
	struct parsed		 p = { 0 };
	struct query		 q = { 0 };
	struct dw_strv		 l = { 0 };
	struct cli_docker_req	*rq;
	const char		*src, *v;
	bool			 url;
	size_t			 k;
	int			 r;

	if ((r = flags_parse(t, argc, argv, i, f_import, true, &p)) < 0)
		goto out;
	if (p.npos < 1 || p.npos > 2) {
		r = fail(t, -EINVAL, "\"docker import\" requires 1 or 2 arguments "
		    "(file|URL|- [REPOSITORY[:TAG]])");
		goto out;
	}
	src = p.pos[0];
	url = strncmp(src, "http://", 7) == 0 || strncmp(src, "https://", 8) == 0;
	get_list(&p, 1, &l);
	for (k = 0; k < l.n; k++)
		q_add(&q, "changes", l.v[k]);
	q_add(&q, "fromSrc", url ? src : "-");
	q_add(&q, "message", str_or(&p, 2, ""));
	if ((v = get_str(&p, 3)) != NULL)
		q_add(&q, "platform", v);
	q_add(&q, "repo", p.npos > 1 ? p.pos[1] : "");
	q_add(&q, "tag", "");
	if ((rq = req_add(t, "POST", "/images/create", &q, NULL)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (!url) {
		rq->body_opaque = true;
		note(rq, "the body is the file's content, which explain does not read");
	}
	r = 0;
out:
	dw_strv_clear(&l);
	q_clear(&q);
	parsed_clear(&p);
	return r;
}

static const struct cflag f_commit[] = {
	{ "author", 'a', FK_STR, 1, NULL }, { "change", 'c', FK_LIST, 2, NULL },
	{ "message", 'm', FK_STR, 3, NULL }, { "pause", 'p', FK_BOOL, 4, NULL }, QEND };

static int
cmd_commit(struct tr *t, int argc, char *const argv[], int i)
{
	struct parsed	 p = { 0 };
	struct query	 q = { 0 };
	struct dw_strv	 l = { 0 };
	char		*name = NULL, *tag = NULL;
	size_t		 k;
	int		 r;

	if ((r = flags_parse(t, argc, argv, i, f_commit, true, &p)) < 0)
		goto out;
	if (p.npos < 1 || p.npos > 2) {
		r = fail(t, -EINVAL, "\"docker commit\" requires 1 or 2 arguments "
		    "(CONTAINER [REPOSITORY[:TAG]])");
		goto out;
	}
	q_add(&q, "author", str_or(&p, 1, ""));
	get_list(&p, 2, &l);
	for (k = 0; k < l.n; k++)
		q_add(&q, "changes", l.v[k]);
	q_add(&q, "comment", str_or(&p, 3, ""));
	q_add(&q, "container", p.pos[0]);
	q_add(&q, "pause", get_bool(&p, 4, true) ? "1" : "0");
	if (p.npos > 1) {
		if ((r = ref_split(t, p.pos[1], false, &name, &tag)) < 0)
			goto out;
		q_add(&q, "repo", name);
		q_add(&q, "tag", tag);
	} else {
		q_add(&q, "repo", "");
		q_add(&q, "tag", "");
	}
	r = req_add(t, "POST", "/commit", &q, NULL) ? 0 : -ENOMEM;
out:
	free(name);
	free(tag);
	dw_strv_clear(&l);
	q_clear(&q);
	parsed_clear(&p);
	return r;
}

static int
cmd_save(struct tr *t, int argc, char *const argv[], int i)
{
	struct parsed	 p = { 0 };
	struct query	 q = { 0 };
	size_t		 k;
	int		 r;

	if ((r = flags_parse(t, argc, argv, i, f_save, true, &p)) < 0)
		goto out;
	if (p.npos < 1) {
		r = fail(t, -EINVAL, "\"docker save\" requires at least 1 argument");
		goto out;
	}
	for (k = 0; k < p.npos; k++)
		q_add(&q, "names", p.pos[k]);
	r = req_add(t, "GET", "/images/get", &q, NULL) ? 0 : -ENOMEM;
out:
	q_clear(&q);
	parsed_clear(&p);
	return r;
}

/* ---- cp ---- */

static const struct cflag f_cp[] = {
	{ "archive", 'a', FK_BOOL, 1, NULL }, { "follow-link", 'L', FK_BOOL, 0, NULL },
	QEND };

static int
cmd_cp(struct tr *t, int argc, char *const argv[], int i)
{
	struct parsed		 p = { 0 };
	struct query		 q = { 0 };
	struct cli_docker_req	*rq;
	const char		*src, *dst, *c;
	char			 ctr[256], path[512];
	int			 r;

	if ((r = flags_parse(t, argc, argv, i, f_cp, true, &p)) < 0)
		goto out;
	if (p.npos != 2) {
		r = fail(t, -EINVAL, "\"docker cp\" requires exactly 2 arguments");
		goto out;
	}
	src = p.pos[0];
	dst = p.pos[1];
	/* CONTAINER:PATH; a local path with a colon must start with / or . */
	if ((c = strchr(src, ':')) != NULL && src[0] != '/' && src[0] != '.') {
		snprintf(ctr, sizeof(ctr), "%.*s", (int)(c - src), src);
		q_add(&q, "path", c + 1);
		snprintf(path, sizeof(path), "/containers/%s/archive", ctr);
		r = req_add(t, "GET", path, &q, NULL) ? 0 : -ENOMEM;
		goto out;
	}
	if ((c = strchr(dst, ':')) == NULL || dst[0] == '/' || dst[0] == '.') {
		r = fail(t, -EINVAL, "docker cp: one of SRC and DEST must name a "
		    "container (CONTAINER:PATH)");
		goto out;
	}
	snprintf(ctr, sizeof(ctr), "%.*s", (int)(c - dst), dst);
	snprintf(path, sizeof(path), "/containers/%s/archive", ctr);
	q_add(&q, "path", c + 1);
	if (req_add(t, "HEAD", path, &q, NULL) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	q_clear(&q);
	if (get_bool(&p, 1, false))
		q_add(&q, "copyUIDGID", "true");
	q_add(&q, "noOverwriteDirNonDir", "true");
	q_add(&q, "path", c + 1);
	if ((rq = req_add(t, "PUT", path, &q, NULL)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	rq->body_opaque = true;
	note(rq, "the body is a tar of %s; path is the directory the CLI resolved "
	    "with the HEAD before, shown here as given", src);
	r = 0;
out:
	q_clear(&q);
	parsed_clear(&p);
	return r;
}

/* ---- build ---- */

enum {
	B_TAG = 1, B_ARG, B_FILE, B_NET, B_PULL, B_NOCACHE, B_PLATFORM, B_LABEL,
	B_TARGET, B_QUIET, B_RM, B_FORCERM, B_ADDHOST, B_CGPARENT, B_CPUPERIOD,
	B_CPUQUOTA, B_CPUSETCPUS, B_CPUSETMEMS, B_CPUSHARES, B_MEMORY, B_MEMSWAP,
	B_SHM, B_ISOLATION, B_SECOPT, B_SQUASH, B_CACHEFROM, B_IGN, B_BUILDKIT,
};

static const struct cflag f_build[] = {
	{ "tag", 't', FK_LIST, B_TAG, NULL }, { "build-arg", 0, FK_LIST, B_ARG, NULL },
	{ "file", 'f', FK_STR, B_FILE, NULL }, { "network", 0, FK_STR, B_NET, NULL },
	{ "pull", 0, FK_BOOL, B_PULL, NULL }, { "no-cache", 0, FK_BOOL, B_NOCACHE, NULL },
	{ "platform", 0, FK_STR, B_PLATFORM, NULL }, { "label", 0, FK_LIST, B_LABEL, NULL },
	{ "target", 0, FK_STR, B_TARGET, NULL }, { "quiet", 'q', FK_BOOL, B_QUIET, NULL },
	{ "rm", 0, FK_BOOL, B_RM, NULL }, { "force-rm", 0, FK_BOOL, B_FORCERM, NULL },
	{ "add-host", 0, FK_LIST, B_ADDHOST, NULL },
	{ "cgroup-parent", 0, FK_STR, B_CGPARENT, NULL },
	{ "cpu-period", 0, FK_STR, B_CPUPERIOD, NULL },
	{ "cpu-quota", 0, FK_STR, B_CPUQUOTA, NULL },
	{ "cpuset-cpus", 0, FK_STR, B_CPUSETCPUS, NULL },
	{ "cpuset-mems", 0, FK_STR, B_CPUSETMEMS, NULL },
	{ "cpu-shares", 'c', FK_STR, B_CPUSHARES, NULL },
	{ "memory", 'm', FK_STR, B_MEMORY, NULL },
	{ "memory-swap", 0, FK_STR, B_MEMSWAP, NULL },
	{ "shm-size", 0, FK_STR, B_SHM, NULL },
	{ "isolation", 0, FK_STR, B_ISOLATION, NULL },
	{ "security-opt", 0, FK_LIST, B_SECOPT, NULL },
	{ "squash", 0, FK_BOOL, B_SQUASH, NULL },
	{ "cache-from", 0, FK_LIST, B_CACHEFROM, NULL },
	{ "compress", 0, FK_BOOL, B_IGN, NULL }, { "stream", 0, FK_BOOL, B_IGN, NULL },
	{ "iidfile", 0, FK_STR, B_IGN, NULL },
	{ "disable-content-trust", 0, FK_BOOL, B_IGN, NULL },
	{ "ulimit", 0, FK_LIST, B_IGN, NULL },
	{ "output", 'o', FK_STR, B_BUILDKIT, NULL },
	{ "progress", 0, FK_STR, B_BUILDKIT, NULL },
	{ "secret", 0, FK_LIST, B_BUILDKIT, NULL },
	{ "ssh", 0, FK_LIST, B_BUILDKIT, NULL },
	QEND };

static int
cmd_build(struct tr *t, int argc, char *const argv[], int i)
{
	struct parsed		 p = { 0 };
	struct query		 q = { 0 };
	struct dw_strv		 l = { 0 };
	struct cli_docker_req	*rq;
	json_t			*j;
	const char		*ctx, *v;
	char			*s, df[1024];
	long long		 n;
	bool			 remote;
	size_t			 k;
	int			 r;

	if ((r = flags_parse(t, argc, argv, i, f_build, true, &p)) < 0)
		goto out;
	if (p.npos != 1) {
		r = fail(t, -EINVAL, "\"docker build\" requires exactly 1 argument "
		    "(PATH | URL | -)");
		goto out;
	}
	for (k = 0; k < p.no; k++)
		if (p.o[k].f->id == B_BUILDKIT) {
			r = fail(t, -EINVAL, "docker build --%s needs BuildKit; explain "
			    "translates the classic builder (DOCKER_BUILDKIT=0)",
			    p.o[k].f->name);
			goto out;
		}
	ctx = p.pos[0];
	remote = strncmp(ctx, "http://", 7) == 0 || strncmp(ctx, "https://", 8) == 0 ||
	    strncmp(ctx, "git@", 4) == 0 || strncmp(ctx, "git://", 6) == 0 ||
	    strncmp(ctx, "github.com/", 11) == 0;
	/* Query parameters of the classic builder (image/build.go imageBuildOptions). */
	get_list(&p, B_ARG, &l);
	j = json_object();
	for (k = 0; k < l.n; k++) {
		size_t kn = strcspn(l.v[k], "=");
		char key[256];

		snprintf(key, sizeof(key), "%.*s", (int)(kn < 255 ? kn : 255), l.v[k]);
		if (l.v[k][kn] == '=')
			json_object_set_new(j, key, json_string(l.v[k] + kn + 1));
		else if (getenv(key) != NULL)
			json_object_set_new(j, key, json_string(getenv(key)));
		else
			json_object_set_new(j, key, json_null());
	}
	dw_strv_clear(&l);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	q_add(&q, "buildargs", s);
	free(s);
	get_list(&p, B_CACHEFROM, &l);
	j = str_array(&l);
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	q_add(&q, "cachefrom", s);
	free(s);
	dw_strv_clear(&l);
	q_add(&q, "cgroupparent", str_or(&p, B_CGPARENT, ""));
	q_add(&q, "cpuperiod", str_or(&p, B_CPUPERIOD, "0"));
	q_add(&q, "cpuquota", str_or(&p, B_CPUQUOTA, "0"));
	q_add(&q, "cpusetcpus", str_or(&p, B_CPUSETCPUS, ""));
	q_add(&q, "cpusetmems", str_or(&p, B_CPUSETMEMS, ""));
	q_add(&q, "cpushares", str_or(&p, B_CPUSHARES, "0"));
	/* -f is sent relative to a local context. */
	v = get_str(&p, B_FILE);
	if (v == NULL)
		snprintf(df, sizeof(df), "Dockerfile");
	else if (!remote && strncmp(v, ctx, strlen(ctx)) == 0 && v[strlen(ctx)] == '/')
		snprintf(df, sizeof(df), "%s", v + strlen(ctx) + 1);
	else
		snprintf(df, sizeof(df), "%s", v);
	q_add(&q, "dockerfile", df);
	get_list(&p, B_ADDHOST, &l);
	if (l.n > 0) {
		j = str_array(&l);
		s = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		q_add(&q, "extrahosts", s);
		free(s);
	}
	dw_strv_clear(&l);
	if (get_bool(&p, B_FORCERM, false))
		q_add(&q, "forcerm", "1");
	if ((v = get_str(&p, B_ISOLATION)) != NULL)
		q_add(&q, "isolation", v);
	get_list(&p, B_LABEL, &l);
	j = kv_map(&l);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	q_add(&q, "labels", s);
	free(s);
	dw_strv_clear(&l);
	n = 0;
	if ((v = get_str(&p, B_MEMORY)) != NULL && ram_bytes(v, &n) < 0) {
		r = fail(t, -EINVAL, "docker build --memory %s: invalid size", v);
		goto out;
	}
	{
		char num[32];

		snprintf(num, sizeof(num), "%lld", n);
		q_add(&q, "memory", num);
		n = 0;
		if ((v = get_str(&p, B_MEMSWAP)) != NULL && strcmp(v, "-1") == 0)
			n = -1;
		else if (v != NULL && ram_bytes(v, &n) < 0) {
			r = fail(t, -EINVAL, "docker build --memory-swap %s: invalid size", v);
			goto out;
		}
		snprintf(num, sizeof(num), "%lld", n);
		q_add(&q, "memswap", num);
		q_add(&q, "networkmode", str_or(&p, B_NET, "default"));
		if (get_bool(&p, B_NOCACHE, false))
			q_add(&q, "nocache", "1");
		if ((v = get_str(&p, B_PLATFORM)) != NULL)
			q_add(&q, "platform", v);
		if (get_bool(&p, B_PULL, false))
			q_add(&q, "pull", "1");
		if (get_bool(&p, B_QUIET, false))
			q_add(&q, "q", "1");
		if (remote)
			q_add(&q, "remote", ctx);
		if (get_bool(&p, B_RM, true))
			q_add(&q, "rm", "1");
		get_list(&p, B_SECOPT, &l);
		if (l.n > 0) {
			j = str_array(&l);
			s = json_dumps(j, JSON_COMPACT);
			json_decref(j);
			q_add(&q, "securityopt", s);
			free(s);
		}
		dw_strv_clear(&l);
		n = 0;
		if ((v = get_str(&p, B_SHM)) != NULL && ram_bytes(v, &n) < 0) {
			r = fail(t, -EINVAL, "docker build --shm-size %s: invalid size", v);
			goto out;
		}
		snprintf(num, sizeof(num), "%lld", n);
		q_add(&q, "shmsize", num);
	}
	if (get_bool(&p, B_SQUASH, false))
		q_add(&q, "squash", "1");
	get_list(&p, B_TAG, &l);
	for (k = 0; k < l.n; k++)
		q_add(&q, "t", l.v[k]);
	dw_strv_clear(&l);
	if ((v = get_str(&p, B_TARGET)) != NULL)
		q_add(&q, "target", v);
	q_add(&q, "ulimits", "null");
	q_add(&q, "version", "1");
	if ((rq = req_add(t, "POST", "/build", &q, NULL)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (!remote) {
		rq->body_opaque = true;
		note(rq, "the body is a tar of the context %s; explain does not read it, "
		    "so base images (FROM, COPY --from, RUN --mount from=) are not checked "
		    "here: the gatekeeper checks them from the context when registry or "
		    "image access is set", ctx);
	}
	note(rq, "with BuildKit (DOCKER_BUILDKIT=1) the CLI sends version=2 and opens "
	    "a session instead: this is the classic builder's request");
	r = 0;
out:
	dw_strv_clear(&l);
	q_clear(&q);
	parsed_clear(&p);
	return r;
}

/* ---- login ---- */

static const struct cflag f_login[] = {
	{ "username", 'u', FK_STR, 1, NULL }, { "password", 'p', FK_STR, 2, NULL },
	{ "password-stdin", 0, FK_BOOL, 3, NULL }, QEND };

static int
cmd_login(struct tr *t, int argc, char *const argv[], int i)
{
	struct parsed		 p = { 0 };
	struct cli_docker_req	*rq;
	int			 r;

	if ((r = flags_parse(t, argc, argv, i, f_login, true, &p)) < 0)
		goto out;
	if (p.npos > 1) {
		r = fail(t, -EINVAL, "\"docker login\" takes at most 1 argument (SERVER)");
		goto out;
	}
	rq = req_add(t, "POST", "/auth", NULL, json_pack("{s:s, s:s, s:s}",
	    "username", str_or(&p, 1, ""), "password", "(not shown)",
	    "serveraddress", p.npos ? p.pos[0] : "https://index.docker.io/v1/"));
	if (rq == NULL) {
		r = -ENOMEM;
		goto out;
	}
	note(rq, "the password is not part of any decision");
	r = 0;
out:
	parsed_clear(&p);
	return r;
}

/* ---- plugins ---- */

static const struct cflag f_plugin_install[] = {
	{ "alias", 0, FK_STR, 1, NULL }, { "disable", 0, FK_BOOL, 2, NULL },
	{ "disable-content-trust", 0, FK_BOOL, 0, NULL },
	{ "grant-all-permissions", 0, FK_BOOL, 0, NULL }, QEND };

static int
cmd_plugin_install(struct tr *t, int argc, char *const argv[], int i)
{
	struct parsed		 p = { 0 };
	struct query		 q = { 0 };
	struct cli_docker_req	*rq;
	struct digest_ref	*ref;
	char			*full = NULL, *name = NULL, *tag = NULL, path[1024];
	const char		*v;
	size_t			 k;
	int			 r;

	if ((r = flags_parse(t, argc, argv, i, f_plugin_install, true, &p)) < 0)
		goto out;
	if (p.npos < 1) {
		r = fail(t, -EINVAL, "\"docker plugin install\" requires at least 1 argument");
		goto out;
	}
	if ((ref = digest_ref_parse(p.pos[0], 0, t->err)) == NULL) {
		r = -EINVAL;
		goto out;
	}
	full = digest_ref_string(ref);
	digest_ref_free(ref);
	if (full == NULL || (r = ref_split(t, p.pos[0], true, &name, &tag)) < 0) {
		r = full == NULL ? nomem(t) : r;
		goto out;
	}
	q_add(&q, "remote", full);
	if (req_add(t, "GET", "/plugins/privileges", &q, NULL) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	q_clear(&q);
	v = get_str(&p, 1);
	snprintf(path, sizeof(path), "%s:%s", v ? v : name, tag);
	q_add(&q, "name", path);
	q_add(&q, "remote", full);
	rq = req_add(t, "POST", "/plugins/pull", &q, json_array());
	if (rq == NULL) {
		r = -ENOMEM;
		goto out;
	}
	note(rq, "the body holds the privileges the plugin asks for, as granted");
	for (k = 1; k < p.npos; k++)
		note(rq, "then POST /plugins/%s/set with %s", path, p.pos[k]);
	if (!get_bool(&p, 2, false)) {
		q_clear(&q);
		q_add(&q, "timeout", "30");
		snprintf(path, sizeof(path), "/plugins/%s:%s/enable", v ? v : name, tag);
		if (req_add(t, "POST", path, &q, NULL) == NULL) {
			r = -ENOMEM;
			goto out;
		}
	}
	r = 0;
out:
	free(full);
	free(name);
	free(tag);
	q_clear(&q);
	parsed_clear(&p);
	return r;
}

/* ---- volumes and networks ---- */

static const struct cflag f_volume_create[] = {
	{ "driver", 'd', FK_STR, 1, NULL }, { "opt", 'o', FK_LIST, 2, NULL },
	{ "label", 0, FK_LIST, 3, NULL }, { "name", 0, FK_STR, 4, NULL }, QEND };

static int
cmd_volume_create(struct tr *t, int argc, char *const argv[], int i)
{
	struct parsed	 p = { 0 };
	struct dw_strv	 o = { 0 }, l = { 0 };
	const char	*name;
	json_t		*body;
	int		 r;

	if ((r = flags_parse(t, argc, argv, i, f_volume_create, true, &p)) < 0)
		goto out;
	if (p.npos > 1 || (p.npos == 1 && given(&p, 4))) {
		r = fail(t, -EINVAL, "\"docker volume create\" takes at most 1 argument "
		    "(the name, or --name)");
		goto out;
	}
	name = p.npos ? p.pos[0] : str_or(&p, 4, "");
	get_list(&p, 2, &o);
	get_list(&p, 3, &l);
	body = json_pack("{s:s, s:o, s:o, s:s}", "Driver", str_or(&p, 1, "local"),
	    "DriverOpts", kv_map(&o), "Labels", kv_map(&l), "Name", name);
	r = body && req_add(t, "POST", "/volumes/create", NULL, body) ? 0 : -ENOMEM;
out:
	dw_strv_clear(&o);
	dw_strv_clear(&l);
	parsed_clear(&p);
	return r;
}

static const struct cflag f_network_create[] = {
	{ "driver", 'd', FK_STR, 1, NULL }, { "opt", 'o', FK_LIST, 2, NULL },
	{ "label", 0, FK_LIST, 3, NULL }, { "internal", 0, FK_BOOL, 4, NULL },
	{ "attachable", 0, FK_BOOL, 5, NULL }, { "ingress", 0, FK_BOOL, 6, NULL },
	{ "ipv6", 0, FK_BOOL, 7, NULL }, { "subnet", 0, FK_LIST, 8, NULL },
	{ "gateway", 0, FK_LIST, 9, NULL }, { "ip-range", 0, FK_LIST, 10, NULL },
	{ "ipam-driver", 0, FK_STR, 11, NULL }, { "ipam-opt", 0, FK_LIST, 12, NULL },
	{ "scope", 0, FK_STR, 13, NULL }, { "config-only", 0, FK_BOOL, 14, NULL },
	{ "config-from", 0, FK_STR, 15, NULL }, { "aux-address", 0, FK_LIST, 0, NULL },
	QEND };

static int
cmd_network_create(struct tr *t, int argc, char *const argv[], int i)
{
	struct parsed	 p = { 0 };
	struct dw_strv	 o = { 0 }, l = { 0 }, sub = { 0 }, gw = { 0 }, ipr = { 0 }, io = { 0 };
	const char	*v;
	json_t		*body, *cfgs;
	size_t		 k;
	int		 r;

	if ((r = flags_parse(t, argc, argv, i, f_network_create, true, &p)) < 0)
		goto out;
	if (p.npos != 1) {
		r = fail(t, -EINVAL, "\"docker network create\" requires exactly 1 argument");
		goto out;
	}
	get_list(&p, 2, &o);
	get_list(&p, 3, &l);
	get_list(&p, 8, &sub);
	get_list(&p, 9, &gw);
	get_list(&p, 10, &ipr);
	get_list(&p, 12, &io);
	cfgs = json_array();
	for (k = 0; k < sub.n; k++) {
		json_t *c = json_pack("{s:s}", "Subnet", sub.v[k]);

		if (k < gw.n)
			json_object_set_new(c, "Gateway", json_string(gw.v[k]));
		if (k < ipr.n)
			json_object_set_new(c, "IPRange", json_string(ipr.v[k]));
		json_array_append_new(cfgs, c);
	}
	body = json_pack("{s:s, s:b, s:s, s:b, s:b, s:b, s:b, s:{s:s, s:o, s:o}, s:o, "
	    "s:o, s:s, s:b}",
	    "Name", p.pos[0], "CheckDuplicate", 1, "Driver", str_or(&p, 1, "bridge"),
	    "Internal", get_bool(&p, 4, false), "Attachable", get_bool(&p, 5, false),
	    "Ingress", get_bool(&p, 6, false), "EnableIPv6", get_bool(&p, 7, false),
	    "IPAM", "Driver", str_or(&p, 11, "default"), "Config", cfgs,
	    "Options", kv_map(&io), "Options", kv_map(&o), "Labels", kv_map(&l),
	    "Scope", str_or(&p, 13, ""), "ConfigOnly", get_bool(&p, 14, false));
	if (body != NULL && (v = get_str(&p, 15)) != NULL)
		json_object_set_new(body, "ConfigFrom", json_pack("{s:s}", "Network", v));
	r = body && req_add(t, "POST", "/networks/create", NULL, body) ? 0 : -ENOMEM;
out:
	dw_strv_clear(&o);
	dw_strv_clear(&l);
	dw_strv_clear(&sub);
	dw_strv_clear(&gw);
	dw_strv_clear(&ipr);
	dw_strv_clear(&io);
	parsed_clear(&p);
	return r;
}

static const struct cflag f_network_connect[] = {
	{ "alias", 0, FK_LIST, 1, NULL }, { "ip", 0, FK_STR, 2, NULL },
	{ "ip6", 0, FK_STR, 3, NULL }, { "link", 0, FK_LIST, 4, NULL },
	{ "link-local-ip", 0, FK_LIST, 5, NULL }, { "driver-opt", 0, FK_LIST, 6, NULL },
	QEND };

static int
cmd_network_connect(struct tr *t, int argc, char *const argv[], int i, bool connect)
{
	struct parsed	 p = { 0 };
	struct dw_strv	 l = { 0 };
	json_t		*body, *ep, *ipam;
	const char	*v;
	char		 path[512];
	int		 r;

	if ((r = flags_parse(t, argc, argv, i, connect ? f_network_connect : f_force, true,
	    &p)) < 0)
		goto out;
	if (p.npos != 2) {
		r = fail(t, -EINVAL, "\"docker network %s\" requires exactly 2 arguments "
		    "(NETWORK CONTAINER)", connect ? "connect" : "disconnect");
		goto out;
	}
	if (connect) {
		ep = json_object();
		get_list(&p, 1, &l);
		if (l.n > 0)
			json_object_set_new(ep, "Aliases", str_array(&l));
		dw_strv_clear(&l);
		get_list(&p, 4, &l);
		if (l.n > 0)
			json_object_set_new(ep, "Links", str_array(&l));
		dw_strv_clear(&l);
		get_list(&p, 6, &l);
		json_object_set_new(ep, "DriverOpts", kv_map(&l));
		dw_strv_clear(&l);
		ipam = json_object();
		if ((v = get_str(&p, 2)) != NULL)
			json_object_set_new(ipam, "IPv4Address", json_string(v));
		if ((v = get_str(&p, 3)) != NULL)
			json_object_set_new(ipam, "IPv6Address", json_string(v));
		get_list(&p, 5, &l);
		if (l.n > 0)
			json_object_set_new(ipam, "LinkLocalIPs", str_array(&l));
		json_object_set_new(ep, "IPAMConfig", ipam);
		body = json_pack("{s:s, s:o}", "Container", p.pos[1], "EndpointConfig", ep);
	} else
		body = json_pack("{s:s, s:b}", "Container", p.pos[1], "Force",
		    get_bool(&p, 1, false));
	snprintf(path, sizeof(path), "/networks/%s/%s", p.pos[0],
	    connect ? "connect" : "disconnect");
	r = body && req_add(t, "POST", path, NULL, body) ? 0 : -ENOMEM;
out:
	dw_strv_clear(&l);
	parsed_clear(&p);
	return r;
}

/* ---- swarm ---- */

static const struct cflag f_swarm[] = {
	{ "advertise-addr", 0, FK_STR, 1, NULL }, { "listen-addr", 0, FK_STR, 2, NULL },
	{ "data-path-addr", 0, FK_STR, 3, NULL }, { "availability", 0, FK_STR, 4, NULL },
	{ "token", 0, FK_STR, 5, NULL }, { "force-new-cluster", 0, FK_BOOL, 6, NULL },
	{ "autolock", 0, FK_BOOL, 7, NULL }, { "data-path-port", 0, FK_STR, 0, NULL },
	{ "default-addr-pool", 0, FK_LIST, 0, NULL },
	{ "default-addr-pool-mask-length", 0, FK_STR, 0, NULL },
	{ "cert-expiry", 0, FK_STR, 0, NULL }, { "dispatcher-heartbeat", 0, FK_STR, 0, NULL },
	{ "external-ca", 0, FK_STR, 0, NULL }, { "max-snapshots", 0, FK_STR, 0, NULL },
	{ "snapshot-interval", 0, FK_STR, 0, NULL },
	{ "task-history-limit", 0, FK_STR, 0, NULL }, QEND };

static int
cmd_swarm(struct tr *t, int argc, char *const argv[], int i, bool join)
{
	struct parsed	 p = { 0 };
	json_t		*body;
	int		 r;

	if ((r = flags_parse(t, argc, argv, i, f_swarm, true, &p)) < 0)
		goto out;
	if (join ? p.npos != 1 : p.npos != 0) {
		r = fail(t, -EINVAL, "\"docker swarm %s\" %s", join ? "join" : "init",
		    join ? "requires exactly 1 argument (HOST:PORT)" : "takes no arguments");
		goto out;
	}
	if ((!join && given(&p, 5)) || (join && (given(&p, 6) || given(&p, 7)))) {
		r = fail(t, -EINVAL, "unknown flag for \"docker swarm %s\"",
		    join ? "join" : "init");
		goto out;
	}
	body = json_pack("{s:s, s:s, s:s, s:s}",
	    "ListenAddr", str_or(&p, 2, "0.0.0.0:2377"),
	    "AdvertiseAddr", str_or(&p, 1, ""),
	    "DataPathAddr", str_or(&p, 3, ""),
	    "Availability", str_or(&p, 4, ""));
	if (body != NULL && join) {
		json_object_set_new(body, "JoinToken", json_string(str_or(&p, 5, "")));
		json_object_set_new(body, "RemoteAddrs", json_pack("[s]", p.pos[0]));
	} else if (body != NULL) {
		json_object_set_new(body, "ForceNewCluster", json_boolean(get_bool(&p, 6, false)));
		json_object_set_new(body, "AutoLockManagers", json_boolean(get_bool(&p, 7, false)));
	}
	r = body && req_add(t, "POST", join ? "/swarm/join" : "/swarm/init", NULL, body) ?
	    0 : -ENOMEM;
out:
	parsed_clear(&p);
	return r;
}

/* ---- service create (the fields the rules read) ---- */

enum {
	SV_NAME = 1, SV_MOUNT, SV_PUBLISH, SV_CAPADD, SV_CAPDROP, SV_ENV, SV_NET,
	SV_MODE, SV_REPLICAS, SV_USER, SV_WORKDIR, SV_HOSTNAME, SV_READONLY, SV_INIT,
	SV_SYSCTL, SV_LABEL, SV_CLABEL, SV_DETACH, SV_IGN, SV_ENTRYPOINT,
};

static const struct cflag f_service[] = {
	{ "name", 0, FK_STR, SV_NAME, NULL }, { "mount", 0, FK_LIST, SV_MOUNT, NULL },
	{ "publish", 'p', FK_LIST, SV_PUBLISH, NULL },
	{ "cap-add", 0, FK_LIST, SV_CAPADD, NULL }, { "cap-drop", 0, FK_LIST, SV_CAPDROP, NULL },
	{ "env", 'e', FK_LIST, SV_ENV, NULL }, { "network", 0, FK_LIST, SV_NET, NULL },
	{ "mode", 0, FK_STR, SV_MODE, NULL }, { "replicas", 0, FK_STR, SV_REPLICAS, NULL },
	{ "user", 'u', FK_STR, SV_USER, NULL }, { "workdir", 'w', FK_STR, SV_WORKDIR, NULL },
	{ "hostname", 0, FK_STR, SV_HOSTNAME, NULL },
	{ "read-only", 0, FK_BOOL, SV_READONLY, NULL }, { "init", 0, FK_BOOL, SV_INIT, NULL },
	{ "sysctl", 0, FK_LIST, SV_SYSCTL, NULL }, { "label", 'l', FK_LIST, SV_LABEL, NULL },
	{ "container-label", 0, FK_LIST, SV_CLABEL, NULL },
	{ "entrypoint", 0, FK_STR, SV_ENTRYPOINT, NULL },
	{ "detach", 'd', FK_BOOL, SV_DETACH, NULL }, { "quiet", 'q', FK_BOOL, SV_IGN, NULL },
	{ "with-registry-auth", 0, FK_BOOL, SV_IGN, NULL },
	{ "constraint", 0, FK_LIST, SV_IGN, NULL }, { "limit-cpu", 0, FK_STR, SV_IGN, NULL },
	{ "limit-memory", 0, FK_STR, SV_IGN, NULL }, QEND };

static int
cmd_service_create(struct tr *t, int argc, char *const argv[], int i)
{
	struct parsed		 p = { 0 };
	struct dw_strv		 l = { 0 };
	struct cli_docker_req	*rq;
	json_t			*body = NULL, *cs, *a, *m, *ports, *tmpl;
	char			*name = NULL, *tag = NULL, img[1024];
	const char		*v;
	size_t			 k;
	int			 r;

	if ((r = flags_parse(t, argc, argv, i, f_service, false, &p)) < 0)
		goto out;
	if (p.npos < 1) {
		r = fail(t, -EINVAL, "\"docker service create\" requires at least 1 argument");
		goto out;
	}
	if ((r = ref_split(t, p.pos[0], true, &name, &tag)) < 0)
		goto out;
	snprintf(img, sizeof(img), "%s%s%s", name, strncmp(tag, "sha256:", 7) ? ":" : "@",
	    tag);
	cs = json_pack("{s:s}", "Image", img);
	if (p.npos > 1) {
		a = json_array();
		for (k = 1; k < p.npos; k++)
			json_array_append_new(a, json_string(p.pos[k]));
		json_object_set_new(cs, "Args", a);
	}
	get_list(&p, SV_ENV, &l);
	if (l.n > 0)
		json_object_set_new(cs, "Env", str_array(&l));
	dw_strv_clear(&l);
	/* The CLI spells capabilities with CAP_ in services. */
	for (int which = SV_CAPADD; which <= SV_CAPDROP; which++) {
		get_list(&p, which, &l);
		if (l.n > 0) {
			a = json_array();
			for (k = 0; k < l.n; k++) {
				char cap[128];

				snprintf(cap, sizeof(cap), "%s%s", strncasecmp(l.v[k], "CAP_", 4) &&
				    strcasecmp(l.v[k], "ALL") ? "CAP_" : "", l.v[k]);
				for (char *c = cap; *c; c++)
					*c = (char)toupper((unsigned char)*c);
				json_array_append_new(a, json_string(cap));
			}
			json_object_set_new(cs, which == SV_CAPADD ? "CapabilityAdd" :
			    "CapabilityDrop", a);
		}
		dw_strv_clear(&l);
	}
	get_list(&p, SV_MOUNT, &l);
	if (l.n > 0) {
		a = json_array();
		json_object_set_new(cs, "Mounts", a);
		for (k = 0; k < l.n; k++) {
			if ((r = mount_parse(t, l.v[k], &m)) < 0) {
				json_decref(cs);
				goto out;
			}
			json_array_append_new(a, m);
		}
	}
	dw_strv_clear(&l);
	set_str(&p, SV_USER, cs, "User");
	set_str(&p, SV_WORKDIR, cs, "Dir");
	set_str(&p, SV_HOSTNAME, cs, "Hostname");
	if ((v = get_str(&p, SV_ENTRYPOINT)) != NULL)
		json_object_set_new(cs, "Command", json_pack("[s]", v));
	if (get_bool(&p, SV_READONLY, false))
		json_object_set_new(cs, "ReadOnly", json_true());
	json_object_set_new(cs, "Init", json_boolean(get_bool(&p, SV_INIT, false)));
	get_list(&p, SV_SYSCTL, &l);
	if (l.n > 0)
		json_object_set_new(cs, "Sysctls", kv_map(&l));
	dw_strv_clear(&l);
	get_list(&p, SV_CLABEL, &l);
	if (l.n > 0)
		json_object_set_new(cs, "Labels", kv_map(&l));
	dw_strv_clear(&l);
	tmpl = json_pack("{s:o}", "ContainerSpec", cs);
	get_list(&p, SV_NET, &l);
	if (l.n > 0) {
		a = json_array();
		for (k = 0; k < l.n; k++)
			json_array_append_new(a, json_pack("{s:s}", "Target", l.v[k]));
		json_object_set_new(tmpl, "Networks", a);
	}
	dw_strv_clear(&l);
	get_list(&p, SV_LABEL, &l);
	body = json_pack("{s:s, s:o, s:o}", "Name", str_or(&p, SV_NAME, ""),
	    "Labels", kv_map(&l), "TaskTemplate", tmpl);
	dw_strv_clear(&l);
	if (body == NULL) {
		r = nomem(t);
		goto out;
	}
	v = get_str(&p, SV_MODE);
	if (v != NULL && strcmp(v, "global") == 0)
		json_object_set_new(body, "Mode", json_pack("{s:{}}", "Global"));
	else if ((v = get_str(&p, SV_REPLICAS)) == NULL)
		json_object_set_new(body, "Mode", json_pack("{s:{}}", "Replicated"));
	else {
		long long n;

		if (parse_ll(v, &n) < 0) {
			r = fail(t, -EINVAL, "docker service create --replicas %s: invalid number",
			    v);
			goto out;
		}
		json_object_set_new(body, "Mode", json_pack("{s:{s:I}}", "Replicated",
		    "Replicas", (json_int_t)n));
	}
	/* -p [HOST:]TARGET[/PROTO] or published=,target=,protocol=,mode=. */
	get_list(&p, SV_PUBLISH, &l);
	ports = json_array();
	for (k = 0; k < l.n; k++) {
		char buf[256], proto[16] = "tcp", mode[16] = "ingress", *s, *f, *save = NULL;
		long long pub = 0, tgt = 0;

		snprintf(buf, sizeof(buf), "%s", l.v[k]);
		if (strchr(buf, '=') != NULL) {
			for (f = strtok_r(buf, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
				if (strncmp(f, "published=", 10) == 0)
					parse_ll(f + 10, &pub);
				else if (strncmp(f, "target=", 7) == 0)
					parse_ll(f + 7, &tgt);
				else if (strncmp(f, "protocol=", 9) == 0)
					snprintf(proto, sizeof(proto), "%s", f + 9);
				else if (strncmp(f, "mode=", 5) == 0)
					snprintf(mode, sizeof(mode), "%s", f + 5);
			}
		} else {
			if ((s = strchr(buf, '/')) != NULL) {
				snprintf(proto, sizeof(proto), "%s", s + 1);
				*s = '\0';
			}
			if ((s = strrchr(buf, ':')) != NULL) {
				*s++ = '\0';
				parse_ll(buf, &pub);
				parse_ll(s, &tgt);
			} else
				parse_ll(buf, &tgt);
		}
		json_array_append_new(ports, json_pack("{s:s, s:s, s:I, s:I}", "Protocol",
		    proto, "PublishMode", mode, "PublishedPort", (json_int_t)pub,
		    "TargetPort", (json_int_t)tgt));
	}
	dw_strv_clear(&l);
	json_object_set_new(body, "EndpointSpec", json_pack("{s:s, s:o}", "Mode", "vip",
	    "Ports", ports));
	if ((rq = req_add(t, "POST", "/services/create", NULL, body)) == NULL) {
		body = NULL;
		r = -ENOMEM;
		goto out;
	}
	body = NULL;
	note(rq, "the CLI first asks dockerd for the image's registry digest (GET "
	    "/distribution/%s/json) and pins it in the spec; explain keeps the tag", img);
	for (k = 0; k < p.no; k++)
		if (p.o[k].f->id == SV_IGN) {
			note(rq, "--%s is not in the body explain builds: no rule reads it",
			    p.o[k].f->name);
		}
	r = 0;
out:
	json_decref(body);
	dw_strv_clear(&l);
	free(name);
	free(tag);
	parsed_clear(&p);
	return r;
}

/* ---- system prune ---- */

static const struct cflag f_system_prune[] = {
	{ "all", 'a', FK_BOOL, 1, NULL }, { "force", 'f', FK_BOOL, 0, NULL },
	{ "filter", 0, FK_LIST, 0, NULL }, { "volumes", 0, FK_BOOL, 4, NULL }, QEND };

static int
cmd_system_prune(struct tr *t, int argc, char *const argv[], int i)
{
	struct parsed	 p = { 0 };
	struct query	 q = { 0 };
	int		 r;

	if ((r = flags_parse(t, argc, argv, i, f_system_prune, true, &p)) < 0)
		goto out;
	if (p.npos != 0) {
		r = fail(t, -EINVAL, "\"docker system prune\" takes no arguments");
		goto out;
	}
	if (req_add(t, "POST", "/containers/prune", NULL, NULL) == NULL ||
	    req_add(t, "POST", "/networks/prune", NULL, NULL) == NULL ||
	    (get_bool(&p, 4, false) &&
	    req_add(t, "POST", "/volumes/prune", NULL, NULL) == NULL)) {
		r = -ENOMEM;
		goto out;
	}
	if (!get_bool(&p, 1, false))
		q_add(&q, "filters", "{\"dangling\":{\"true\":true}}");
	if (req_add(t, "POST", "/images/prune", &q, NULL) == NULL ||
	    req_add(t, "POST", "/build/prune", NULL, NULL) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = 0;
out:
	q_clear(&q);
	parsed_clear(&p);
	return r;
}

/* ---- the command line ---- */

static const struct cflag global_flags[] = {
	{ "host", 'H', FK_LIST, 0, NULL }, { "context", 'c', FK_STR, 0, NULL },
	{ "config", 0, FK_STR, 0, NULL }, { "debug", 'D', FK_BOOL, 0, NULL },
	{ "log-level", 'l', FK_STR, 0, NULL }, { "tls", 0, FK_BOOL, 0, NULL },
	{ "tlsverify", 0, FK_BOOL, 0, NULL }, { "tlscacert", 0, FK_STR, 0, NULL },
	{ "tlscert", 0, FK_STR, 0, NULL }, { "tlskey", 0, FK_STR, 0, NULL },
	{ "version", 'v', FK_BOOL, 1, NULL }, QEND };

/* Management-command spellings of the top-level commands. */
static const struct {
	const char	*from, *to;
} aliases[] = {
	{ "container run", "run" }, { "container create", "create" },
	{ "container exec", "exec" }, { "container ls", "ps" }, { "container list", "ps" },
	{ "container ps", "ps" }, { "container rm", "rm" }, { "container stop", "stop" },
	{ "container start", "start" }, { "container restart", "restart" },
	{ "container kill", "kill" }, { "container pause", "pause" },
	{ "container unpause", "unpause" }, { "container wait", "wait" },
	{ "container logs", "logs" }, { "container attach", "attach" },
	{ "container top", "top" }, { "container diff", "diff" },
	{ "container port", "port" }, { "container export", "export" },
	{ "container stats", "stats" }, { "container cp", "cp" },
	{ "container commit", "commit" },
	{ "image pull", "pull" }, { "image push", "push" }, { "image tag", "tag" },
	{ "image ls", "images" }, { "image list", "images" }, { "image rm", "rmi" },
	{ "image build", "build" }, { "builder build", "build" },
	{ "image load", "load" }, { "image import", "import" }, { "image save", "save" },
	{ "image history", "history" }, { "system info", "info" },
	{ "system events", "events" }, { "volume list", "volume ls" },
	{ "network list", "network ls" }, { "plugin list", "plugin ls" },
	{ "plugin remove", "plugin rm" }, { "volume remove", "volume rm" },
	{ "network remove", "network rm" }, { "service list", "service ls" },
	{ "service remove", "service rm" },
	{ NULL, NULL }
};

static const char *const groups[] = {
	"container", "image", "volume", "network", "plugin", "swarm", "service",
	"system", "builder", NULL
};

int
cli_docker_translate(int argc, char *const argv[], struct cli_docker_plan *plan,
    struct dw_err *err)
{
	struct tr	 t = { plan, err, "" };
	char		 cmd[128];
	const char	*base, *c;
	int		 i, r;
	size_t		 k;

	dw_err_clear(err);
	if (argc < 1 || ((base = strrchr(argv[0], '/')) ? base + 1 : argv[0]) == NULL ||
	    strcmp((base = strrchr(argv[0], '/')) ? base + 1 : argv[0], "docker") != 0)
		return fail(&t, -EINVAL, "the command line must start with docker, not \"%s\"",
		    argc > 0 ? argv[0] : "");
	/* Global flags, up to the command. */
	t.cmd = "";
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		const struct cflag *f = NULL;
		const char *a = argv[i];

		if (a[1] == '-') {
			size_t n = strcspn(a + 2, "=");

			f = flag_long(global_flags, a + 2, n);
			if (f == NULL)
				return fail(&t, -EINVAL, "unknown flag: %.*s for \"docker\"",
				    (int)n + 2, a);
			if (f->kind != FK_BOOL && a[2 + n] != '=')
				i++;
		} else {
			if ((f = flag_short(global_flags, a[1])) == NULL)
				return fail(&t, -EINVAL, "unknown shorthand flag: '%c' in %s for "
				    "\"docker\"", a[1], a);
			if (f->kind != FK_BOOL && a[2] == '\0')
				i++;
		}
		if (f->id == 1) {
			plan->command = strdup("version");
			return req_add(&t, "GET", "/version", NULL, NULL) ? 0 : -ENOMEM;
		}
	}
	if (i >= argc)
		return fail(&t, -EINVAL, "no docker command given");
	/* The command: a management group takes one more word. */
	snprintf(cmd, sizeof(cmd), "%s", argv[i++]);
	for (k = 0; groups[k] != NULL; k++)
		if (strcmp(cmd, groups[k]) == 0) {
			if (i >= argc)
				return fail(&t, -EINVAL, "\"docker %s\" needs a subcommand", cmd);
			snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " %s", argv[i++]);
			break;
		}
	for (k = 0; aliases[k].from != NULL; k++)
		if (strcmp(cmd, aliases[k].from) == 0) {
			snprintf(cmd, sizeof(cmd), "%s", aliases[k].to);
			break;
		}
	if ((plan->command = strdup(cmd)) == NULL)
		return nomem(&t);
	t.cmd = plan->command;
	c = cmd;
	if (strcmp(c, "run") == 0 || strcmp(c, "create") == 0)
		r = cmd_run(&t, argc, argv, i, c[0] == 'r');
	else if (strcmp(c, "exec") == 0)
		r = cmd_exec(&t, argc, argv, i);
	else if (strcmp(c, "pull") == 0)
		r = cmd_pull(&t, argc, argv, i);
	else if (strcmp(c, "push") == 0)
		r = cmd_push(&t, argc, argv, i);
	else if (strcmp(c, "tag") == 0)
		r = cmd_tag(&t, argc, argv, i);
	else if (strcmp(c, "load") == 0)
		r = cmd_load(&t, argc, argv, i);
	else if (strcmp(c, "import") == 0)
		r = cmd_import(&t, argc, argv, i);
	else if (strcmp(c, "commit") == 0)
		r = cmd_commit(&t, argc, argv, i);
	else if (strcmp(c, "save") == 0)
		r = cmd_save(&t, argc, argv, i);
	else if (strcmp(c, "cp") == 0)
		r = cmd_cp(&t, argc, argv, i);
	else if (strcmp(c, "build") == 0)
		r = cmd_build(&t, argc, argv, i);
	else if (strcmp(c, "login") == 0)
		r = cmd_login(&t, argc, argv, i);
	else if (strcmp(c, "plugin install") == 0)
		r = cmd_plugin_install(&t, argc, argv, i);
	else if (strcmp(c, "volume create") == 0)
		r = cmd_volume_create(&t, argc, argv, i);
	else if (strcmp(c, "network create") == 0)
		r = cmd_network_create(&t, argc, argv, i);
	else if (strcmp(c, "network connect") == 0)
		r = cmd_network_connect(&t, argc, argv, i, true);
	else if (strcmp(c, "network disconnect") == 0)
		r = cmd_network_connect(&t, argc, argv, i, false);
	else if (strcmp(c, "swarm init") == 0)
		r = cmd_swarm(&t, argc, argv, i, false);
	else if (strcmp(c, "swarm join") == 0)
		r = cmd_swarm(&t, argc, argv, i, true);
	else if (strcmp(c, "service create") == 0)
		r = cmd_service_create(&t, argc, argv, i);
	else if (strcmp(c, "system prune") == 0)
		r = cmd_system_prune(&t, argc, argv, i);
	else {
		for (k = 0; simples[k].name != NULL; k++)
			if (strcmp(c, simples[k].name) == 0)
				return cmd_simple(&t, &simples[k], argc, argv, i);
		return fail(&t, -EINVAL, "\"docker %s\" is not a command explain knows; "
		    "describe the request with --request FILE.json instead", c);
	}
	return r;
}

void
cli_docker_plan_clear(struct cli_docker_plan *plan)
{
	size_t	i;

	if (plan == NULL)
		return;
	for (i = 0; i < plan->n; i++) {
		free(plan->v[i].method);
		free(plan->v[i].uri);
		json_decref(plan->v[i].body);
		dw_strv_clear(&plan->v[i].notes);
	}
	free(plan->v);
	free(plan->command);
	memset(plan, 0, sizeof(*plan));
}
