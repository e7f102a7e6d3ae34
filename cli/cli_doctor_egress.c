/* cli_doctor_egress: doctor's checks of air-gapped containers (table, proxy, PAC). */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli_doctor_egress.h"
#include "cli/cli_doctor_report.h"
#include "cli/cli_egress.h"
#include "egress/egress_nft.h"
#include "egress/egress_worker.h"

#define CHECK_EPOLICY	"egress.policy"
#define CHECK_ETABLE	"egress.table"
#define CHECK_EPROXY	"egress.proxy"
#define CHECK_EPAC	"egress.pac"
#define CHECK_EBUILD	"egress.buildkit"

#define PROXY_COMM	"dockward"	/* the daemon's comm: the proxy runs inside it */
#define TCP_LISTEN	0x0A		/* /proc/net/tcp st: TCP_LISTEN */

/* ---- the default ops ---- */

static int
def_nft_present(void *ctx, struct dw_err *err)
{
	(void)ctx;
	return egress_nft_present(err);
}

static int
def_pac_compile(void *ctx, const char *script, size_t len, struct dw_err *err)
{
	void	*w;
	int	 r;

	if ((r = cli_egress_worker_start(ctx, script, len, &w, err)) < 0)
		return r;
	egress_worker_stop(w);
	return 0;
}

const struct cli_doctor_egress_ops cli_doctor_egress_ops_default = {
	.ctx = NULL,
	.nft_present = def_nft_present,
	.pac_fetch = cli_egress_pac_fetch,
	.pac_compile = def_pac_compile,
};

/* ---- the proxy's listener ---- */

/* The listener found for a port: its socket inodes, by family. */
struct listener {
	unsigned long	inode4, inode6;
};

/*
 * Read proc/net/FILE (tcp or tcp6) for a socket listening on port.  0 and
 * *ret_inode (0: none), or -errno (the file cannot be read).
 */
static int
listen_find(const char *proc, const char *file, uint16_t port, unsigned long *ret_inode)
{
	char		 path[PATH_MAX], line[512];
	unsigned	 lport, st;
	unsigned long	 inode;
	FILE		*f;

	snprintf(path, sizeof(path), "%s/net/%s", proc, file);
	if ((f = fopen(path, "re")) == NULL)
		return -errno;
	*ret_inode = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		/* "  0: 00000000:3A99 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 12345 ..." */
		if (sscanf(line, " %*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x %*s %*s %*s "
		    "%*s %*s %lu", &lport, &st, &inode) != 3)
			continue;
		if (lport == port && st == TCP_LISTEN) {
			*ret_inode = inode;
			break;
		}
	}
	fclose(f);
	return 0;
}

/*
 * The process holding socket inode: its pid and comm, found in
 * proc/PID/fd (readable as root).  0 and the owner, -ENOENT when no
 * process could be seen holding it.
 */
static int
owner_find(const char *proc, unsigned long inode, long *ret_pid, char *comm, size_t len)
{
	struct dirent	*d, *fd;
	DIR		*dir, *fdir;
	char		 path[PATH_MAX], want[64], link[64];
	ssize_t		 n;
	size_t		 nfd;
	char		*end;
	long		 pid;
	FILE		*f;
	int		 r = -ENOENT;

	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	if ((dir = opendir(proc)) == NULL)
		return -errno;
	while (r == -ENOENT && (d = readdir(dir)) != NULL) {
		pid = strtol(d->d_name, &end, 10);
		if (d->d_name[0] < '1' || d->d_name[0] > '9' || *end != '\0')
			continue;
		snprintf(path, sizeof(path), "%s/%s/fd", proc, d->d_name);
		if ((fdir = opendir(path)) == NULL)
			continue;
		for (nfd = 0; (fd = readdir(fdir)) != NULL && nfd < CLI_DOCTOR_EGRESS_FDS_MAX;
		    nfd++) {
			snprintf(path, sizeof(path), "%s/%s/fd/%s", proc, d->d_name,
			    fd->d_name);
			if ((n = readlink(path, link, sizeof(link) - 1)) <= 0)
				continue;
			link[n] = '\0';
			if (strcmp(link, want) == 0) {
				r = 0;
				break;
			}
		}
		closedir(fdir);
		if (r < 0)
			continue;
		*ret_pid = pid;
		snprintf(path, sizeof(path), "%s/%s/comm", proc, d->d_name);
		comm[0] = '\0';
		if ((f = fopen(path, "re")) != NULL) {
			if (fgets(comm, (int)len, f) == NULL)
				comm[0] = '\0';
			fclose(f);
		}
		comm[strcspn(comm, "\n")] = '\0';
	}
	closedir(dir);
	return r;
}

