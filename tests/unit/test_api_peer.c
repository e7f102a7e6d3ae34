/*
 * Unit tests for api_peer: a table of /proc/<pid>/cgroup texts (every
 * runtime and driver layout we know, malformed and oversized input), and
 * live identification over a socketpair, over a listening socket with a
 * forked (and then exited) child, against a fake /proc, and with the pidfd
 * methods blocked by seccomp so the start-time fallback runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cmocka.h>

#include "api/api_peer.h"

#define A	"ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
#define B	"3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d"
#define C	"2e7d2c03a9507ae265ecf5b5356885a53393a2029d241394997265a1a25aefc6"
#define D	"18ac3e7343f016890c510e93f935261169d9e3f565436429830faf0934f4f8e4"
#define E_	"3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea"
#define F	"252f10c83610ebca1a059c0bae8255eba2f95be4d1d7bcfa89d7248a82d9f111"
#define G	"cd0aa9856147b6c5b4ff2b7dfee5da20aa38253099ef1b4a64aced233c9afe29"
#define H	"aaa9402664f1a41f40ebbc52c9993eb66aeb366602958fdfaa283b71e64db123"
#define I	"de7d1b721a1e0632b7cf04edf5032c8ecffa9f9a08492152b926f1a5a7e765d7"
#define AUP	"CA978112CA1BBDCAFAC231B39A23DC4DA786EFF8147C4E72B9807785AFEE48BB"
#define POD	"pod6f1c3a52-9d0e-4b8e-8f4f-2b1d7c9e0a11"
#define PODS	"pod6f1c3a52_9d0e_4b8e_8f4f_2b1d7c9e0a11"

/* A cgroup v1 hybrid file with every controller in `path`, then the v2 line. */
#define V1(path) \
	"12:rdma:/\n" \
	"11:pids:" path "\n" \
	"10:hugetlb:" path "\n" \
	"9:memory:" path "\n" \
	"8:cpu,cpuacct:" path "\n" \
	"7:net_cls,net_prio:" path "\n" \
	"6:devices:" path "\n" \
	"5:freezer:" path "\n" \
	"4:blkio:" path "\n" \
	"3:perf_event:" path "\n" \
	"2:cpuset:" path "\n" \
	"1:name=systemd:" path "\n" \
	"0::" path "\n"

struct cg_case {
	const char	*name;
	const char	*text;
	int		 rc;
	const char	*ids[API_PEER_IDS_MAX + 1];	/* NULL-terminated, when rc == 0 */
};

static const struct cg_case cases[] = {
	/* Docker. */
	{ "v1 cgroupfs", V1("/docker/" A), 0, { A } },
	{ "v1 systemd", V1("/system.slice/docker-" A ".scope"), 0, { A } },
	{ "v2 cgroupfs", "0::/docker/" A "\n", 0, { A } },
	{ "v2 systemd", "0::/system.slice/docker-" A ".scope\n", 0, { A } },
	{ "v2 systemd, init.scope below",
	    "0::/system.slice/docker-" A ".scope/init.scope\n", 0, { A } },
	{ "no final newline", "0::/docker/" A, 0, { A } },
	{ "rootless docker",
	    "0::/user.slice/user-1000.slice/user@1000.service/user.slice/docker-"
	    A ".scope\n", 0, { A } },
	{ "dind cgroupfs", V1("/docker/" A "/docker/" B), 0, { A, B } },
	{ "dind v2 systemd in systemd",
	    "0::/system.slice/docker-" A ".scope/system.slice/docker-" B ".scope\n",
	    0, { A, B } },
	{ "three deep", "0::/docker/" A "/docker/" B "/docker/" C "\n", 0,
	    { A, B, C } },
	/* Order of first appearance, across lines. */
	{ "order across lines",
	    "2:cpu:/docker/" B "\n1:memory:/docker/" A "\n0::/docker/" B "/docker/" C "\n",
	    0, { B, A, C } },
	/* Kubernetes. */
	{ "kubepods burstable cgroupfs",
	    "0::/kubepods/burstable/" POD "/" A "\n", 0, { A } },
	{ "kubepods besteffort v1 cgroupfs",
	    V1("/kubepods/besteffort/" POD "/" A), 0, { A } },
	{ "kubepods systemd cri-containerd",
	    "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-"
	    PODS ".slice/cri-containerd-" A ".scope\n", 0, { A } },
	{ "kubepods systemd crio",
	    "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-"
	    PODS ".slice/crio-" A ".scope\n", 0, { A } },
	{ "crio conmon is not the container",
	    "0::/kubepods.slice/crio-conmon-" A ".scope\n", 0, { NULL } },
	/* Podman. */
	{ "podman systemd", "0::/machine.slice/libpod-" A ".scope/container\n",
	    0, { A } },
	{ "podman cgroupfs", "0::/libpod_parent/libpod-" A "\n", 0, { A } },
	{ "podman conmon", "0::/machine.slice/libpod-conmon-" A ".scope\n", 0,
	    { NULL } },
	/* Others. */
	{ "actions_job", "0::/actions_job/" A "\n", 0, { A } },
	{ "bare id", "0::/" A "\n", 0, { A } },
	{ "id.scope", "0::/" A ".scope\n", 0, { A } },
	{ "removed v2 cgroup", "0::/system.slice/docker-" A ".scope (deleted)\n",
	    0, { A } },
	{ "relative to our cgroupns", "0::/../../docker-" A ".scope\n", 0, { A } },
	{ "colons in the path", "0::/a:b/docker/" A "\n", 0, { A } },
	{ "doubled slashes", "0::/docker//" A "/\n", 0, { A } },
	/* Host callers. */
	{ "host user session",
	    "0::/user.slice/user-1000.slice/session-3.scope\n", 0, { NULL } },
	{ "host user v1", V1("/user.slice/user-1000.slice/session-3.scope"), 0,
	    { NULL } },
	{ "init", "0::/\n", 0, { NULL } },
	{ "docker daemon itself", "0::/system.slice/docker.service\n", 0, { NULL } },
	{ "32-hex names are not ids",
	    "4:memory:/process_api/2a5d5a87fb9cbbd85f09041acfa17177\n0::/\n", 0,
	    { NULL } },
	/* Near misses. */
	{ "uppercase hex", "0::/docker/" AUP "\n", 0, { NULL } },
	{ "63 hex", "0::/docker/" "a978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
	    "\n", 0, { NULL } },
	{ "65 hex", "0::/docker/0" A "\n", 0, { NULL } },
	{ "65 hex in a scope", "0::/system.slice/docker-0" A ".scope\n", 0,
	    { NULL } },
	{ "non-hex letter", "0::/docker/" "ga978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48b"
	    "\n", 0, { NULL } },
	{ "two prefixes", "0::/docker-docker-" A ".scope\n", 0, { NULL } },
	{ "two suffixes", "0::/docker-" A ".scope.scope\n", 0, { NULL } },
	{ "unknown prefix", "0::/containerd-" A ".scope\n", 0, { NULL } },
	/* Eight ids fit, nine do not. */
	{ "8 ids", "0::/" A "/" B "/" C "/" D "/" E_ "/" F "/" G "/" H "\n", 0,
	    { A, B, C, D, E_, F, G, H } },
	{ "8 ids, repeated",
	    "1:x:/" A "/" B "/" C "/" D "\n0::/" A "/" B "/" C "/" D "/" E_ "/"
	    F "/" G "/" H "\n", 0, { A, B, C, D, E_, F, G, H } },
	{ "9 ids", "0::/" A "/" B "/" C "/" D "/" E_ "/" F "/" G "/" H "/" I "\n",
	    -E2BIG, { NULL } },
	{ "9 ids over two lines", "1:x:/" A "/" B "/" C "/" D "/" E_ "\n0::/"
	    F "/" G "/" H "/" I "\n", -E2BIG, { NULL } },
	/* Malformed. */
	{ "empty", "", -EINVAL, { NULL } },
	{ "garbage", "garbage\n", -EINVAL, { NULL } },
	{ "one colon", "0:/docker/" A "\n", -EINVAL, { NULL } },
	{ "no hierarchy id", ":memory:/\n", -EINVAL, { NULL } },
	{ "hierarchy id not a number", "x::/\n", -EINVAL, { NULL } },
	{ "relative path", "0::docker/" A "\n", -EINVAL, { NULL } },
	{ "empty path", "0::\n", -EINVAL, { NULL } },
	{ "empty line", "1:x:/\n\n0::/\n", -EINVAL, { NULL } },
	{ "just a newline", "\n", -EINVAL, { NULL } },
	{ "good line then garbage", "0::/docker/" A "\nnope\n", -EINVAL, { NULL } },
};

