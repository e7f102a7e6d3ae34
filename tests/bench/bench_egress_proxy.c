/*
 * bench_egress_proxy: the transparent proxy against the kernel path, on
 * loopback, in one run (make bench-build; run as it is, root not needed
 * unless RLIMIT_NOFILE must go above its hard limit).
 *
 *     bench_egress_proxy [-n CONNS] [-m MB] [-i IDLE]
 *
 * The proxy (egress_proxy with no_orig_dst, a decision that answers
 * DIRECT at once: a warm cache) runs in a child process, so that its RSS
 * is its own; this process plays the clients and the destination (one
 * epoll thread: a connection whose first byte is 'e' is echoed, 's' is a
 * sink that answers the byte count at EOF).  Figures, with the issue's
 * goals:
 *   1. connection setup: connect + a 2-byte echo, direct and through the
 *      proxy interleaved, p50/p90; the added p50 (goal <= 0.5 ms);
 *   2. bulk: MB megabytes one way, best of 3, direct and proxied; the
 *      ratio (goal >= 0.8);
 *   3. idle: IDLE proxied connections held open after one echo each; the
 *      proxy's RSS before and after (goal <= 64 MB at 10k), and what the
 *      kernel's slab grew by (sockets and pipes are kernel memory).
 * One BENCH line per figure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "egress/egress_proxy.h"

#define FDS_WANT	65536
#define SRV_EVENTS	256

/* ---- the destination: one epoll thread, echo or sink per connection ---- */

struct sconn {
	int			fd;
	char			mode;	/* 0 until the first byte, then 'e' or 's' */
	unsigned long long	count;
};

static int	srv_lfd, srv_ep;
static uint16_t	srv_port;

static void
sconn_close(struct sconn *c)
{
	close(c->fd);
	free(c);
}