/* egress.proxy: a listener on p->port, and whose it is. */
static int
check_proxy(const struct cli_doctor_egress_opts *o, const struct egress_policy *p,
    struct cli_doctor_report *rep)
{
	struct listener	 l = { 0 };
	char		 comm[64];
	long		 pid = 0;
	int		 r4, r6;

	r4 = listen_find(o->proc, "tcp", p->port, &l.inode4);
	r6 = listen_find(o->proc, "tcp6", p->port, &l.inode6);
	if (r4 < 0 && r6 < 0)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN, CHECK_EPROXY,
		    "cannot read %s/net/tcp (%s): the proxy's port %u was not checked",
		    o->proc, strerror(-r4), (unsigned)p->port);
	if (l.inode4 == 0 && l.inode6 == 0)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL, CHECK_EPROXY,
		    "nothing listens on TCP port %u (dockward.egress.port): every "
		    "container connection on transparentPorts is redirected there and "
		    "refused; start dockward serve with this policy (systemctl status "
		    "dockward, and its log)", (unsigned)p->port);
	if (owner_find(o->proc, l.inode4 ? l.inode4 : l.inode6, &pid, comm,
	    sizeof(comm)) == 0 && strcmp(comm, PROXY_COMM) != 0)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL, CHECK_EPROXY,
		    "TCP port %u (dockward.egress.port) is held by %s (pid %ld), not "
		    "dockward: container connections redirected there reach it; stop it "
		    "or choose another dockward.egress.port", (unsigned)p->port,
		    comm[0] ? comm : "?", pid);
	return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS, CHECK_EPROXY,
	    "the proxy listens on TCP port %u (%s%s%s); it answers only redirected "
	    "container connections, so a connection from the host is dropped by "
	    "design", (unsigned)p->port, l.inode4 ? "IPv4" : "",
	    l.inode4 && l.inode6 ? " and " : "", l.inode6 ? "IPv6" : "");
}

/* egress.table: dockward's nftables table is loaded. */
static int
check_table(const struct cli_doctor_egress_opts *o, struct cli_doctor_report *rep)
{
	const struct cli_doctor_egress_ops *ops = o->ops;
	struct dw_err	 err;
	int		 r;

	dw_err_clear(&err);
	r = ops->nft_present(ops->ctx, &err);
	if (r == 1)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS, CHECK_ETABLE,
		    "the nftables table inet " EGRESS_NFT_TABLE " is loaded: container "
		    "connections are redirected to the proxy");
	if (r == 0)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL, CHECK_ETABLE,
		    "the nftables table inet " EGRESS_NFT_TABLE " is missing: container "
		    "connections are not intercepted; dockward serve loads it at start "
		    "and again within seconds when it disappears: is it running with "
		    "this policy? (systemctl status dockward; nft list table inet "
		    EGRESS_NFT_TABLE ")");
	if (r == -EPERM || r == -EACCES || geteuid() != 0)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN, CHECK_ETABLE,
		    "cannot read the nftables ruleset%s%s%s: it needs root "
		    "(CAP_NET_ADMIN); run doctor as root", err.msg[0] ? " (" : "",
		    err.msg, err.msg[0] ? ")" : "");
	return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN, CHECK_ETABLE,
	    "cannot read the nftables ruleset (%s); check with nft list table inet "
	    EGRESS_NFT_TABLE, err.msg[0] ? err.msg : strerror(-r));
}

/* egress.pac: fetched and compiled as serve does. */
static int
check_pac(const struct cli_doctor_egress_opts *o, const struct egress_policy *p,
    struct cli_doctor_report *rep)
{
	const struct cli_doctor_egress_ops *ops = o->ops;
	struct dw_err	 err;
	char		*script = NULL;
	size_t		 len = 0;
	int		 r;