/* Every case in the table, with max = API_PEER_IDS_MAX. */
static void
test_table(void **state)
{
	char	ids[API_PEER_IDS_MAX][API_PEER_ID_LEN + 1];
	size_t	i, j, n, want;
	int	r;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cg_case *c = &cases[i];
		struct dw_err err = { "" };

		memset(ids, 'x', sizeof(ids));
		n = 999;
		r = api_peer_cgroup_parse(c->text, strlen(c->text), ids,
		    API_PEER_IDS_MAX, &n, &err);
		if (r != c->rc)
			fail_msg("%s: rc %d, want %d (%s)", c->name, r, c->rc,
			    err.msg);
		if (r != 0) {
			/* Outputs untouched, a reason given. */
			assert_int_equal(n, 999);
			assert_int_equal(ids[0][0], 'x');
			if (err.msg[0] == '\0')
				fail_msg("%s: no error text", c->name);
			continue;
		}
		for (want = 0; c->ids[want] != NULL; want++)
			;
		if (n != want)
			fail_msg("%s: %zu ids, want %zu", c->name, n, want);
		for (j = 0; j < n; j++)
			if (strcmp(ids[j], c->ids[j]) != 0)
				fail_msg("%s: id %zu is %s, want %s", c->name, j,
				    ids[j], c->ids[j]);
	}
}

