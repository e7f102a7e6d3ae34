/*
 * egress_pac: a PAC script in a Duktape heap (see the header).  Duktape is
 * compiled into the build with DUK_USE_EXEC_TIMEOUT_CHECK calling
 * egress_pac_duk_timeout and DUK_USE_DATE_GET_LOCAL_TZOFFSET calling
 * egress_pac_duk_tzoffset (Makefile.am, "Duktape").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <duktape.h>
#if !defined(DW_DUK_CONFIG) || !defined(DUK_USE_EXEC_TIMEOUT_CHECK)
#error "the system's duktape.h: build Duktape with dockward's settings (Makefile.am)"
#endif

#include "egress/egress_pac.h"
#include "egress/egress_pac_fn.h"

/*
 * Every block of the heap, on a list: after a Duktape fatal error the
 * heap cannot be destroyed through Duktape, so its blocks are freed here.
 * 32 bytes keep the caller's pointer 16-byte aligned, as malloc's is.
 */
struct pac_block {
	struct pac_block	*prev, *next;
	size_t			 size;
	size_t			 pad;
};

struct egress_pac {
	duk_context		*ctx;		/* NULL: to be rebuilt */
	char			*script;
	size_t			 len;
	unsigned		 budget_ms, load_ms;
	size_t			 mem_max, used;
	struct pac_block	 blocks;	/* list head */
	time_t			 (*clock)(void);

	/* One call's state. */
	struct timespec		 deadline;	/* tv_sec 0: no deadline */
	bool			 timed_out, oom;
	unsigned		 alloc_count;
	struct egress_pac_fn_dns dns;
	struct egress_pac_fn_now now;
	bool			 now_valid;
	jmp_buf			 fatal_jmp;
	bool			 fatal_armed;
	char			 fatal_msg[128];
};

/* True once the call's deadline has passed (and from then on until it is cleared). */
static bool
deadline_passed(struct egress_pac *p)
{
	struct timespec	now;

	if (p->deadline.tv_sec == 0)
		return false;
	if (p->timed_out)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > p->deadline.tv_sec || (now.tv_sec == p->deadline.tv_sec &&
	    now.tv_nsec >= p->deadline.tv_nsec))
		p->timed_out = true;
	return p->timed_out;
}

/*
 * The allocator: malloc with a cap and a list.  It also refuses to grow
 * once the deadline has passed: Duktape checks the deadline only between
 * bytecode instructions, and a loop of a few instructions that each run a
 * long native function (join, repeat, replace) would otherwise keep
 * going; native work that allocates stops here.  The clock is read every
 * PAC_ALLOC_CLOCK_EVERY allocations.
 */
#define PAC_ALLOC_CLOCK_EVERY	16

static bool
alloc_refused(struct egress_pac *p, size_t grow)
{
	if (p->deadline.tv_sec != 0 && (p->timed_out ||
	    ++p->alloc_count % PAC_ALLOC_CLOCK_EVERY == 0) && deadline_passed(p))
		return true;
	if (grow > p->mem_max || p->used > p->mem_max - grow) {
		p->oom = true;
		return true;
	}
	return false;
}

static void
block_link(struct egress_pac *p, struct pac_block *b)
{
	b->prev = &p->blocks;
	b->next = p->blocks.next;
	b->next->prev = b;
	p->blocks.next = b;
}

static void
block_unlink(struct pac_block *b)
{
	b->prev->next = b->next;
	b->next->prev = b->prev;
}

static void *
pac_alloc(void *udata, duk_size_t size)
{
	struct egress_pac	*p = udata;
	struct pac_block	*b;

	if (alloc_refused(p, size) || (b = malloc(sizeof(*b) + size)) == NULL)
		return NULL;
	b->size = size;
	block_link(p, b);
	p->used += size;
	return b + 1;
}

static void
pac_free(void *udata, void *ptr)
{
	struct egress_pac	*p = udata;
	struct pac_block	*b;

	if (ptr == NULL)
		return;
	b = (struct pac_block *)ptr - 1;
	block_unlink(b);
	p->used -= b->size;
	free(b);
}

