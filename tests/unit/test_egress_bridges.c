/*
 * egress_bridges: the match against injected bridge networks (IPv4, IPv6,
 * the gateway left to the policy, overlapping networks, none), then, as
 * root in a network and mount namespace of a forked child (skipped when
 * there is none): the scan and the cache against real interfaces, a
 * bridge made after the first check covered at once (rtnetlink, not the
 * 1 s timer), a veth never counted, a removed bridge forgotten, and the
 * sysfs root injected.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "egress/egress_bridges.h"

/* A bridge's address and prefix length, unmasked (as getifaddrs gives them). */
static void
net(struct egress_bridges_net *n, const char *name, const char *addr, unsigned prefix)
{
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	assert_int_equal(egress_addr_parse(addr, &n->net.addr), 0);
	n->net.prefix = prefix;
}

/* The name of the network a lies in, or "-". */
static const char *
match(const struct egress_bridges_net *nets, size_t n, const char *s)
{
	const struct egress_bridges_net	*m;
	struct egress_addr		 a;

	assert_int_equal(egress_addr_parse(s, &a), 0);
	m = egress_bridges_match(nets, n, &a);
	return m == NULL ? "-" : m->name;
}

static void
test_match(void **state)
{
	struct egress_bridges_net	nets[6];

	(void)state;
	/* A network's own address with its prefix, as getifaddrs gives it. */
	net(&nets[0], "docker0", "172.17.0.1", 16);
	net(&nets[1], "br-a", "172.18.0.1", 16);
	net(&nets[2], "br-a", "fd00:a::1", 64);
	net(&nets[3], "evil0", "10.200.1.1", 24);
	net(&nets[4], "wide", "10.0.0.1", 8);
	net(&nets[5], "br-a", "fe80::42", 64);
	assert_string_equal(match(nets, 6, "172.18.0.5"), "br-a");
	assert_string_equal(match(nets, 6, "172.18.255.255"), "br-a");
	assert_string_equal(match(nets, 6, "172.17.0.2"), "docker0");
	assert_string_equal(match(nets, 6, "fd00:a::2"), "br-a");
	assert_string_equal(match(nets, 6, "fd00:a::ffff:1"), "br-a");
	assert_string_equal(match(nets, 6, "10.200.1.7"), "evil0");
	/* The gateways are the host: the policy decides. */
	assert_string_equal(match(nets, 6, "172.18.0.1"), "-");
	assert_string_equal(match(nets, 6, "172.17.0.1"), "-");
	assert_string_equal(match(nets, 6, "fd00:a::1"), "-");
	assert_string_equal(match(nets, 6, "fe80::42"), "-");
	/* One bridge's gateway inside another's wider network is still the host. */
	assert_string_equal(match(nets, 6, "10.200.1.1"), "-");
	assert_string_equal(match(nets, 6, "10.9.9.9"), "wide");
	/* Outside every network. */
	assert_string_equal(match(nets, 6, "172.19.0.1"), "-");
	assert_string_equal(match(nets, 6, "8.8.8.8"), "-");
	assert_string_equal(match(nets, 6, "fd00:b::1"), "-");
	assert_string_equal(match(nets, 6, "2001:db8::1"), "-");
	/* An IPv4-mapped address is IPv4. */
	assert_string_equal(match(nets, 6, "::ffff:172.18.0.9"), "br-a");
	/* No bridges, no match. */
	assert_string_equal(match(nets, 0, "172.18.0.5"), "-");
}

/* In the child: a failed check exits with its line number. */
#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: %s (%s)\n", __FILE__, __LINE__,	\
		    #c, err.msg);					\
		_exit(1);						\
	}								\
} while (0)

static int
check(struct egress_bridges *b, const char *s, char *name, struct dw_err *err)
{
	struct egress_addr	a;

	if (egress_addr_parse(s, &a) != 0)
		return -EINVAL;
	name[0] = '\0';
	return egress_bridges_check(b, &a, name, IF_NAMESIZE, err);
}

static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
netns_child(void)
{
	struct egress_bridges		*b;
	struct egress_bridges_net	*nets;
	struct dw_err			 err;
	char				 name[IF_NAMESIZE], dir[] = "/tmp/dw-bridges-XXXXXX";
	char				 path[128];
	size_t				 n;
	int64_t				 t0;

	memset(&err, 0, sizeof(err));
	/* A sysfs of our own: /sys/class/net shows the namespace that mounted it. */
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) != 0 ||
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("sysfs", "/sys", "sysfs", 0, NULL) != 0)
		_exit(77);
	if (system("ip link add br0 type bridge 2>/dev/null") != 0)
		_exit(77);
	CHECK(system("ip addr add 172.30.0.1/16 dev br0 && "
	    "ip addr add fd00:30::1/64 dev br0 nodad && ip link set br0 up && "
	    "ip link add ve0 type veth peer name ve1 && "
	    "ip addr add 172.31.0.1/16 dev ve0") == 0);
	CHECK(egress_bridges_new(NULL, &b, &err) == 0);
	CHECK(check(b, "172.30.0.9", name, &err) == 1 && strcmp(name, "br0") == 0);
	CHECK(check(b, "fd00:30::9", name, &err) == 1 && strcmp(name, "br0") == 0);
	CHECK(check(b, "172.30.0.1", name, &err) == 0);	/* the gateway */
	CHECK(check(b, "172.31.0.9", name, &err) == 0);	/* a veth is no bridge */
	CHECK(check(b, "192.0.2.1", name, &err) == 0);
	/* A network made now is covered now, not after the 1 s timer. */
	t0 = now_ms();
	CHECK(system("ip link add br1 type bridge && "
	    "ip addr add 10.99.0.1/24 dev br1") == 0);
	CHECK(check(b, "10.99.0.7", name, &err) == 1 && strcmp(name, "br1") == 0);
	CHECK(now_ms() - t0 < EGRESS_BRIDGES_REFRESH_MS);
	/* And one removed is forgotten. */
	CHECK(system("ip link del br1") == 0);
	CHECK(check(b, "10.99.0.7", name, &err) == 0);
	egress_bridges_free(b);
	/* The sysfs root injected: here ve0 is the bridge and br0 is not. */
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/ve0", dir);
	CHECK(mkdir(path, 0700) == 0);
	snprintf(path, sizeof(path), "%s/ve0/bridge", dir);
	CHECK(mkdir(path, 0700) == 0);
	CHECK(egress_bridges_scan(dir, &nets, &n, &err) == 0);
	CHECK(n == 1 && strcmp(nets[0].name, "ve0") == 0 &&
	    nets[0].net.prefix == 16 && nets[0].net.addr.family == AF_INET);
	free(nets);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/ve0", dir);
	rmdir(path);
	rmdir(dir);
	_exit(0);
}

static void
test_netns(void **state)
{
	pid_t	pid;
	int	status;

	(void)state;
	if (geteuid() != 0)
		skip();
	fflush(NULL);
	assert_true((pid = fork()) >= 0);
	if (pid == 0)
		netns_child();
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_netns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