/* max smaller than API_PEER_IDS_MAX, and a zero max. */
static void
test_max(void **state)
{
	const char	*two = "0::/docker/" A "/docker/" B "\n";
	char		 ids[2][API_PEER_ID_LEN + 1];
	size_t		 n = 7;

	(void)state;
	assert_int_equal(api_peer_cgroup_parse(two, strlen(two), ids, 1, &n,
	    NULL), -E2BIG);
	assert_int_equal(n, 7);
	assert_int_equal(api_peer_cgroup_parse(two, strlen(two), ids, 2, &n,
	    NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ids[1], B);
	assert_int_equal(api_peer_cgroup_parse(two, strlen(two), NULL, 0, &n,
	    NULL), -E2BIG);
	assert_int_equal(api_peer_cgroup_parse("0::/\n", 5, NULL, 0, &n, NULL), 0);
	assert_int_equal(n, 0);
}

/* Length, not NUL, delimits; NUL bytes and oversized files are refused. */
static void
test_bounds(void **state)
{
	char	ids[API_PEER_IDS_MAX][API_PEER_ID_LEN + 1];
	char	*big;
	size_t	n, i, len, first;
	static const char nul[] = "0::/docker/" A "\n\0" "1:x:/\n";
	static const char tail[] = "0::/docker/" A "\n";

	(void)state;
	/* Only the first len bytes count: the id is cut, so it is no id. */
	assert_int_equal(api_peer_cgroup_parse("0::/docker/" A, 11 + 63, ids,
	    API_PEER_IDS_MAX, &n, NULL), 0);
	assert_int_equal(n, 0);
	assert_int_equal(api_peer_cgroup_parse(nul, sizeof(nul) - 1, ids,
	    API_PEER_IDS_MAX, &n, NULL), -EINVAL);
	assert_int_equal(api_peer_cgroup_parse(NULL, 0, ids, API_PEER_IDS_MAX,
	    &n, NULL), -EINVAL);

	/*
	 * Exactly DW_CGROUP_FILE_MAX bytes: a first line that takes up the
	 * slack, "1:x:/zzz...\n" lines of 20 bytes, then a line with an id.
	 */
	big = malloc(DW_CGROUP_FILE_MAX + 2);
	assert_non_null(big);
	len = DW_CGROUP_FILE_MAX - (sizeof(tail) - 1);
	first = 20 + len % 20;
	memset(big, 'z', len);
	memcpy(big, "1:x:/", 5);
	big[first - 1] = '\n';
	for (i = first; i < len; i += 20) {
		memcpy(big + i, "1:x:/", 5);
		big[i + 19] = '\n';
	}
	memcpy(big + len, tail, sizeof(tail) - 1);
	assert_int_equal(api_peer_cgroup_parse(big, DW_CGROUP_FILE_MAX, ids,
	    API_PEER_IDS_MAX, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], A);
	big[DW_CGROUP_FILE_MAX] = '\n';
	assert_int_equal(api_peer_cgroup_parse(big, DW_CGROUP_FILE_MAX + 1, ids,
	    API_PEER_IDS_MAX, &n, NULL), -E2BIG);
	free(big);
}

/* Read a whole small file into buf (NUL-terminated); its length. */
static size_t
slurp(const char *path, char *buf, size_t size)
{
	size_t	len = 0;
	ssize_t	k;
	int	fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	while ((k = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)k;
	assert_true(k == 0);
	close(fd);
	buf[len] = '\0';
	return len;
}

/* Write text to dir/name; 0 or -1 (usable in a forked child). */
static int
spit_rc(const char *dir, const char *name, const char *text, size_t len)
{
	char	path[4096];
	int	fd, r = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len)
		r = -1;
	close(fd);
	return r;
}

/* Write text to dir/name. */
static void
spit(const char *dir, const char *name, const char *text, size_t len)
{
	assert_int_equal(spit_rc(dir, name, text, len), 0);
}

/* qsort order of gids. */
static int
gid_cmp(const void *a, const void *b)
{
	gid_t	x = *(const gid_t *)a, y = *(const gid_t *)b;

	return x < y ? -1 : x > y;
}

/* Our own groups, sorted; their number. */
static size_t
own_groups(gid_t *groups, size_t max)
{
	int	n;

	n = getgroups((int)max, groups);
	assert_true(n >= 0);
	qsort(groups, (size_t)n, sizeof(gid_t), gid_cmp);
	return (size_t)n;
}

/* p's groups are ours, in any order: their number. */
static size_t
assert_own_groups(const struct api_peer *p)
{
	gid_t	groups[DW_PEER_GROUPS_MAX], got[DW_PEER_GROUPS_MAX];
	size_t	i, ng;

	ng = own_groups(groups, DW_PEER_GROUPS_MAX);
	assert_int_equal(p->ngroups, ng);
	memcpy(got, p->groups, ng * sizeof(gid_t));
	qsort(got, ng, sizeof(gid_t), gid_cmp);
	for (i = 0; i < ng; i++)
		assert_int_equal(got[i], groups[i]);
	return ng;
}

/* Does this kernel give us a pidfd for a peer, by either method? */
static bool
have_pidfd(void)
{
	socklen_t	len = sizeof(int);
	int		sv[2], fd = -1;
	bool		ok;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ok = getsockopt(sv[0], SOL_SOCKET, 77, &fd, &len) == 0 && fd >= 0;
	if (fd >= 0)
		close(fd);
	close(sv[0]);
	close(sv[1]);
	if (!ok && (fd = (int)syscall(SYS_pidfd_open, getpid(), 0)) >= 0) {
		close(fd);
		ok = true;
	}
	return ok;
}

/* A socketpair's peer is ourselves: SO_PEERCRED, status and cgroup agree. */
static void
test_live_socketpair(void **state)
{
	struct api_peer	 p;
	struct dw_err	 err = { "" };
	char		 buf[DW_CGROUP_FILE_MAX + 1];
	char		 ids[API_PEER_IDS_MAX][API_PEER_ID_LEN + 1];
	size_t		 len, n, i;
	int		 sv[2], r;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	r = api_peer_identify(sv[0], &p, &err);
	if (r != 0)
		fail_msg("identify: %d %s", r, err.msg);
	assert_int_equal(p.pid, getpid());
	assert_int_equal(p.uid, getuid());
	assert_int_equal(p.gid, getgid());
	assert_int_equal(p.pidfd_checked, have_pidfd());
	(void)assert_own_groups(&p);
	len = slurp("/proc/self/cgroup", buf, sizeof(buf));
	assert_int_equal(api_peer_cgroup_parse(buf, len, ids, API_PEER_IDS_MAX,
	    &n, NULL), 0);
	assert_int_equal(p.nids, n);
	for (i = 0; i < n; i++)
		assert_string_equal(p.ids[i], ids[i]);
	/* Both ends name the same process. */
	assert_int_equal(api_peer_identify(sv[1], &p, NULL), 0);
	assert_int_equal(p.pid, getpid());
	close(sv[0]);
	close(sv[1]);
}

/* Not a unix socket: refused. */
static void
test_not_unix(void **state)
{
	struct api_peer	p;
	int		fds[2], s;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(api_peer_identify(fds[0], &p, NULL), -ENOTSOCK);
	close(fds[0]);
	close(fds[1]);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	assert_int_equal(api_peer_identify(s, &p, NULL), -EAFNOSUPPORT);
	close(s);
	assert_int_equal(api_peer_identify(-1, &p, NULL), -EBADF);
}

/* A fake proc root holding <pid>/cgroup and <pid>/status for our pid. */
struct fake_proc {
	char	root[64];
	char	dir[128];
};

/* Create the fake root and the directory for our pid. */
static void
fake_proc_make(struct fake_proc *fp)
{
	snprintf(fp->root, sizeof(fp->root), "/tmp/dw_peer_proc.XXXXXX");
	assert_non_null(mkdtemp(fp->root));
	snprintf(fp->dir, sizeof(fp->dir), "%s/%ld", fp->root, (long)getpid());
	assert_int_equal(mkdir(fp->dir, 0700), 0);
}

/* Remove what fake_proc_make and the tests put there. */
static void
fake_proc_rm(struct fake_proc *fp)
{
	char	path[256];

	snprintf(path, sizeof(path), "%s/cgroup", fp->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/status", fp->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/stat", fp->dir);
	unlink(path);
	rmdir(fp->dir);
	rmdir(fp->root);
}

#define STATUS_HEAD	"Name:\tdocker\nUmask:\t0022\nState:\tS (sleeping)\n" \
			"Uid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n" \
			"FDSize:\t64\n"
#define STATUS_TAIL	"NStgid:\t1\nVmPeak:\t  1234 kB\n"

/* identify_at reads the files under the given root: ids, groups, errors. */
static void
test_fake_proc(void **state)
{
	static const char	 cg[] = V1("/docker/" A "/docker/" B);
	struct fake_proc	 fp;
	struct api_peer		 p, keep;
	struct dw_err		 err = { "" };
	char			*big;
	size_t			 ng;
	int			 sv[2], r;

	(void)state;
	fake_proc_make(&fp);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);

	spit(fp.dir, "cgroup", cg, sizeof(cg) - 1);
	/* A status file the groups would be wrong from: they come from the socket. */
	spit(fp.dir, "status", STATUS_HEAD "Groups:\t4 27 100 4294967294 \n"
	    STATUS_TAIL, strlen(STATUS_HEAD "Groups:\t4 27 100 4294967294 \n"
	    STATUS_TAIL));
	r = api_peer_identify_at(sv[0], fp.root, &p, &err);
	if (r != 0)
		fail_msg("identify_at: %d %s", r, err.msg);
	assert_int_equal(p.pid, getpid());
	assert_int_equal(p.uid, getuid());	/* SO_PEERCRED, not status */
	assert_int_equal(p.nids, 2);
	assert_string_equal(p.ids[0], A);
	assert_string_equal(p.ids[1], B);
	ng = assert_own_groups(&p);
	/* Not even read: a status file with no Groups: line changes nothing. */
	spit(fp.dir, "status", STATUS_HEAD STATUS_TAIL, strlen(STATUS_HEAD STATUS_TAIL));
	assert_int_equal(api_peer_identify_at(sv[0], fp.root, &p, NULL), 0);
	assert_int_equal(p.ngroups, ng);
	memcpy(&keep, &p, sizeof(p));

	/* Bad cgroup files fail closed. */
	spit(fp.dir, "cgroup", "0:/docker/" A "\n", strlen("0:/docker/" A "\n"));
	assert_int_equal(api_peer_identify_at(sv[0], fp.root, &p, &err), -EINVAL);
	assert_memory_equal(&p, &keep, sizeof(p));	/* untouched on failure */
	spit(fp.dir, "cgroup", "0::/" A "/" B "/" C "/" D "/" E_ "/" F "/" G
	    "/" H "/" I "\n", 4 + 9 * 65);
	assert_int_equal(api_peer_identify_at(sv[0], fp.root, &p, NULL), -E2BIG);
	big = malloc(DW_CGROUP_FILE_MAX + 1);
	assert_non_null(big);
	memset(big, '/', DW_CGROUP_FILE_MAX + 1);
	memcpy(big, "0::", 3);
	spit(fp.dir, "cgroup", big, DW_CGROUP_FILE_MAX + 1);
	assert_int_equal(api_peer_identify_at(sv[0], fp.root, &p, NULL), -E2BIG);
	spit(fp.dir, "cgroup", big, DW_CGROUP_FILE_MAX);
	assert_int_equal(api_peer_identify_at(sv[0], fp.root, &p, NULL), 0);
	free(big);
	spit(fp.dir, "cgroup", "", 0);
	assert_int_equal(api_peer_identify_at(sv[0], fp.root, &p, NULL), -EINVAL);

	/* No such process under this root. */
	assert_int_equal(api_peer_identify_at(sv[0], "/nonexistent", &p, NULL),
	    -ESRCH);

	close(sv[0]);
	close(sv[1]);
	fake_proc_rm(&fp);
}

/*
 * The groups are those the socket was made with (SO_PEERGROUPS), not the
 * ones its process has when identified; over DW_PEER_GROUPS_MAX of them
 * is refused.  As root: this process takes other groups, makes a socket
 * pair, and takes its own back before the pair is identified.
 */