static void *
pac_realloc(void *udata, void *ptr, duk_size_t size)
{
	struct egress_pac	*p = udata;
	struct pac_block	*b, *nb;

	if (ptr == NULL)
		return pac_alloc(udata, size);
	if (size == 0) {
		pac_free(udata, ptr);
		return NULL;
	}
	b = (struct pac_block *)ptr - 1;
	if (size > b->size && alloc_refused(p, size - b->size))
		return NULL;
	/* Off the list while realloc may move it; back on either way. */
	block_unlink(b);
	if ((nb = realloc(b, sizeof(*nb) + size)) == NULL) {
		block_link(p, b);
		return NULL;
	}
	p->used = p->used - nb->size + size;
	nb->size = size;
	block_link(p, nb);
	return nb + 1;
}

static void
blocks_free_all(struct egress_pac *p)
{
	struct pac_block	*b, *next;

	for (b = p->blocks.next; b != &p->blocks; b = next) {
		next = b->next;
		free(b);
	}
	p->blocks.next = p->blocks.prev = &p->blocks;
	p->used = 0;
}

/*
 * Duktape calls this when it cannot go on (it must not return): back to
 * the guarded call that entered Duktape, which drops the heap.
 */
static void
pac_fatal(void *udata, const char *msg)
{
	struct egress_pac	*p = udata;

	(void)snprintf(p->fatal_msg, sizeof(p->fatal_msg), "%s", msg != NULL ? msg : "?");
	if (p->fatal_armed)
		longjmp(p->fatal_jmp, 1);
	/* Only reachable through a bug of ours: every entry is guarded. */
	abort();
}

/* DUK_USE_EXEC_TIMEOUT_CHECK: true from the deadline until the call returns. */
int
egress_pac_duk_timeout(void *udata)
{
	return udata != NULL && deadline_passed(udata);
}

/*
 * DUK_USE_DATE_GET_LOCAL_TZOFFSET: the local offset in seconds at d
 * (milliseconds since the epoch).  localtime_r only: Duktape's own version
 * calls mktime, which stats /etc/localtime on every call (the worker's
 * seccomp filter kills that).
 */
int
egress_pac_duk_tzoffset(double d)
{
	struct tm	tm;
	time_t		t;

	if (!(d > -8.64e15 && d < 8.64e15))
		return 0;
	t = (time_t)(d / 1000.0);
	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return (int)tm.tm_gmtoff;
}

static void
deadline_set(struct egress_pac *p, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, &p->deadline);
	p->deadline.tv_sec += ms / 1000;
	p->deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (p->deadline.tv_nsec >= 1000000000L) {
		p->deadline.tv_sec++;
		p->deadline.tv_nsec -= 1000000000L;
	}
	p->timed_out = false;
	p->oom = false;
}

static void
deadline_clear(struct egress_pac *p)
{
	p->deadline.tv_sec = 0;
	p->deadline.tv_nsec = 0;
}

/* The helpers as Duktape functions. */

static struct egress_pac *
pac_of(duk_context *ctx)
{
	duk_memory_functions	mf;

	duk_get_memory_functions(ctx, &mf);
	return mf.udata;
}

/* String(argument idx); a NUL inside would cut the C string: a TypeError. */
static const char *
arg_str(duk_context *ctx, duk_idx_t idx, size_t *ret_len)
{
	const char	*s;
	size_t		 len;

	s = duk_to_lstring(ctx, idx, &len);
	if (memchr(s, '\0', len) != NULL)
		(void)duk_type_error(ctx, "NUL in a PAC helper argument");
	if (ret_len != NULL)
		*ret_len = len;
	return s;
}

static duk_ret_t
js_is_plain_host_name(duk_context *ctx)
{
	duk_push_boolean(ctx, egress_pac_fn_is_plain_host_name(arg_str(ctx, 0, NULL)));
	return 1;
}

