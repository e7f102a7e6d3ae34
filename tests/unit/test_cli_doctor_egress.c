/*
 * Unit tests for cli_doctor_egress: the egress.* checks of `dockward
 * doctor` on fixtures.  The nftables table, the PAC download and the PAC
 * worker are fakes (struct cli_doctor_egress_ops); /proc is a tree under
 * a mkdtemp directory (net/tcp, net/tcp6, PID/fd/N -> socket:[INODE],
 * PID/comm).
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/cli_doctor_egress.h"
#include "cli/cli_doctor_report.h"
#include "authz/authz_settings.h"

/* ---- fakes ---- */

static struct {
	int		 nft;		/* what nft_present answers */
	const char	*script;	/* NULL: the download fails */
	bool		 broken;	/* the script does not compile */
	int		 fetches, compiles;
} F;

static int
fake_nft(void *ctx, struct dw_err *err)
{
	(void)ctx;
	if (F.nft < 0)
		dw_err_set(err, "Operation not permitted");
	return F.nft;
}

static int
fake_fetch(void *ctx, const struct egress_policy *p, char **ret, size_t *ret_len,
    struct dw_err *err)
{
	(void)ctx;
	F.fetches++;
	assert_string_equal(p->pac_url, "http://pac.test/proxy.pac");
	if (F.script == NULL) {
		dw_err_set(err, "Could not connect to server");
		return -ECONNREFUSED;
	}
	assert_non_null(*ret = strdup(F.script));
	*ret_len = strlen(F.script);
	return 0;
}

static int
fake_compile(void *ctx, const char *script, size_t len, struct dw_err *err)
{
	(void)ctx;
	assert_int_equal(len, strlen(script));
	F.compiles++;
	if (F.broken) {
		dw_err_set(err, "no function FindProxyForURL");
		return -EINVAL;
	}
	return 0;
}

static const struct cli_doctor_egress_ops fake_ops = {
	.nft_present = fake_nft,
	.pac_fetch = fake_fetch,
	.pac_compile = fake_compile,
};

/* ---- /proc fixtures ---- */

#define HDR	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when " \
	"retrnsmt   uid  timeout inode\n"
/* 0.0.0.0:15001 (0x3A99) listening, inode 4242; 127.0.0.1:53 listening; one established. */
#define TCP_LISTEN_15001 HDR \
	"   0: 00000000:3A99 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0\n" \
	"   1: 0100007F:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 77 1 0000000000000000 100 0 0 10 0\n" \
	"   2: 0100007F:3A99 0100007F:A000 01 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 100 0 0 10 0\n"
#define TCP_NONE HDR \
	"   0: 0100007F:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 77 1 0000000000000000 100 0 0 10 0\n"
#define TCP6_LISTEN_15001 HDR \
	"   0: 00000000000000000000000000000000:3A99 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4243 1 0000000000000000 100 0 0 10 0\n"