static void
test_groups_at_connect(void **state)
{
	gid_t		 saved[256], many[DW_PEER_GROUPS_MAX + 1];
	struct api_peer	 p;
	struct dw_err	 err;
	size_t		 i, n;
	int		 nsaved, sv[2], r;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_true((nsaved = getgroups(256, saved)) >= 0);
	for (i = 0; i < DW_PEER_GROUPS_MAX + 1; i++)
		many[i] = (gid_t)(5000 + i);
	for (n = DW_PEER_GROUPS_MAX; n <= DW_PEER_GROUPS_MAX + 1; n++) {
		if (setgroups(n, many) != 0)
			skip();		/* no CAP_SETGID here */
		r = socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
		assert_int_equal(setgroups((size_t)nsaved, saved), 0);
		assert_int_equal(r, 0);
		r = api_peer_identify(sv[0], &p, &err);
		if (n == DW_PEER_GROUPS_MAX) {
			if (r != 0)
				fail_msg("identify: %d %s", r, err.msg);
			assert_int_equal(p.ngroups, DW_PEER_GROUPS_MAX);
			for (i = 0; i < n; i++)
				assert_int_equal(p.groups[i], 5000 + i);
		} else {
			assert_int_equal(r, -E2BIG);
			assert_non_null(strstr(err.msg, "more supplementary groups"));
		}
		close(sv[0]);
		close(sv[1]);
	}
}