static duk_ret_t
js_dns_domain_is(duk_context *ctx)
{
	const char	*host = arg_str(ctx, 0, NULL), *dom = arg_str(ctx, 1, NULL);

	duk_push_boolean(ctx, egress_pac_fn_dns_domain_is(host, dom));
	return 1;
}

static duk_ret_t
js_local_host_or_domain_is(duk_context *ctx)
{
	const char	*host = arg_str(ctx, 0, NULL), *dom = arg_str(ctx, 1, NULL);

	duk_push_boolean(ctx, egress_pac_fn_local_host_or_domain_is(host, dom));
	return 1;
}

static duk_ret_t
js_is_resolvable(duk_context *ctx)
{
	duk_push_boolean(ctx, egress_pac_fn_is_resolvable(&pac_of(ctx)->dns,
	    arg_str(ctx, 0, NULL)));
	return 1;
}

static duk_ret_t
js_is_in_net(duk_context *ctx)
{
	const char	*host = arg_str(ctx, 0, NULL), *pat = arg_str(ctx, 1, NULL);
	const char	*mask = arg_str(ctx, 2, NULL);

	duk_push_boolean(ctx, egress_pac_fn_is_in_net(&pac_of(ctx)->dns, host, pat, mask));
	return 1;
}

static duk_ret_t
js_dns_resolve(duk_context *ctx)
{
	char	buf[EGRESS_PAC_FN_IPV4_STRLEN];

	if (egress_pac_fn_dns_resolve(&pac_of(ctx)->dns, arg_str(ctx, 0, NULL), buf,
	    sizeof(buf)) == 0)
		duk_push_string(ctx, buf);
	else
		duk_push_null(ctx);
	return 1;
}

static duk_ret_t
js_my_ip_address(duk_context *ctx)
{
	char	buf[EGRESS_ADDR_STRLEN];

	duk_push_string(ctx, egress_pac_fn_my_ip_address(&pac_of(ctx)->dns, buf, sizeof(buf)));
	return 1;
}

static duk_ret_t
js_dns_domain_levels(duk_context *ctx)
{
	duk_push_uint(ctx, egress_pac_fn_dns_domain_levels(arg_str(ctx, 0, NULL)));
	return 1;
}

static duk_ret_t
js_convert_addr(duk_context *ctx)
{
	duk_push_int(ctx, egress_pac_fn_convert_addr(arg_str(ctx, 0, NULL)));
	return 1;
}

static duk_ret_t
js_sh_exp_match(duk_context *ctx)
{
	const char	*s, *pat;
	size_t		 slen, plen;
	int		 r;

	/* Lengths from Duktape: these two may hold a NUL and still compare. */
	s = duk_to_lstring(ctx, 0, &slen);
	pat = duk_to_lstring(ctx, 1, &plen);
	if ((r = egress_pac_fn_sh_exp_match(s, slen, pat, plen)) < 0)
		return duk_range_error(ctx, "shExpMatch: operand over %d bytes",
		    EGRESS_PAC_FN_MATCH_MAX);
	duk_push_boolean(ctx, r == 1);
	return 1;
}

typedef int (*pac_range_fn)(const char *const *, size_t, const struct egress_pac_fn_now *);

static duk_ret_t
js_range(duk_context *ctx, const char *name, pac_range_fn fn)
{
	struct egress_pac	*p = pac_of(ctx);
	const char		*argv[EGRESS_PAC_FN_ARGS_MAX];
	duk_idx_t		 i, n = duk_get_top(ctx);
	int			 r;

	if (n > EGRESS_PAC_FN_ARGS_MAX)
		return duk_type_error(ctx, "%s: %ld arguments", name, (long)n);
	for (i = 0; i < n; i++)
		argv[i] = arg_str(ctx, i, NULL);
	if (!p->now_valid) {
		egress_pac_fn_now(p->clock != NULL ? p->clock() : time(NULL), &p->now);
		p->now_valid = true;
	}
	if ((r = fn(argv, (size_t)n, &p->now)) < 0)
		return duk_type_error(ctx, "%s: arguments of no form browsers define", name);
	duk_push_boolean(ctx, r == 1);
	return 1;
}