static void
write_file(const char *dir, const char *name, const char *text)
{
	char	path[PATH_MAX];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* A proc tree: net/tcp, net/tcp6, and process pid (comm) holding inode as fd 7. */
static void
proc_make(char *dir, size_t len, const char *tcp, const char *tcp6, int pid,
    const char *comm, unsigned long inode)
{
	char	path[PATH_MAX], target[64];

	snprintf(dir, len, "/tmp/dw-doctor-egress-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/net", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	write_file(dir, "net/tcp", tcp);
	write_file(dir, "net/tcp6", tcp6);
	if (pid == 0)
		return;
	snprintf(path, sizeof(path), "%s/%d", dir, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%d/fd", dir, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%d/comm", pid);
	write_file(dir, path, comm);
	snprintf(path, sizeof(path), "%s/%d/fd/3", dir, pid);
	assert_int_equal(symlink("/dev/null", path), 0);
	snprintf(path, sizeof(path), "%s/%d/fd/7", dir, pid);
	snprintf(target, sizeof(target), "socket:[%lu]", inode);
	assert_int_equal(symlink(target, path), 0);
}

static void
proc_remove(const char *dir)
{
	char	cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* ---- policies ---- */

#define HEAD	"{\"configurationFileVersion\": 2, "
#define DNS	"\"dockward\": {\"egress\": {\"dnsServers\": [\"192.0.2.53\"]}}}"

static const char	pac_policy[] = HEAD "\"containersProxy\": {\"mode\": \"manual\","
    "\"pac\": \"http://pac.test/proxy.pac\", \"transparentPorts\": \"*\"}, " DNS;
static const char	static_policy[] = HEAD "\"containersProxy\": {\"mode\": \"manual\","
    "\"http\": \"\", \"https\": \"\", \"exclude\": [\"10.0.0.0/8\"],"
    "\"transparentPorts\": \"80,443\"}, " DNS;
static const char	bad_policy[] = HEAD "\"containersProxy\": {\"mode\": \"manual\","
    "\"transparentPorts\": \"80-\"}, " DNS;
static const char	no_policy[] = HEAD "\"blockDockerLoad\": {\"value\": true}}";
/* ECI on: BuildKit is refused, so its host network does not matter. */
static const char	eci_policy[] = HEAD "\"enhancedContainerIsolation\": {\"value\": true}, "
    "\"containersProxy\": {\"mode\": \"manual\", \"transparentPorts\": \"*\"}, " DNS;

/* ---- running ---- */

/* Run the egress checks of policy on proc; the report in rep. */
static void
probe(const char *policy, const char *proc, bool no_network, bool buildkit,
    struct cli_doctor_report *rep)
{
	struct cli_doctor_egress_opts	 o = { .proc = proc, .no_network = no_network,
	    .ops = &fake_ops };
	struct authz_settings		*s;
	struct dw_err			 err;

	assert_non_null(s = authz_settings_parse(policy, strlen(policy), "/etc/p.json", &err));
	memset(rep, 0, sizeof(*rep));
	assert_int_equal(cli_doctor_egress_probe(&o, s, buildkit, rep), 0);
	authz_settings_free(s);
}

/* The finding for check, with level; fails when there is none or another level. */
static const char *
finding(const struct cli_doctor_report *rep, const char *check,
    enum cli_doctor_report_level level)
{
	size_t	i;

	for (i = 0; i < rep->n; i++) {
		if (strcmp(rep->v[i].check, check) != 0)
			continue;
		if (rep->v[i].level != level)
			fail_msg("%s: level %d, want %d: %s", check, rep->v[i].level, level,
			    rep->v[i].msg);
		return rep->v[i].msg;
	}
	fail_msg("no %s finding", check);
	return NULL;
}

static bool
has_check(const struct cli_doctor_report *rep, const char *check)
{
	size_t	i;

	for (i = 0; i < rep->n; i++)
		if (strcmp(rep->v[i].check, check) == 0)
			return true;
	return false;
}

static int
setup(void **state)
{
	(void)state;
	memset(&F, 0, sizeof(F));
	F.nft = 1;
	F.script = "function FindProxyForURL(u, h) { return \"DIRECT\"; }";
	return 0;
}

/* ---- tests ---- */

static void
test_all_pass(void **state)
{
	struct cli_doctor_report	rep;
	char				proc[PATH_MAX];

	(void)state;
	proc_make(proc, sizeof(proc), TCP_LISTEN_15001, TCP6_LISTEN_15001, 812, "dockward\n",
	    4242);
	probe(pac_policy, proc, false, false, &rep);
	assert_non_null(strstr(finding(&rep, "egress.policy", CLI_DOCTOR_REPORT_PASS),
	    "the PAC at http://pac.test/proxy.pac decides"));
	finding(&rep, "egress.table", CLI_DOCTOR_REPORT_PASS);
	assert_non_null(strstr(finding(&rep, "egress.proxy", CLI_DOCTOR_REPORT_PASS),
	    "TCP port 15001 (IPv4 and IPv6)"));
	assert_non_null(strstr(finding(&rep, "egress.pac", CLI_DOCTOR_REPORT_PASS),
	    "is fetched and compiles"));
	assert_false(has_check(&rep, "egress.buildkit"));
	assert_int_equal(cli_doctor_report_print(&rep, stderr), CLI_DOCTOR_REPORT_PASS);
	assert_int_equal(F.fetches, 1);
	assert_int_equal(F.compiles, 1);
	cli_doctor_report_clear(&rep);
	proc_remove(proc);
}

static void
test_not_set(void **state)
{
	struct cli_doctor_report	rep;
	char				proc[PATH_MAX];

	(void)state;
	proc_make(proc, sizeof(proc), TCP_NONE, HDR, 0, NULL, 0);
	probe(no_policy, proc, false, true, &rep);
	assert_int_equal(rep.n, 0);
	cli_doctor_report_clear(&rep);
	proc_remove(proc);
}

static void
test_bad_policy(void **state)
{
	struct cli_doctor_report	rep;
	char				proc[PATH_MAX];

	(void)state;
	proc_make(proc, sizeof(proc), TCP_NONE, HDR, 0, NULL, 0);
	probe(bad_policy, proc, false, false, &rep);
	assert_non_null(strstr(finding(&rep, "egress.policy", CLI_DOCTOR_REPORT_FAIL),
	    "containersProxy.transparentPorts"));
	assert_int_equal(rep.n, 1);
	cli_doctor_report_clear(&rep);
	proc_remove(proc);
}

static void
test_table(void **state)
{
	struct cli_doctor_report	rep;
	char				proc[PATH_MAX];

	(void)state;
	proc_make(proc, sizeof(proc), TCP_LISTEN_15001, HDR, 0, NULL, 0);
	F.nft = 0;
	probe(static_policy, proc, false, false, &rep);
	assert_non_null(strstr(finding(&rep, "egress.table", CLI_DOCTOR_REPORT_FAIL),
	    "is missing"));
	assert_false(has_check(&rep, "egress.pac"));	/* no PAC in the policy */
	cli_doctor_report_clear(&rep);
	F.nft = -EPERM;
	probe(static_policy, proc, false, false, &rep);
	assert_non_null(strstr(finding(&rep, "egress.table", CLI_DOCTOR_REPORT_WARN),
	    "needs root"));
	cli_doctor_report_clear(&rep);
	proc_remove(proc);
}

static void
test_proxy(void **state)
{
	struct cli_doctor_report	rep;
	char				proc[PATH_MAX];

	(void)state;
	/* Nothing listens on 15001 (53 does, another port). */
	proc_make(proc, sizeof(proc), TCP_NONE, HDR, 0, NULL, 0);
	probe(static_policy, proc, false, false, &rep);
	assert_non_null(strstr(finding(&rep, "egress.proxy", CLI_DOCTOR_REPORT_FAIL),
	    "nothing listens on TCP port 15001"));
	cli_doctor_report_clear(&rep);
	proc_remove(proc);
	/* Someone else holds the port. */
	proc_make(proc, sizeof(proc), TCP_LISTEN_15001, HDR, 99, "nginx\n", 4242);
	probe(static_policy, proc, false, false, &rep);
	assert_non_null(strstr(finding(&rep, "egress.proxy", CLI_DOCTOR_REPORT_FAIL),
	    "held by nginx (pid 99)"));
	cli_doctor_report_clear(&rep);
	proc_remove(proc);
	/* IPv4 only, owner not visible (not root): still a pass. */
	proc_make(proc, sizeof(proc), TCP_LISTEN_15001, HDR, 0, NULL, 0);
	probe(static_policy, proc, false, false, &rep);
	assert_non_null(strstr(finding(&rep, "egress.proxy", CLI_DOCTOR_REPORT_PASS),
	    "(IPv4)"));
	cli_doctor_report_clear(&rep);
	proc_remove(proc);
}

static void
test_pac(void **state)
{
	struct cli_doctor_report	rep;
	char				proc[PATH_MAX];

	(void)state;
	proc_make(proc, sizeof(proc), TCP_LISTEN_15001, HDR, 0, NULL, 0);
	F.script = NULL;
	probe(pac_policy, proc, false, false, &rep);
	assert_non_null(strstr(finding(&rep, "egress.pac", CLI_DOCTOR_REPORT_FAIL),
	    "cannot fetch the PAC at http://pac.test/proxy.pac (Could not connect"));
	assert_int_equal(F.compiles, 0);
	cli_doctor_report_clear(&rep);
	F.script = "function nope() {}";
	F.broken = true;
	probe(pac_policy, proc, false, false, &rep);
	assert_non_null(strstr(finding(&rep, "egress.pac", CLI_DOCTOR_REPORT_FAIL),
	    "does not compile (no function FindProxyForURL)"));
	cli_doctor_report_clear(&rep);
	F.fetches = 0;
	probe(pac_policy, proc, true, false, &rep);
	assert_non_null(strstr(finding(&rep, "egress.pac", CLI_DOCTOR_REPORT_PASS),
	    "--no-network"));
	assert_int_equal(F.fetches, 0);
	cli_doctor_report_clear(&rep);
	proc_remove(proc);
}

static void
test_buildkit(void **state)
{
	struct cli_doctor_report	rep;
	char				proc[PATH_MAX];

	(void)state;
	proc_make(proc, sizeof(proc), TCP_LISTEN_15001, HDR, 0, NULL, 0);
	probe(static_policy, proc, false, true, &rep);
	assert_non_null(strstr(finding(&rep, "egress.buildkit", CLI_DOCTOR_REPORT_WARN),
	    "\"network-host\": false"));
	cli_doctor_report_clear(&rep);
	probe(eci_policy, proc, false, true, &rep);
	finding(&rep, "egress.policy", CLI_DOCTOR_REPORT_PASS);
	assert_false(has_check(&rep, "egress.buildkit"));
	cli_doctor_report_clear(&rep);
	proc_remove(proc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_all_pass, setup),
		cmocka_unit_test_setup(test_not_set, setup),
		cmocka_unit_test_setup(test_bad_policy, setup),
		cmocka_unit_test_setup(test_table, setup),
		cmocka_unit_test_setup(test_proxy, setup),
		cmocka_unit_test_setup(test_pac, setup),
		cmocka_unit_test_setup(test_buildkit, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