	if (o->no_network)
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS, CHECK_EPAC,
		    "the PAC at %s was not fetched (--no-network)", p->pac_url);
	if ((r = ops->pac_fetch(ops->ctx, p, &script, &len, &err)) < 0) {
		if (r == -ENOMEM)
			return r;
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL, CHECK_EPAC,
		    "cannot fetch the PAC at %s (%s): while dockward cannot, it refuses "
		    "every container connection on transparentPorts (fail closed); make "
		    "it reachable from this host%s", p->pac_url, err.msg,
		    p->ca_file == NULL && strncmp(p->pac_url, "https:", 6) == 0 ?
		    ", or name its CA in dockward.egress.caFile" : "");
	}
	if ((r = ops->pac_compile(ops->ctx, script, len, &err)) < 0)
		r = r == -ENOMEM ? r : cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL,
		    CHECK_EPAC, "the PAC at %s does not compile (%s): dockward refuses "
		    "every container connection on transparentPorts until it does; fix "
		    "it (it must define FindProxyForURL(url, host))", p->pac_url, err.msg);
	else
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS, CHECK_EPAC,
		    "the PAC at %s (%zu bytes) is fetched and compiles in a PAC worker",
		    p->pac_url, len);
	free(script);
	return r;
}

/* egress.policy: one line of what containersProxy asks for. */
static int
check_policy(const struct authz_settings *s, const struct egress_policy *p,
    struct cli_doctor_report *rep)
{
	static const char *const udp[] = { "dns-only", "allow", "block" };
	const char	*ports = json_string_value(json_object_get(s->containers_proxy,
	    "transparentPorts"));
	char		 how[EGRESS_HOST_MAX + 64];

	if (p->pac_url != NULL)
		snprintf(how, sizeof(how), "the PAC at %s decides", p->pac_url);
	else if (!p->http.set && !p->https.set)
		snprintf(how, sizeof(how), "no proxy: everything not excluded is refused");
	else
		snprintf(how, sizeof(how), "exclude, then the http/https proxies");
	return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS, CHECK_EPOLICY,
	    "containersProxy is set (mode %s): %s; %zu exclude entries; "
	    "transparentPorts %s; UDP %s; proxy port %u",
	    p->mode == EGRESS_MODE_SYSTEM ? "system" : "manual", how, p->nexclude,
	    ports != NULL ? ports : "(not set)",
	    (size_t)p->udp < sizeof(udp) / sizeof(udp[0]) ? udp[p->udp] : "?",
	    (unsigned)p->port);
}

int
cli_doctor_egress_probe(const struct cli_doctor_egress_opts *o,
    const struct authz_settings *s, bool buildkit_host, struct cli_doctor_report *rep)
{
	struct cli_doctor_egress_opts	 oo = *o;
	struct egress_policy		*p = NULL;
	struct dw_err			 err;
	int				 r;

	if (s == NULL || (s->containers_proxy == NULL && s->egress == NULL))
		return 0;	/* policy.file says why it could not be read */
	if (oo.ops == NULL)
		oo.ops = &cli_doctor_egress_ops_default;
	if ((r = cli_egress_policy(s, NULL, o->resolv_conf, &p, NULL, &err)) < 0) {
		if (r == -ENOMEM)
			return r;
		if (r == -ENOENT)
			return 0;
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL, CHECK_EPOLICY,
		    "%s: %s; dockward serve refuses this policy (dockward check "
		    "--settings %s)", s->origin, err.msg, s->origin);
	}
	if ((r = check_policy(s, p, rep)) < 0 ||
	    (r = check_table(&oo, rep)) < 0 ||
	    (r = check_proxy(&oo, p, rep)) < 0 ||
	    (p->pac_url != NULL && (r = check_pac(&oo, p, rep)) < 0))
		goto out;
	/* As check warns: only when the policy lets BuildKit through at all. */
	if (buildkit_host && authz_settings_buildkit_allowed(s))
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN, CHECK_EBUILD,
		    "this policy lets BuildKit builds through, and a dockerd lets them "
		    "run RUN --network=host steps (the network-host entitlement, "
		    "dockerd's default): such a step uses the host's network and no "
		    "containersProxy rule sees it; set \"builder\": {\"Entitlements\": "
		    "{\"network-host\": false}} in daemon.json (see "
		    "engine.buildEntitlements), or refuse BuildKit (ECI on without "
		    "dockward.allowBuildKit)");
out:
	egress_policy_free(p);
	return r;
}