static duk_ret_t
js_weekday_range(duk_context *ctx)
{
	return js_range(ctx, "weekdayRange", egress_pac_fn_weekday_range);
}

static duk_ret_t
js_date_range(duk_context *ctx)
{
	return js_range(ctx, "dateRange", egress_pac_fn_date_range);
}

static duk_ret_t
js_time_range(duk_context *ctx)
{
	return js_range(ctx, "timeRange", egress_pac_fn_time_range);
}

/* alert(): browsers log it; a PAC left with one for debugging must still work. */
static duk_ret_t
js_alert(duk_context *ctx)
{
	(void)ctx;
	return 0;
}

static const duk_function_list_entry pac_globals[] = {
	{ "isPlainHostName", js_is_plain_host_name, 1 },
	{ "dnsDomainIs", js_dns_domain_is, 2 },
	{ "localHostOrDomainIs", js_local_host_or_domain_is, 2 },
	{ "isResolvable", js_is_resolvable, 1 },
	{ "isInNet", js_is_in_net, 3 },
	{ "dnsResolve", js_dns_resolve, 1 },
	{ "myIpAddress", js_my_ip_address, 0 },
	{ "dnsDomainLevels", js_dns_domain_levels, 1 },
	{ "convert_addr", js_convert_addr, 1 },
	{ "shExpMatch", js_sh_exp_match, 2 },
	{ "weekdayRange", js_weekday_range, DUK_VARARGS },
	{ "dateRange", js_date_range, DUK_VARARGS },
	{ "timeRange", js_time_range, DUK_VARARGS },
	{ "alert", js_alert, 1 },
	{ NULL, NULL, 0 }
};

/* The errno for a failed call: what made it fail, as far as we saw it. */
static int
failure_errno(const struct egress_pac *p)
{
	if (p->timed_out)
		return -ETIMEDOUT;
	if (p->oom)
		return -ENOMEM;
	return -EINVAL;
}

/*
 * The thrown value at the top as text, still under the deadline: its
 * toString is the script's, and may be what overruns (call failure_errno
 * after this).
 */
static void
error_text(struct egress_pac *p, struct dw_err *err, const char *what, unsigned ms)
{
	const char	*msg = duk_safe_to_string(p->ctx, -1);

	if (p->timed_out)
		dw_err_set(err, "PAC: %s: over the %u ms budget", what, ms);
	else if (p->oom)
		dw_err_set(err, "PAC: %s: over the %zu-byte memory cap (%s)", what, p->mem_max,
		    msg);
	else
		dw_err_set(err, "PAC: %s: %s", what, msg);
}

static const char *
type_name(duk_int_t t)
{
	switch (t) {
	case DUK_TYPE_UNDEFINED:
		return "undefined";
	case DUK_TYPE_NULL:
		return "null";
	case DUK_TYPE_BOOLEAN:
		return "a boolean";
	case DUK_TYPE_NUMBER:
		return "a number";
	case DUK_TYPE_OBJECT:
		return "an object";
	default:
		return "a value";
	}
}

/*
 * Run fn with Duktape's fatal handler pointed here: a fatal error drops
 * the heap (its blocks freed from the list) and answers -EIO.
 */
static int
guarded(struct egress_pac *p, int (*fn)(struct egress_pac *, void *), void *arg,
    struct dw_err *err)
{
	int	r;

	if (setjmp(p->fatal_jmp) != 0) {
		p->fatal_armed = false;
		deadline_clear(p);
		p->ctx = NULL;
		blocks_free_all(p);
		dw_err_set(err, "PAC: interpreter fatal error: %s", p->fatal_msg);
		return -EIO;
	}
	p->fatal_armed = true;
	r = fn(p, arg);
	p->fatal_armed = false;
	return r;
}

