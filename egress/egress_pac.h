/*
 * egress_pac: one PAC script in one Duktape heap.  The script is compiled
 * once; FindProxyForURL(url, host) is then called as often as asked, each
 * call under an execution-time budget (Duktape's timeout hook: the script
 * gets a RangeError it cannot catch for good) and the heap under a memory
 * cap (a custom allocator).  The PAC helper functions are egress_pac_fn's,
 * registered as globals; dnsResolve knows only the connection's own name.
 * A heap that overran its budget or its memory, or hit a Duktape fatal
 * error, is rebuilt from the script before the next call, so no state a
 * half-run call left behind survives.
 *
 * In-process this bounds a script's time only while it runs bytecode; the
 * hard bound (and seccomp) is egress_worker's, which runs this in a child.
 * Not thread-safe: one caller at a time per struct egress_pac.
 */
#ifndef EGRESS_PAC_H
#define EGRESS_PAC_H

#include <stddef.h>
#include <time.h>

#include "common/dw_err.h"
#include "egress/egress_addr.h"
#include "egress/egress_answer.h"

#define EGRESS_PAC_SCRIPT_MAX	(2u << 20)	/* a PAC script's bytes */
#define EGRESS_PAC_BUDGET_MS	50		/* one FindProxyForURL call */
#define EGRESS_PAC_LOAD_MS	1000		/* compiling and running the top level */
#define EGRESS_PAC_MEM_MAX	(16u << 20)	/* the heap's bytes */
/* "https://" + name + ":65535" with brackets around an IPv6 address. */
#define EGRESS_PAC_URL_MAX	(EGRESS_HOST_MAX + 16)
/*
 * The regular expression executor's step limit is DUK_RE_STEPS in
 * Makefile.am (1e6 instead of Duktape's 1e9: a catastrophic regexp fails
 * in milliseconds); the executor does not call the timeout hook.
 */

struct egress_pac;

struct egress_pac_opts {
	unsigned		budget_ms;	/* per call (0: EGRESS_PAC_BUDGET_MS) */
	unsigned		load_ms;	/* compile + top level (0: EGRESS_PAC_LOAD_MS) */
	size_t			mem_max;	/* heap cap (0: EGRESS_PAC_MEM_MAX) */
	struct egress_addr	my_ip;		/* myIpAddress() (family 0: 127.0.0.1) */
	time_t			(*clock)(void);	/* the time functions' clock (NULL: time()) */
};

/*
 * Compile script (borrowed; copied) with opts (NULL: defaults).  Fails
 * with -EINVAL (syntax error, a throw at the top level, no
 * FindProxyForURL function), -ETIMEDOUT, -ENOMEM or -E2BIG (over
 * EGRESS_PAC_SCRIPT_MAX), with err.  0 and a new evaluator in *ret_pac.
 */
int	egress_pac_new(const char *script, size_t len, const struct egress_pac_opts *opts,
	    struct egress_pac **ret_pac, struct dw_err *err);
void	egress_pac_free(struct egress_pac *p);

/*
 * FindProxyForURL(url, host); dnsResolve(host) answers ip (NULL: nothing
 * resolves but IP literals).  The result string goes into buf (NUL
 * terminated).  0, or with err: -ETIMEDOUT (over the budget), -ENOMEM
 * (over the memory cap), -EINVAL (the script threw, or returned something
 * that is not a string), -E2BIG (the result does not fit sz), -EIO (the
 * heap could not be rebuilt after an earlier failure).
 */
int	egress_pac_eval(struct egress_pac *p, const char *url, const char *host,
	    const struct egress_addr *ip, char *buf, size_t sz, struct dw_err *err);

/*
 * FindProxyForURL's arguments for t: url "https://NAME:443" on port 443,
 * else "http://NAME:PORT"; host NAME: t->name, or t->ip's text when it is
 * "" (an IPv6 address in brackets in url only).  url needs
 * EGRESS_PAC_URL_MAX, host EGRESS_HOST_MAX.  0 or -EINVAL (no address).
 */
int	egress_pac_target_args(const struct egress_target *t, char *url, size_t usz,
	    char *host, size_t hsz);

#endif