static void
sconn_read(struct sconn *c)
{
	static char	buf[1 << 18];
	ssize_t		n;

	for (;;) {
		n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			if (c->mode == 's')
				(void)send(c->fd, &c->count, sizeof(c->count), MSG_NOSIGNAL);
			sconn_close(c);
			return;
		}
		if (c->mode == 0)
			c->mode = buf[0] == 's' ? 's' : 'e';
		if (c->mode == 's')
			c->count += (unsigned long long)n;
		else
			(void)send(c->fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
}

static void *
srv_main(void *arg)
{
	struct epoll_event	evs[SRV_EVENTS], ev;
	struct sconn		*c;
	int			n, i, fd;

	for (;;) {
		n = epoll_wait(srv_ep, evs, SRV_EVENTS, -1);
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr != NULL) {
				sconn_read(evs[i].data.ptr);
				continue;
			}
			while ((fd = accept4(srv_lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
				if ((c = calloc(1, sizeof(*c))) == NULL) {
					close(fd);
					continue;
				}
				c->fd = fd;
				memset(&ev, 0, sizeof(ev));
				ev.events = EPOLLIN | EPOLLRDHUP;
				ev.data.ptr = c;
				if (epoll_ctl(srv_ep, EPOLL_CTL_ADD, fd, &ev) != 0)
					sconn_close(c);
			}
		}
	}
	return NULL;
}

static int
srv_start(void)
{
	struct sockaddr_in	sa = { .sin_family = AF_INET };
	struct epoll_event	ev;
	socklen_t		sl = sizeof(sa);
	pthread_t		t;
	int			one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((srv_lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(srv_lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(srv_lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(srv_lfd, 4096) != 0 ||
	    getsockname(srv_lfd, (struct sockaddr *)&sa, &sl) != 0 ||
	    (srv_ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -1;
	srv_port = ntohs(sa.sin_port);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	if (epoll_ctl(srv_ep, EPOLL_CTL_ADD, srv_lfd, &ev) != 0)
		return -1;
	return pthread_create(&t, NULL, srv_main, NULL) == 0 ? 0 : -1;
}

/* ---- the proxy, in a child ---- */

static void
warm_decide(void *ctx, struct egress_target *t, struct egress_answer *out,
    struct egress_decide_info *info)
{
	memset(out, 0, sizeof(*out));
	out->n = 1;
	out->r[0].kind = EGRESS_ROUTE_DIRECT;
	info->cached = true;
}

static unsigned long long	closed;

static void
count_close(void *ctx, const struct egress_conn_record *rec)
{
	__atomic_add_fetch(&closed, 1, __ATOMIC_RELAXED);
}

/* Runs the proxy until the parent closes ctl; its port goes up portw. */
static int
proxy_child(int portw, int ctl)
{
	struct egress_proxy_opts	 o;
	struct egress_proxy		*p;
	struct egress_proxy_stats	 st;
	struct dw_err			 err;
	uint16_t			 port;
	char				 c;

	signal(SIGPIPE, SIG_IGN);
	memset(&o, 0, sizeof(o));
	o.bind4 = "127.0.0.1";
	o.bind6 = "";
	o.no_orig_dst = true;
	o.test_dst.family = AF_INET;
	o.test_dst.u.v4.s_addr = htonl(INADDR_LOOPBACK);
	o.test_dst_port = srv_port;
	o.conns_max = FDS_WANT;
	o.ops.decide = warm_decide;
	o.ops.on_close = count_close;
	if (egress_proxy_start(&o, &p, &err) != 0) {
		fprintf(stderr, "bench_egress_proxy: %s\n", err.msg);
		return 1;
	}
	port = egress_proxy_port(p);
	if (write(portw, &port, sizeof(port)) != sizeof(port))
		return 1;
	while (read(ctl, &c, 1) > 0)
		;
	egress_proxy_stats(p, &st);
	egress_proxy_stop(p);
	fprintf(stderr, "bench_egress_proxy: proxy accepted %llu, direct %llu, errors %llu, "
	    "records %llu\n", st.accepted, st.direct, st.errors, closed);
	return 0;
}

/* ---- clients ---- */

static double
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
dial(uint16_t port)
{
	struct sockaddr_in	sa = { .sin_family = AF_INET };
	int			fd, one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(port);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
read_n(int fd, void *buf, size_t n)
{
	char	*b = buf;
	ssize_t	 k;

	while (n > 0) {
		k = recv(fd, b, n, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

/* connect, send "ex", read it back: one connection's setup, in us. */
static double
setup_once(uint16_t port, int *ret_fd)
{
	double	t0 = now_us(), t;
	char	buf[2];
	int	fd;

	if ((fd = dial(port)) < 0 || send(fd, "ex", 2, MSG_NOSIGNAL) != 2 ||
	    read_n(fd, buf, 2) != 0 || memcmp(buf, "ex", 2) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	t = now_us() - t0;
	if (ret_fd != NULL)
		*ret_fd = fd;
	else
		close(fd);
	return t;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(double *v, int n, double p)
{
	int	i = (int)(p * (n - 1) + 0.5);

	return v[i];
}

/* MB megabytes one way, then the sink's count: seconds, or -1. */
static double
bulk_once(uint16_t port, size_t mb)
{
	static char		buf[1 << 18];
	unsigned long long	total = (unsigned long long)mb << 20, sent = 0, got;
	double			t0;
	size_t			k;
	ssize_t			n;
	int			fd;

	memset(buf, 'x', sizeof(buf));
	buf[0] = 's';
	if ((fd = dial(port)) < 0)
		return -1;
	t0 = now_us();
	while (sent < total) {
		k = total - sent < sizeof(buf) ? (size_t)(total - sent) : sizeof(buf);
		n = send(fd, buf, k, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		sent += (unsigned long long)n;
		buf[0] = 'x';
	}
	shutdown(fd, SHUT_WR);
	if (read_n(fd, &got, sizeof(got)) != 0 || got != total) {
		close(fd);
		return -1;
	}
	close(fd);
	return (now_us() - t0) / 1e6;
}

/* CPU seconds this process used (both the clients and the destination). */
static double
cpu_self(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* CPU seconds the proxy process used (utime + stime of /proc/PID/stat). */
static double
cpu_pid(pid_t pid)
{
	char			 path[64], buf[1024], *p;
	unsigned long		 ut = 0, st = 0;
	FILE			*f;
	size_t			 n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* After the command name: state is field 3, utime 14, stime 15. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long
status_kb(pid_t pid, const char *field)
{
	char	path[64], line[256];
	FILE	*f;
	long	v = -1;
	size_t	fl = strlen(field);

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, fl) == 0 && line[fl] == ':')
			v = strtol(line + fl + 1, NULL, 10);
	fclose(f);
	return v;
}

static long
meminfo_kb(const char *field)
{
	char	line[256];
	FILE	*f;
	long	v = -1;
	size_t	fl = strlen(field);

	if ((f = fopen("/proc/meminfo", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, fl) == 0 && line[fl] == ':')
			v = strtol(line + fl + 1, NULL, 10);
	fclose(f);
	return v;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_egress_proxy [-n CONNS] [-m MB] [-i IDLE]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct rlimit	 rl;
	double		*lat_d, *lat_p, t, best_d = 1e9, best_p = 1e9, added;
	double		 c0, c1, cpu_d = 0, cpu_e = 0, cpu_x = 0, gb;
	int		 nconn = 2000, idle = 10000, ch, portp[2], ctl[2], i, *fds, nfd = 0;
	size_t		 mb = 1024;
	uint16_t	 pport;
	pid_t		 pid;
	long		 rss0, rss1, slab0, slab1;
	int		 st, fails = 0;

	while ((ch = getopt(argc, argv, "n:m:i:")) != -1) {
		switch (ch) {
		case 'n':
			nconn = (int)strtol(optarg, NULL, 10);
			break;
		case 'm':
			mb = (size_t)strtoul(optarg, NULL, 10);
			break;
		case 'i':
			idle = (int)strtol(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (nconn < 10 || mb < 1 || idle < 0)
		usage();
	signal(SIGPIPE, SIG_IGN);
	/* Each idle connection: 2 descriptors here, 2 in the proxy (plus its pipe pool). */
	rl.rlim_cur = rl.rlim_max = FDS_WANT;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		if ((int)rl.rlim_cur < 2 * idle + 60) {
			idle = ((int)rl.rlim_cur - 60) / 2;
			fprintf(stderr, "bench_egress_proxy: RLIMIT_NOFILE %lu: %d idle connections\n",
			    (unsigned long)rl.rlim_cur, idle);
		}
	}
	if (srv_start() != 0) {
		perror("bench_egress_proxy: server");
		return 1;
	}
	if (pipe(portp) != 0 || pipe(ctl) != 0)
		return 1;
	if ((pid = fork()) == 0) {
		close(portp[0]);
		close(ctl[1]);
		_exit(proxy_child(portp[1], ctl[0]));
	}
	close(portp[1]);
	close(ctl[0]);
	if (pid < 0 || read(portp[0], &pport, sizeof(pport)) != sizeof(pport)) {
		fprintf(stderr, "bench_egress_proxy: the proxy did not start\n");
		return 1;
	}

	/* 1. Connection setup, interleaved so that both see the same machine. */
	lat_d = calloc((size_t)nconn, sizeof(double));
	lat_p = calloc((size_t)nconn, sizeof(double));
	if (lat_d == NULL || lat_p == NULL)
		return 1;
	for (i = 0; i < 50; i++) {
		(void)setup_once(srv_port, NULL);
		(void)setup_once(pport, NULL);
	}
	for (i = 0; i < nconn; i++) {
		if ((lat_d[i] = setup_once(srv_port, NULL)) < 0 ||
		    (lat_p[i] = setup_once(pport, NULL)) < 0) {
			fprintf(stderr, "bench_egress_proxy: setup %d failed\n", i);
			fails++;
			break;
		}
	}
	if (fails == 0) {
		qsort(lat_d, (size_t)nconn, sizeof(double), cmp_double);
		qsort(lat_p, (size_t)nconn, sizeof(double), cmp_double);
		added = pct(lat_p, nconn, 0.5) - pct(lat_d, nconn, 0.5);
		printf("connection setup (connect + 2-byte echo), %d each, interleaved:\n", nconn);
		printf("  direct  p50 %7.1f us  p90 %7.1f us\n", pct(lat_d, nconn, 0.5),
		    pct(lat_d, nconn, 0.9));
		printf("  proxy   p50 %7.1f us  p90 %7.1f us\n", pct(lat_p, nconn, 0.5),
		    pct(lat_p, nconn, 0.9));
		printf("  added   p50 %7.1f us  (goal <= 500 us: %s)\n", added,
		    added <= 500 ? "met" : "MISSED");
		printf("BENCH target=egress_proxy case=setup n=%d direct_p50_us=%.1f "
		    "direct_p90_us=%.1f proxy_p50_us=%.1f proxy_p90_us=%.1f added_p50_us=%.1f\n",
		    nconn, pct(lat_d, nconn, 0.5), pct(lat_d, nconn, 0.9), pct(lat_p, nconn, 0.5),
		    pct(lat_p, nconn, 0.9), added);
	}
	fflush(stdout);

	/* 2. Bulk, best of three each, interleaved; the CPU each path costs. */
	for (i = 0; i < 3 && fails == 0; i++) {
		c0 = cpu_self();
		if ((t = bulk_once(srv_port, mb)) < 0) {
			fails++;
			break;
		}
		cpu_d += cpu_self() - c0;
		if (t < best_d)
			best_d = t;
		c0 = cpu_self();
		c1 = cpu_pid(pid);
		if ((t = bulk_once(pport, mb)) < 0) {
			fails++;
			break;
		}
		cpu_e += cpu_self() - c0;
		cpu_x += cpu_pid(pid) - c1;
		if (t < best_p)
			best_p = t;
	}
	if (fails == 0) {
		printf("bulk %zu MB one way, best of 3:\n", mb);
		printf("  direct  %7.0f MB/s\n", (double)mb / best_d);
		printf("  proxy   %7.0f MB/s\n", (double)mb / best_p);
		printf("  ratio   %7.2f  (goal >= 0.8: %s)\n", best_d / best_p,
		    best_d / best_p >= 0.8 ? "met" : "MISSED");
		gb = 3.0 * (double)mb / 1024;
		printf("  CPU per GB: direct %.2f s (client + destination); proxied %.2f s "
		    "(client + destination) + %.2f s (proxy)\n", cpu_d / gb, cpu_e / gb, cpu_x / gb);
		printf("BENCH target=egress_proxy case=bulk mb=%zu direct_mbps=%.0f proxy_mbps=%.0f "
		    "ratio=%.2f cpu_direct_s_per_gb=%.2f cpu_ends_s_per_gb=%.2f "
		    "cpu_proxy_s_per_gb=%.2f\n", mb, (double)mb / best_d, (double)mb / best_p,
		    best_d / best_p, cpu_d / gb, cpu_e / gb, cpu_x / gb);
	} else
		fprintf(stderr, "bench_egress_proxy: bulk transfer failed\n");
	fflush(stdout);

	/* 3. Idle connections through the proxy. */
	if ((fds = calloc((size_t)idle + 1, sizeof(int))) == NULL)
		return 1;
	usleep(200000);
	rss0 = status_kb(pid, "VmRSS");
	slab0 = meminfo_kb("Slab");
	for (i = 0; i < idle; i++) {
		if (setup_once(pport, &fds[nfd]) < 0) {
			fprintf(stderr, "bench_egress_proxy: idle connection %d failed: %s\n", i,
			    strerror(errno));
			fails++;
			break;
		}
		nfd++;
	}
	usleep(200000);
	rss1 = status_kb(pid, "VmRSS");
	slab1 = meminfo_kb("Slab");
	printf("idle: %d proxied connections open (one echo each):\n", nfd);
	printf("  proxy RSS %ld kB before, %ld kB after: %+.0f bytes each; %.1f MB in all "
	    "(goal <= 64 MB at 10k: %s)\n", rss0, rss1,
	    nfd > 0 ? (double)(rss1 - rss0) * 1024 / nfd : 0.0, (double)rss1 / 1024,
	    rss1 <= 64 * 1024 ? "met" : "MISSED");
	printf("  kernel slab %+ld kB (both ends' sockets, this process's too)\n", slab1 - slab0);
	printf("BENCH target=egress_proxy case=idle conns=%d rss_before_kb=%ld rss_after_kb=%ld "
	    "slab_delta_kb=%ld\n", nfd, rss0, rss1, slab1 - slab0);
	fflush(stdout);
	for (i = 0; i < nfd; i++)
		close(fds[i]);
	close(ctl[1]);
	waitpid(pid, &st, 0);
	free(fds);
	free(lat_d);
	free(lat_p);
	return fails == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