/* Destroy the heap; a deadline stays set in case anything runs on the way out. */
static int
heap_destroy(struct egress_pac *p, void *arg)
{
	(void)arg;
	deadline_set(p, p->budget_ms);
	duk_destroy_heap(p->ctx);
	p->ctx = NULL;
	deadline_clear(p);
	return 0;
}

static void
heap_drop(struct egress_pac *p)
{
	if (p->ctx != NULL)
		(void)guarded(p, heap_destroy, NULL, NULL);
	/* Anything left (after a fatal error) goes too. */
	blocks_free_all(p);
}

/* A new heap with the helpers, the script compiled and its top level run. */
static int
heap_load(struct egress_pac *p, void *arg)
{
	struct dw_err	*err = arg;
	duk_context	*ctx;
	int		 r;

	ctx = duk_create_heap(pac_alloc, pac_realloc, pac_free, p, pac_fatal);
	if (ctx == NULL) {
		dw_err_set(err, "PAC: cannot create the interpreter within %zu bytes", p->mem_max);
		return -ENOMEM;
	}
	p->ctx = ctx;
	duk_push_global_object(ctx);
	/* Duktape.fin would let a script run finalizers when the heap is destroyed. */
	(void)duk_del_prop_string(ctx, -1, "Duktape");
	duk_put_function_list(ctx, -1, pac_globals);
	duk_pop(ctx);

	deadline_set(p, p->load_ms);
	duk_push_string(ctx, "pac");
	if (duk_pcompile_lstring_filename(ctx, 0, p->script, p->len) != 0) {
		error_text(p, err, "does not compile", p->load_ms);
		r = failure_errno(p);
		goto out;
	}
	if (duk_pcall(ctx, 0) != 0) {
		error_text(p, err, "top level", p->load_ms);
		r = failure_errno(p);
		goto out;
	}
	duk_pop(ctx);
	(void)duk_get_global_string(ctx, "FindProxyForURL");
	if (!duk_is_function(ctx, -1)) {
		r = -EINVAL;
		dw_err_set(err, "PAC: no function FindProxyForURL");
		goto out;
	}
	r = 0;
out:
	duk_set_top(ctx, 0);
	deadline_clear(p);
	return r;
}

static int
pac_rebuild(struct egress_pac *p, struct dw_err *err)
{
	int	r;

	heap_drop(p);
	if ((r = guarded(p, heap_load, err, err)) != 0)
		heap_drop(p);
	return r;
}

int
egress_pac_new(const char *script, size_t len, const struct egress_pac_opts *opts,
    struct egress_pac **ret_pac, struct dw_err *err)
{
	struct egress_pac	*p;
	int			 r;

	if (len > EGRESS_PAC_SCRIPT_MAX) {
		dw_err_set(err, "PAC: %zu bytes, over %u", len, EGRESS_PAC_SCRIPT_MAX);
		return -E2BIG;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL || (p->script = malloc(len + 1)) == NULL) {
		free(p);
		dw_err_set(err, "PAC: out of memory");
		return -ENOMEM;
	}
	memcpy(p->script, script, len);
	p->script[len] = '\0';
	p->len = len;
	p->blocks.next = p->blocks.prev = &p->blocks;
	p->budget_ms = opts != NULL && opts->budget_ms != 0 ? opts->budget_ms : EGRESS_PAC_BUDGET_MS;
	p->load_ms = opts != NULL && opts->load_ms != 0 ? opts->load_ms : EGRESS_PAC_LOAD_MS;
	p->mem_max = opts != NULL && opts->mem_max != 0 ? opts->mem_max : EGRESS_PAC_MEM_MAX;
	if (opts != NULL) {
		p->dns.my_ip = opts->my_ip;
		p->clock = opts->clock;
	}
	if ((r = pac_rebuild(p, err)) != 0) {
		egress_pac_free(p);
		return r;
	}
	*ret_pac = p;
	return 0;
}