/* The Groups: line of /proc/<pid>/status, read where the kernel has no SO_PEERGROUPS. */
static void
test_status_groups(void **state)
{
	gid_t	g[DW_PEER_GROUPS_MAX];
	char	many[2048];
	size_t	n, i, len;

	(void)state;
	assert_int_equal(api_peer_status_groups(STATUS_HEAD "Groups:\t4 27 100 4294967294 \n"
	    STATUS_TAIL, g, DW_PEER_GROUPS_MAX, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(g[0], 4);
	assert_int_equal(g[1], 27);
	assert_int_equal(g[2], 100);
	assert_int_equal(g[3], 4294967294u);
	/* No groups at all. */
	assert_int_equal(api_peer_status_groups(STATUS_HEAD "Groups:\t\n" STATUS_TAIL, g,
	    DW_PEER_GROUPS_MAX, &n), 0);
	assert_int_equal(n, 0);
	/* Exactly DW_PEER_GROUPS_MAX groups, then one more. */
	len = (size_t)snprintf(many, sizeof(many), STATUS_HEAD "Groups:\t");
	for (i = 0; i < DW_PEER_GROUPS_MAX; i++)
		len += (size_t)snprintf(many + len, sizeof(many) - len, "%zu ", 1000 + i);
	snprintf(many + len, sizeof(many) - len, "\n");
	assert_int_equal(api_peer_status_groups(many, g, DW_PEER_GROUPS_MAX, &n), 0);
	assert_int_equal(n, DW_PEER_GROUPS_MAX);
	assert_int_equal(g[DW_PEER_GROUPS_MAX - 1], 1000 + DW_PEER_GROUPS_MAX - 1);
	snprintf(many + len, sizeof(many) - len, "7\n");
	assert_int_equal(api_peer_status_groups(many, g, DW_PEER_GROUPS_MAX, &n), -E2BIG);
	/* Bad or missing Groups: lines. */
	assert_int_equal(api_peer_status_groups(STATUS_HEAD STATUS_TAIL, g,
	    DW_PEER_GROUPS_MAX, &n), -EPROTO);
	assert_int_equal(api_peer_status_groups(STATUS_HEAD "Groups:\t12x\n", g,
	    DW_PEER_GROUPS_MAX, &n), -EPROTO);
	assert_int_equal(api_peer_status_groups(STATUS_HEAD "Groups:\t4294967296\n", g,
	    DW_PEER_GROUPS_MAX, &n), -EPROTO);
	assert_int_equal(api_peer_status_groups(STATUS_HEAD "Groups:\t-1\n", g,
	    DW_PEER_GROUPS_MAX, &n), -EPROTO);
	assert_int_equal(api_peer_status_groups("Groups:\t5", g, DW_PEER_GROUPS_MAX, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(g[0], 5);
}

/*
 * A forked child on a real listening socket.  As root the child first
 * becomes another user with other groups (where it can), so every field
 * is checked against values we chose.  While it blocks we identify it; once it has
 * exited (zombie, then reaped) the same connection must give -ESRCH, as
 * must a connection accepted only after its client is gone.
 */
static void
test_live_child(void **state)
{
	static const gid_t	 cgroups[] = { 100, 4242 };
	struct sockaddr_un	 sun;
	struct api_peer		 p, keep;
	struct dw_err		 err = { "" };
	siginfo_t		 si;
	char			 dir[] = "/tmp/dw_peer.XXXXXX";
	bool			 root = geteuid() == 0;
	pid_t			 child, child2;
	int			 lfd, cfd, cfd2, pfd[2], spfd[2], st, r;
	char			 c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0711), 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/s", dir);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(chmod(sun.sun_path, 0777), 0);
	assert_int_equal(listen(lfd, 8), 0);
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(pipe(spfd), 0);

	/*
	 * The child reports on spfd before blocking on pfd: 'r' connected as
	 * 4244:4243, 'u' connected unchanged (not root, or a user namespace
	 * without those ids), 'E' could not connect.
	 */
	if ((child = fork()) == 0) {
		int	s;

		close(pfd[1]);
		close(spfd[0]);
		c = 'u';
		if (root && setgroups(2, cgroups) == 0 && setgid(4243) == 0 &&
		    setuid(4244) == 0)
			c = 'r';
		else if (root && (getuid() != 0 || getgid() != 0))
			c = 'E';	/* half switched */
		if (c != 'E' && ((s = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
		    connect(s, (struct sockaddr *)&sun, sizeof(sun)) != 0))
			c = 'E';
		if (write(spfd[1], &c, 1) != 1 || c == 'E')
			_exit(3);
		/* Block until the parent is done with us. */
		while (read(pfd[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	assert_true(child > 0);
	close(pfd[0]);
	close(spfd[1]);
	assert_int_equal(read(spfd[0], &c, 1), 1);
	close(spfd[0]);
	if (c == 'E')
		fail_msg("child could not connect");
	cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(cfd >= 0);
	r = api_peer_identify(cfd, &p, &err);
	if (r != 0)
		fail_msg("identify child: %d %s", r, err.msg);
	assert_int_equal(p.pid, child);
	if (c == 'r') {
		assert_int_equal(p.uid, 4244);
		assert_int_equal(p.gid, 4243);
		assert_int_equal(p.ngroups, 2);
		assert_int_equal(p.groups[0], 100);
		assert_int_equal(p.groups[1], 4242);
	} else {
		assert_int_equal(p.uid, getuid());
		assert_int_equal(p.gid, getgid());
	}
	memcpy(&keep, &p, sizeof(p));

	/* Let it exit, but do not reap it: a zombie is not a caller. */
	close(pfd[1]);
	assert_int_equal(waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT), 0);
	r = api_peer_identify(cfd, &p, &err);
	assert_int_equal(r, -ESRCH);
	assert_memory_equal(&p, &keep, sizeof(p));
	/* Reaped: its pid is free now; still -ESRCH, never another's data. */
	assert_int_equal(waitpid(child, &st, 0), child);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	r = api_peer_identify(cfd, &p, &err);
	if (r == 0)
		assert_int_equal(p.pid, child);	/* never reached with pidfds */
	else
		assert_int_equal(r, -ESRCH);
	if (have_pidfd())
		assert_int_equal(r, -ESRCH);
	close(cfd);

	/* A client that connects and is gone before we accept. */
	if ((child2 = fork()) == 0) {
		int	s;

		if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
		    connect(s, (struct sockaddr *)&sun, sizeof(sun)) != 0)
			_exit(3);
		_exit(0);
	}
	assert_true(child2 > 0);
	assert_int_equal(waitpid(child2, &st, 0), child2);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	cfd2 = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(cfd2 >= 0);
	r = api_peer_identify(cfd2, &p, &err);
	if (r == 0)
		assert_int_equal(p.pid, child2);
	else
		assert_int_equal(r, -ESRCH);
	if (have_pidfd())
		assert_int_equal(r, -ESRCH);
	close(cfd2);

	close(lfd);
	unlink(sun.sun_path);
	rmdir(dir);
}

#if defined(__x86_64__)
#define TEST_AUDIT_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define TEST_AUDIT_ARCH	AUDIT_ARCH_AARCH64
#endif

#ifdef TEST_AUDIT_ARCH
/*
 * Make SO_PEERPIDFD and SO_PEERGROUPS unknown (ENOPROTOOPT) and
 * pidfd_open ENOSYS for this process, as on a kernel before 4.13.
 */
static int
block_pidfds(void)
{
	struct sock_filter	f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TEST_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pidfd_open, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getsockopt, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* optname, the low half of args[2] (little-endian). */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 77, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SO_PEERGROUPS, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOPROTOOPT),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog	prog = { sizeof(f) / sizeof(f[0]), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

/*
 * The fallback without pidfds, in a child under seccomp: the start time in
 * /proc/<pid>/stat must not change and the process must not be a zombie;
 * the groups come from /proc/<pid>/status.
 * The child's exit code names the first check that failed.
 */
static int
fallback_child(struct fake_proc *fp)
{
	static const char	 stat_ok[] = "1 (a) b) c) S 0 1 1 0 -1 4194560 "
	    "1 0 0 0 0 0 0 0 20 0 1 0 4242 1000 100 18446744073709551615\n";
	static const char	 stat_zombie[] = "1 (a) Z 0 1 1 0 -1 4194560 "
	    "1 0 0 0 0 0 0 0 20 0 1 0 4242 0 0\n";
	static const char	 stat_short[] = "1 (a) S 0 1 1\n";
	static const char	 stat_noparen[] = "1 a S 0 1 1 0 -1 4194560 "
	    "1 0 0 0 0 0 0 0 20 0 1 0 4242 0 0\n";
	static const char	 cg[] = "0::/docker/" A "\n";
	static const char	 status[] = "Groups:\t7\n";
	struct api_peer		 p;
	int			 sv[2], fd;

	snprintf(fp->dir, sizeof(fp->dir), "%s/%ld", fp->root, (long)getpid());
	if (mkdir(fp->dir, 0700) != 0)
		return 9;
	if (block_pidfds() != 0)
		return 10;
	/* The filter works. */
	if ((fd = (int)syscall(SYS_pidfd_open, getpid(), 0)) >= 0 || errno != ENOSYS)
		return 11;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return 12;
	{
		gid_t		g[DW_PEER_GROUPS_MAX];
		socklen_t	glen = sizeof(g);

		if (getsockopt(sv[0], SOL_SOCKET, SO_PEERGROUPS, g, &glen) == 0 ||
		    errno != ENOPROTOOPT)
			return 11;
	}
	/* The real /proc. */
	if (api_peer_identify(sv[0], &p, NULL) != 0)
		return 13;
	if (p.pid != getpid() || p.pidfd_checked)
		return 14;
	/* A fake one, with a command name full of parentheses. */
	if (spit_rc(fp->dir, "cgroup", cg, sizeof(cg) - 1) != 0 ||
	    spit_rc(fp->dir, "status", status, sizeof(status) - 1) != 0 ||
	    spit_rc(fp->dir, "stat", stat_ok, sizeof(stat_ok) - 1) != 0)
		return 20;
	if (api_peer_identify_at(sv[0], fp->root, &p, NULL) != 0)
		return 15;
	if (p.pidfd_checked || p.nids != 1 || strcmp(p.ids[0], A) != 0 ||
	    p.ngroups != 1 || p.groups[0] != 7)
		return 16;
	if (spit_rc(fp->dir, "stat", stat_zombie, sizeof(stat_zombie) - 1) != 0)
		return 20;
	if (api_peer_identify_at(sv[0], fp->root, &p, NULL) != -ESRCH)
		return 17;
	if (spit_rc(fp->dir, "stat", stat_short, sizeof(stat_short) - 1) != 0)
		return 20;
	if (api_peer_identify_at(sv[0], fp->root, &p, NULL) != -EPROTO)
		return 18;
	if (spit_rc(fp->dir, "stat", stat_noparen, sizeof(stat_noparen) - 1) != 0)
		return 20;
	if (api_peer_identify_at(sv[0], fp->root, &p, NULL) != -EPROTO)
		return 19;
	return 0;
}
#endif

/* Run fallback_child() in a child process; skip where seccomp is unavailable. */
static void
test_fallback(void **state)
{
#ifdef TEST_AUDIT_ARCH
	struct fake_proc	fp;
	pid_t			child;
	int			st;

	(void)state;
	snprintf(fp.root, sizeof(fp.root), "/tmp/dw_peer_proc.XXXXXX");
	assert_non_null(mkdtemp(fp.root));
	if ((child = fork()) == 0)
		_exit(fallback_child(&fp));
	assert_true(child > 0);
	assert_int_equal(waitpid(child, &st, 0), child);
	snprintf(fp.dir, sizeof(fp.dir), "%s/%ld", fp.root, (long)child);
	fake_proc_rm(&fp);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 10)
		skip();
	if (WEXITSTATUS(st) != 0)
		fail_msg("fallback check %d failed", WEXITSTATUS(st));
#else
	(void)state;
	skip();
#endif
}

/*
 * The container path of a cgroup file and its innermost id: what the
 * gatekeeper compares with the path dockerd gave a container (issue 12:
 * a --cgroup-parent under a listed container must not be taken for it).
 */
struct path_case {
	const char	*name;
	const char	*text;
	int		 rc;
	const char	*path;		/* when rc == 0 */
	const char	*innermost;	/* NULL: the path ends in no id */
};

/* One host process left in its session cgroup except in one v1 hierarchy. */
#define V1_PIDS_ONLY(path) \
	"12:rdma:/\n" \
	"11:pids:" path "\n" \
	"9:memory:/user.slice/user-1000.slice/session-3.scope\n" \
	"1:name=systemd:/user.slice/user-1000.slice/session-3.scope\n" \
	"0::/user.slice/user-1000.slice/session-3.scope\n"

static const struct path_case path_cases[] = {
	/* What dockerd assigns, per driver and cgroup version. */
	{ "v1 cgroupfs", V1("/docker/" A), 0, "/docker/" A, A },
	{ "v1 systemd", V1("/system.slice/docker-" A ".scope"), 0,
	    "/system.slice/docker-" A ".scope", A },
	{ "v2 cgroupfs", "0::/docker/" A "\n", 0, "/docker/" A, A },
	{ "v2 systemd", "0::/system.slice/docker-" A ".scope\n", 0,
	    "/system.slice/docker-" A ".scope", A },
	{ "v2 cgroupfs with a CgroupParent", "0::/ci/jobs/" A "\n", 0,
	    "/ci/jobs/" A, A },
	{ "v2 systemd with a parent slice",
	    "0::/ci.slice/ci-jobs.slice/docker-" A ".scope\n", 0,
	    "/ci.slice/ci-jobs.slice/docker-" A ".scope", A },
	{ "v1 hybrid: the v2 line names no container",
	    "4:memory:/docker/" A "\n1:name=systemd:/docker/" A "\n0::/\n", 0,
	    "/docker/" A, A },
	{ "v1: a controller runc does not manage stays at /",
	    "12:rdma:/\n11:pids:/docker/" A "\n0::/docker/" A "\n", 0,
	    "/docker/" A, A },
	{ "removed cgroup", "0::/docker/" A " (deleted)\n", 0, "/docker/" A, A },
	{ "no container", "0::/user.slice/user-1000.slice/session-3.scope\n", 0,
	    "", NULL },
	{ "host in v1 without ids", V1("/"), 0, "", NULL },

	/* Attack layouts: the path names A but is not A's own cgroup. */
	{ "cgroupfs --cgroup-parent /docker/<A>: container B inside A",
	    V1("/docker/" A "/" B), 0, "/docker/" A "/" B, B },
	{ "cgroupfs --cgroup-parent /x/<A>", "0::/x/" A "/" B "\n", 0,
	    "/x/" A "/" B, B },
	{ "systemd: a scope nested in A's scope",
	    "0::/system.slice/docker-" A ".scope/docker-" B ".scope\n", 0,
	    "/system.slice/docker-" A ".scope/docker-" B ".scope", B },
	{ "a sub-cgroup of A (init.scope, or made by a process)",
	    "0::/system.slice/docker-" A ".scope/init.scope\n", 0,
	    "/system.slice/docker-" A ".scope/init.scope", NULL },
	{ "cgroupfs: a sub-cgroup of A", V1("/docker/" A "/x"), 0,
	    "/docker/" A "/x", NULL },
	{ "a host process moved under A in one v1 hierarchy",
	    V1_PIDS_ONLY("/docker/" A "/x"), 0, "/docker/" A "/x", NULL },
	{ "a host process moved into A's cgroup in one v1 hierarchy",
	    "11:pids:/docker/" A "\n0::/docker/" B "\n", -EXDEV, NULL, NULL },
	{ "hierarchies disagree on the container",
	    "4:memory:/docker/" A "\n1:name=systemd:/docker/" A "/" B "\n",
	    -EXDEV, NULL, NULL },
	{ "a path from outside our cgroup namespace",
	    "0::/../docker-" A ".scope\n", 0, "/../docker-" A ".scope", A },
	{ "malformed", "0:/docker/" A "\n", -EINVAL, NULL, NULL },
};

static void
test_cgroup_path(void **state)
{
	char	path[API_PEER_PATH_MAX], id[API_PEER_ID_LEN + 1];
	size_t	i;
	bool	inner;
	int	r;

	(void)state;
	for (i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++) {
		const struct path_case *c = &path_cases[i];
		struct dw_err err = { "" };

		snprintf(path, sizeof(path), "untouched");
		r = api_peer_cgroup_path(c->text, strlen(c->text), path,
		    sizeof(path), &err);
		if (r != c->rc)
			fail_msg("%s: rc %d, want %d (%s)", c->name, r, c->rc,
			    err.msg);
		if (r != 0) {
			assert_string_equal(path, "untouched");
			if (err.msg[0] == '\0')
				fail_msg("%s: no error text", c->name);
			continue;
		}
		if (strcmp(path, c->path) != 0)
			fail_msg("%s: path \"%s\", want \"%s\"", c->name, path,
			    c->path);
		inner = api_peer_path_innermost_id(path, id);
		if (inner != (c->innermost != NULL))
			fail_msg("%s: innermost id %s", c->name, inner ? id : "none");
		if (inner && strcmp(id, c->innermost) != 0)
			fail_msg("%s: innermost id %s, want %s", c->name, id,
			    c->innermost);
	}
	/* A path that does not fit is refused, not cut. */
	snprintf(path, sizeof(path), "untouched");
	assert_int_equal(api_peer_cgroup_path("0::/docker/" A "\n",
	    strlen("0::/docker/" A "\n"), path, 20, NULL), -ENAMETOOLONG);
	assert_string_equal(path, "untouched");
	/* A trailing slash does not hide the last component. */
	assert_true(api_peer_path_innermost_id("/docker/" A "/", id));
	assert_string_equal(id, A);
	assert_false(api_peer_path_innermost_id("", id));
	assert_false(api_peer_path_innermost_id("/", id));
}

/* api_peer_pid_cgroup_path reads <root>/<pid>/cgroup; a missing pid is -ESRCH. */
static void
test_pid_cgroup_path(void **state)
{
	char	root[] = "/tmp/test_api_peer.XXXXXX", dir[PATH_MAX],
		file[PATH_MAX + 16], path[API_PEER_PATH_MAX];
	FILE	*f;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/4242", root);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(file, sizeof(file), "%s/cgroup", dir);
	assert_non_null(f = fopen(file, "w"));
	fputs(V1("/docker/" A), f);
	fclose(f);
	assert_int_equal(api_peer_pid_cgroup_path(root, 4242, path,
	    sizeof(path), NULL), 0);
	assert_string_equal(path, "/docker/" A);
	assert_int_equal(api_peer_pid_cgroup_path(root, 4243, path,
	    sizeof(path), NULL), -ESRCH);
	assert_int_equal(api_peer_pid_cgroup_path(root, 0, path,
	    sizeof(path), NULL), -ESRCH);
	unlink(file);
	rmdir(dir);
	rmdir(root);
}

/* ---- api_peer_cache ---- */

/* Write text to <root>/<pid>/<name>, making the directory. */
static void
cache_file(const char *root, long pid, const char *name, const char *text)
{
	char	dir[PATH_MAX], file[PATH_MAX + 16];
	FILE	*f;

	snprintf(dir, sizeof(dir), "%s/%ld", root, pid);
	(void)mkdir(dir, 0700);
	snprintf(file, sizeof(file), "%s/%s", dir, name);
	assert_non_null(f = fopen(file, "w"));
	fputs(text, f);
	fclose(f);
}

/* A /proc/<pid>/stat line with state and start time (field 22). */
static void
cache_stat(const char *root, long pid, char state, unsigned long long start)
{
	char	line[256];

	snprintf(line, sizeof(line), "%ld (sleep) %c 1 %ld %ld 0 -1 4194560 "
	    "100 0 0 0 0 0 0 0 20 0 1 0 %llu 1234 56 7\n", pid, state, pid, pid,
	    start);
	cache_file(root, pid, "stat", line);
}

/* Remove <root>/<pid> and what is in it. */
static void
cache_rm_pid(const char *root, long pid)
{
	char	path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%ld/cgroup", root, pid);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%ld/stat", root, pid);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%ld", root, pid);
	rmdir(path);
}

static void
facts(struct api_peer_container *c, const char *id, const char *name)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", id);
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->image, sizeof(c->image), "busybox");
	snprintf(c->image_id, sizeof(c->image_id), "sha256:%s", B);
}

/*
 * A kept container is given back only while its init process (pid and
 * start time) lives in the caller's cgroup path: a reused pid (another
 * start time), an exit (no /proc/<pid>), a zombie, an init moved elsewhere
 * and a put for a process elsewhere all miss, and a miss forgets.
 */
static void
test_cache_container(void **state)
{
	char				 root[] = "/tmp/test_api_peer_cc.XXXXXX";
	const char			*path = "/docker/" A;
	struct api_peer_cache		*pc;
	struct api_peer_container	 c, got;

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_non_null(pc = api_peer_cache_new(root, "/nonexistent/passwd",
	    "/nonexistent/nsswitch.conf"));
	facts(&c, A, "/web");
	cache_file(root, 4242, "cgroup", V1("/docker/" A));
	cache_stat(root, 4242, 'S', 1000);

	assert_int_equal(api_peer_cache_container_get(pc, path, &got), -ENOENT);
	assert_int_equal(api_peer_cache_container_put(pc, path, &c, 4242), 0);
	memset(&got, 0, sizeof(got));
	assert_int_equal(api_peer_cache_container_get(pc, path, &got), 0);
	assert_string_equal(got.id, A);
	assert_string_equal(got.name, "/web");
	assert_string_equal(got.image, "busybox");
	assert_string_equal(got.image_id, "sha256:" B);
	/* Another path is another key. */
	assert_int_equal(api_peer_cache_container_get(pc, "/docker/" B, &got),
	    -ENOENT);
	assert_int_equal(api_peer_cache_container_get(pc, "", &got), -ENOENT);

	/* Pid reuse: same pid, same cgroup text, another start time. */
	cache_stat(root, 4242, 'S', 2000);
	assert_int_equal(api_peer_cache_container_get(pc, path, &got), -ENOENT);
	cache_stat(root, 4242, 'S', 1000);
	assert_int_equal(api_peer_cache_container_get(pc, path, &got), -ENOENT);

	/* The container exits: its init is gone. */
	assert_int_equal(api_peer_cache_container_put(pc, path, &c, 4242), 0);
	assert_int_equal(api_peer_cache_container_get(pc, path, &got), 0);
	cache_rm_pid(root, 4242);
	assert_int_equal(api_peer_cache_container_get(pc, path, &got), -ENOENT);

	/* A zombie init, an init moved below the path. */
	cache_file(root, 4242, "cgroup", V1("/docker/" A));
	cache_stat(root, 4242, 'S', 1000);
	assert_int_equal(api_peer_cache_container_put(pc, path, &c, 4242), 0);
	cache_stat(root, 4242, 'Z', 1000);
	assert_int_equal(api_peer_cache_container_get(pc, path, &got), -ENOENT);
	cache_stat(root, 4242, 'S', 1000);
	assert_int_equal(api_peer_cache_container_put(pc, path, &c, 4242), 0);
	cache_file(root, 4242, "cgroup", V1("/docker/" A "/sub"));
	assert_int_equal(api_peer_cache_container_get(pc, path, &got), -ENOENT);

	/* Nothing is kept for an init that is not where the caller is, or gone. */
	assert_int_equal(api_peer_cache_container_put(pc, path, &c, 4242),
	    -ESRCH);
	assert_int_equal(api_peer_cache_container_put(pc, path, &c, 4243),
	    -ESRCH);
	cache_stat(root, 4242, 'Z', 1000);
	cache_file(root, 4242, "cgroup", V1("/docker/" A));
	assert_int_equal(api_peer_cache_container_put(pc, path, &c, 4242),
	    -ESRCH);
	assert_int_equal(api_peer_cache_container_put(pc, path, &c, 0),
	    -EINVAL);
	assert_int_equal(api_peer_cache_container_put(pc, "", &c, 4242),
	    -EINVAL);

	/* Flush forgets. */
	cache_stat(root, 4242, 'S', 1000);
	assert_int_equal(api_peer_cache_container_put(pc, path, &c, 4242), 0);
	api_peer_cache_container_flush(pc);
	assert_int_equal(api_peer_cache_container_get(pc, path, &got), -ENOENT);

	cache_rm_pid(root, 4242);
	api_peer_cache_free(pc);
	api_peer_cache_free(NULL);
	rmdir(root);
}

/* Over DW_PEER_CONTAINERS_MAX, the least recently used entry goes. */
static void
test_cache_container_lru(void **state)
{
	char				 root[] = "/tmp/test_api_peer_cl.XXXXXX";
	char				 id[DW_PEER_CONTAINERS_MAX + 1][API_PEER_ID_LEN + 1];
	char				 path[DW_PEER_CONTAINERS_MAX + 1][API_PEER_PATH_MAX];
	char				 cg[API_PEER_PATH_MAX + 16];
	struct api_peer_cache		*pc;
	struct api_peer_container	 c, got;
	size_t				 i;

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_non_null(pc = api_peer_cache_new(root, "/nonexistent/passwd",
	    "/nonexistent/nsswitch.conf"));
	for (i = 0; i <= DW_PEER_CONTAINERS_MAX; i++) {
		snprintf(id[i], sizeof(id[i]), "%064zx", i + 1);
		snprintf(path[i], sizeof(path[i]), "/docker/%.64s", id[i]);
		snprintf(cg, sizeof(cg), "0::/docker/%.64s\n", id[i]);
		cache_file(root, (long)(10000 + i), "cgroup", cg);
		cache_stat(root, (long)(10000 + i), 'S', 5);
	}
	for (i = 0; i < DW_PEER_CONTAINERS_MAX; i++) {
		facts(&c, id[i], "/c");
		assert_int_equal(api_peer_cache_container_put(pc, path[i], &c,
		    (pid_t)(10000 + i)), 0);
	}
	/* Entry 0 used again: entry 1 is now the least recently used. */
	assert_int_equal(api_peer_cache_container_get(pc, path[0], &got), 0);
	facts(&c, id[DW_PEER_CONTAINERS_MAX], "/c");
	assert_int_equal(api_peer_cache_container_put(pc,
	    path[DW_PEER_CONTAINERS_MAX], &c,
	    (pid_t)(10000 + DW_PEER_CONTAINERS_MAX)), 0);
	assert_int_equal(api_peer_cache_container_get(pc, path[1], &got), -ENOENT);
	for (i = 0; i <= DW_PEER_CONTAINERS_MAX; i++) {
		if (i == 1)
			continue;
		assert_int_equal(api_peer_cache_container_get(pc, path[i], &got), 0);
		assert_string_equal(got.id, id[i]);
	}
	for (i = 0; i <= DW_PEER_CONTAINERS_MAX; i++)
		cache_rm_pid(root, (long)(10000 + i));
	api_peer_cache_free(pc);
	rmdir(root);
}

struct cache_race {
	struct api_peer_cache	*pc;
	const char		*path;
	int			 bad;
};

/* One of several threads putting and getting the same key. */
static void *
cache_race_run(void *arg)
{
	struct cache_race		*cr = arg;
	struct api_peer_container	 c, got;
	int				 i;

	facts(&c, A, "/web");
	for (i = 0; i < 2000; i++) {
		if (i % 7 == 0 && api_peer_cache_container_put(cr->pc, cr->path,
		    &c, 4242) != 0)
			cr->bad++;
		if (i % 97 == 0)
			api_peer_cache_container_flush(cr->pc);
		if (api_peer_cache_container_get(cr->pc, cr->path, &got) == 0 &&
		    strcmp(got.id, A) != 0)
			cr->bad++;
	}
	return NULL;
}

/* Threads on one cache (run under the sanitizers: no race, no torn entry). */
static void
test_cache_threads(void **state)
{
	char			 root[] = "/tmp/test_api_peer_ct.XXXXXX";
	struct cache_race	 cr[4];
	pthread_t		 t[4];
	struct api_peer_cache	*pc;
	size_t			 i;

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_non_null(pc = api_peer_cache_new(root, "/nonexistent/passwd",
	    "/nonexistent/nsswitch.conf"));
	cache_file(root, 4242, "cgroup", V1("/docker/" A));
	cache_stat(root, 4242, 'S', 1000);
	for (i = 0; i < 4; i++) {
		cr[i].pc = pc;
		cr[i].path = "/docker/" A;
		cr[i].bad = 0;
		assert_int_equal(pthread_create(&t[i], NULL, cache_race_run,
		    &cr[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(cr[i].bad, 0);
	}
	cache_rm_pid(root, 4242);
	api_peer_cache_free(pc);
	rmdir(root);
}

/* Replace file with text (a new inode, as editors and usermod do). */
static void
put_text(const char *dir, const char *name, const char *text)
{
	char	tmp[PATH_MAX], file[PATH_MAX];
	FILE	*f;

	snprintf(tmp, sizeof(tmp), "%s/.%s.new", dir, name);
	snprintf(file, sizeof(file), "%s/%s", dir, name);
	assert_non_null(f = fopen(tmp, "w"));
	fputs(text, f);
	fclose(f);
	assert_int_equal(rename(tmp, file), 0);
}

/* Past the once-a-second re-check of the files' stat. */
static void
past_recheck(void)
{
	usleep((DW_PEER_PASSWD_CHECK_MS + 100) * 1000);
}

/*
 * Users come from the passwd snapshot when nsswitch says files first (the
 * first line for a uid), and from getpwuid_r otherwise; a change of either
 * file is seen after the re-check interval.
 */
static void
test_cache_user(void **state)
{
	char			 dir[] = "/tmp/test_api_peer_pw.XXXXXX";
	char			 pw[PATH_MAX], ns[PATH_MAX], name[64], home[64];
	char			 big[DW_PEER_PASSWD_LINE_MAX + 256];
	struct passwd		 spw, *res = NULL;
	char			 sbuf[4096];
	struct api_peer_cache	*pc;
	unsigned long		 hits, misses;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(pw, sizeof(pw), "%s/passwd", dir);
	snprintf(ns, sizeof(ns), "%s/nsswitch.conf", dir);
	put_text(dir, "nsswitch.conf", "# test\n  passwd:   files systemd\n"
	    "group: files\n");
	put_text(dir, "passwd", "root:x:0:0:root:/fakeroot:/bin/sh\n"
	    "alice:x:4242001:100::/home/alice:/bin/sh\n"
	    "alice2:x:4242001:100::/home/alice2:/bin/sh\n"
	    "bad line\n"
	    "bob:x:4242002:100::/home/bob:/bin/sh\n");
	assert_non_null(pc = api_peer_cache_new("/proc", pw, ns));

	assert_int_equal(api_peer_cache_user(pc, 4242001, name, sizeof(name),
	    home, sizeof(home)), 0);
	assert_string_equal(name, "alice");
	assert_string_equal(home, "/home/alice");
	assert_int_equal(api_peer_cache_user(pc, 4242002, name, sizeof(name),
	    NULL, 0), 0);
	assert_string_equal(name, "bob");
	assert_int_equal(api_peer_cache_user(pc, 0, NULL, 0, home,
	    sizeof(home)), 0);
	assert_string_equal(home, "/fakeroot");
	/* Truncated to the caller's size. */
	assert_int_equal(api_peer_cache_user(pc, 4242001, name, 3, NULL, 0), 0);
	assert_string_equal(name, "al");
	api_peer_cache_user_counts(pc, &hits, &misses);
	assert_int_equal(hits, 4);
	assert_int_equal(misses, 0);
	/* Not in the file: getpwuid_r, as without the cache. */
	assert_int_equal(api_peer_cache_user(pc, 4242999, name, sizeof(name),
	    NULL, 0), -ENOENT);
	api_peer_cache_user_counts(pc, &hits, &misses);
	assert_int_equal(misses, 1);

	/* passwd changes: seen after the re-check. */
	put_text(dir, "passwd", "alice:x:4242001:100::/home/new:/bin/sh\n");
	past_recheck();
	assert_int_equal(api_peer_cache_user(pc, 4242001, NULL, 0, home,
	    sizeof(home)), 0);
	assert_string_equal(home, "/home/new");
	assert_int_equal(api_peer_cache_user(pc, 4242002, name, sizeof(name),
	    NULL, 0), -ENOENT);

	/* nsswitch no longer files first: everything from getpwuid_r. */
	put_text(dir, "nsswitch.conf", "passwd: systemd files\n");
	past_recheck();
	assert_int_equal(api_peer_cache_user(pc, 4242001, NULL, 0, home,
	    sizeof(home)), -ENOENT);
	assert_int_equal(getpwuid_r(0, &spw, sbuf, sizeof(sbuf), &res), 0);
	assert_non_null(res);
	assert_int_equal(api_peer_cache_user(pc, 0, NULL, 0, home,
	    sizeof(home)), 0);
	assert_string_equal(home, spw.pw_dir);
	/* An action after files, two passwd lines, none: not used either. */
	put_text(dir, "nsswitch.conf", "passwd: files [SUCCESS=continue] systemd\n");
	past_recheck();
	assert_int_equal(api_peer_cache_user(pc, 4242001, NULL, 0, home,
	    sizeof(home)), -ENOENT);
	put_text(dir, "nsswitch.conf", "passwd: files\npasswd: files\n");
	past_recheck();
	assert_int_equal(api_peer_cache_user(pc, 4242001, NULL, 0, home,
	    sizeof(home)), -ENOENT);
	put_text(dir, "nsswitch.conf", "group: files\n");
	past_recheck();
	assert_int_equal(api_peer_cache_user(pc, 4242001, NULL, 0, home,
	    sizeof(home)), -ENOENT);

	/* Files first again; a line over the limit ends the snapshot. */
	{
		char	gecos[DW_PEER_PASSWD_LINE_MAX + 1];

		memset(gecos, 'g', sizeof(gecos) - 1);
		gecos[sizeof(gecos) - 1] = '\0';
		snprintf(big, sizeof(big), "carol:x:4242003:100::/home/carol:"
		    "/bin/sh\nlong:x:4242004:100:%s:/home/long:/bin/sh\n"
		    "dave:x:4242005:100::/home/dave:/bin/sh\n", gecos);
	}
	put_text(dir, "passwd", big);
	put_text(dir, "nsswitch.conf", "passwd: files\n");
	past_recheck();
	api_peer_cache_user_counts(pc, &hits, &misses);
	assert_int_equal(api_peer_cache_user(pc, 4242003, name, sizeof(name),
	    NULL, 0), 0);
	assert_string_equal(name, "carol");
	/* dave is past the long line: asked of getpwuid_r (the real one). */
	assert_int_equal(api_peer_cache_user(pc, 4242005, name, sizeof(name),
	    NULL, 0), -ENOENT);
	{
		unsigned long	h2, m2;

		api_peer_cache_user_counts(pc, &h2, &m2);
		assert_int_equal(h2, hits + 1);
		assert_int_equal(m2, misses + 1);
	}

	/* A missing passwd: getpwuid_r. */
	unlink(pw);
	past_recheck();
	assert_int_equal(api_peer_cache_user(pc, 4242003, NULL, 0, NULL, 0),
	    -ENOENT);
	api_peer_cache_free(pc);
	unlink(ns);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_max),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_live_socketpair),
		cmocka_unit_test(test_not_unix),
		cmocka_unit_test(test_fake_proc),
		cmocka_unit_test(test_live_child),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_groups_at_connect),
		cmocka_unit_test(test_status_groups),
		cmocka_unit_test(test_cgroup_path),
		cmocka_unit_test(test_pid_cgroup_path),
		cmocka_unit_test(test_cache_container),
		cmocka_unit_test(test_cache_container_lru),
		cmocka_unit_test(test_cache_threads),
		cmocka_unit_test(test_cache_user),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