void
egress_pac_free(struct egress_pac *p)
{
	if (p == NULL)
		return;
	heap_drop(p);
	free(p->script);
	free(p);
}

struct eval_call {
	const char	*url, *host;
	char		*buf;
	size_t		 sz;
	struct dw_err	*err;
};

static int
eval_call(struct egress_pac *p, void *arg)
{
	struct eval_call	*c = arg;
	duk_context		*ctx = p->ctx;
	const char		*s;
	size_t			 len;
	int			 r;

	deadline_set(p, p->budget_ms);
	(void)duk_get_global_string(ctx, "FindProxyForURL");
	duk_push_string(ctx, c->url);
	duk_push_string(ctx, c->host);
	if (duk_pcall(ctx, 2) != 0) {
		error_text(p, c->err, "FindProxyForURL", p->budget_ms);
		r = failure_errno(p);
	} else if (!duk_is_string(ctx, -1)) {
		r = -EINVAL;
		dw_err_set(c->err, "PAC: FindProxyForURL returned %s, not a string",
		    type_name(duk_get_type(ctx, -1)));
	} else {
		s = duk_get_lstring(ctx, -1, &len);
		if (len >= c->sz) {
			r = -E2BIG;
			dw_err_set(c->err, "PAC: FindProxyForURL returned %zu bytes, over %zu",
			    len, c->sz - 1);
		} else if (memchr(s, '\0', len) != NULL) {
			r = -EINVAL;
			dw_err_set(c->err, "PAC: FindProxyForURL returned a string with a NUL");
		} else {
			memcpy(c->buf, s, len);
			c->buf[len] = '\0';
			r = 0;
		}
	}
	duk_set_top(ctx, 0);
	deadline_clear(p);
	return r;
}

int
egress_pac_eval(struct egress_pac *p, const char *url, const char *host,
    const struct egress_addr *ip, char *buf, size_t sz, struct dw_err *err)
{
	struct eval_call	c = { url, host, buf, sz, err };
	struct dw_err		rerr;
	int			 r;

	if (sz == 0)
		return -EINVAL;
	if (p->ctx == NULL && pac_rebuild(p, &rerr) != 0) {
		dw_err_set(err, "PAC: no interpreter: %s", rerr.msg);
		return -EIO;
	}
	p->dns.name = host;
	if (ip != NULL)
		p->dns.ip = *ip;
	else
		memset(&p->dns.ip, 0, sizeof(p->dns.ip));
	p->now_valid = false;
	r = guarded(p, eval_call, &c, err);
	p->dns.name = NULL;
	/*
	 * Over the budget or the memory, the script stopped wherever it was:
	 * its globals may be half-updated.  Start the next call from a fresh
	 * heap (a failure to rebuild is retried then).
	 */
	if (r == -ETIMEDOUT || r == -ENOMEM || r == -EIO)
		(void)pac_rebuild(p, NULL);
	return r;
}

int
egress_pac_target_args(const struct egress_target *t, char *url, size_t usz, char *host,
    size_t hsz)
{
	char	ip[EGRESS_ADDR_STRLEN];
	bool	v6 = false;
	int	n;

	if (t->name[0] != '\0')
		n = snprintf(host, hsz, "%s", t->name);
	else {
		if ((t->ip.family != AF_INET && t->ip.family != AF_INET6) ||
		    inet_ntop(t->ip.family, &t->ip.u, ip, sizeof(ip)) == NULL)
			return -EINVAL;
		v6 = t->ip.family == AF_INET6;
		n = snprintf(host, hsz, "%s", ip);
	}
	if (n < 0 || (size_t)n >= hsz)
		return -EINVAL;
	if (t->port == 443)
		n = snprintf(url, usz, v6 ? "https://[%s]:443" : "https://%s:443", host);
	else
		n = snprintf(url, usz, v6 ? "http://[%s]:%u" : "http://%s:%u", host,
		    (unsigned)t->port);
	if (n < 0 || (size_t)n >= usz)
		return -EINVAL;
	return 0;
}
