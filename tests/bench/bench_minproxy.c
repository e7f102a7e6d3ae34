/*
 * bench_minproxy: the gatekeeper's floor (make bench-full, proxy-bench.sh).
 *
 *     bench_minproxy LISTEN_SOCKET ENGINE_SOCKET
 *
 * The least a proxy on a unix socket can do: accept, connect to the
 * engine, copy bytes both ways with read/write, no parsing, no policy.
 * One thread per direction, each blocked in read, so a keep-alive request
 * costs four system calls (read, write, read, write), as the gatekeeper's
 * best case does; an end of stream is passed on with shutdown(SHUT_WR).
 * The gatekeeper's figures divided by this one's are the cost of being a
 * policy proxy rather than a pipe.  Runs until killed.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MP_BUF_SIZE	(64 * 1024)	/* bytes per read */

struct mp_pair {
	int	client, engine;
	int	refs;			/* directions still copying */
};

struct mp_dir {
	struct mp_pair	*pp;
	int		 from, to;
};

static const char	*engine_path;

/* A unix socket address for path; -1 when it does not fit. */
static int
mp_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -1;
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return 0;
}

/* Copy one direction until end of stream or error; the last one out closes both. */
static void *
mp_copy(void *arg)
{
	struct mp_dir	*d = arg;
	struct mp_pair	*pp = d->pp;
	char		*buf = malloc(MP_BUF_SIZE);
	ssize_t		 n, w, off;

	while (buf != NULL && (n = read(d->from, buf, MP_BUF_SIZE)) > 0) {
		for (off = 0; off < n; off += w)
			if ((w = write(d->to, buf + off, (size_t)(n - off))) <= 0)
				goto out;
	}
out:
	shutdown(d->to, SHUT_WR);
	shutdown(d->from, SHUT_RD);
	free(buf);
	free(d);
	if (__atomic_sub_fetch(&pp->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		close(pp->client);
		close(pp->engine);
		free(pp);
	}
	return NULL;
}

/* Start one copying thread, detached. */
static int
mp_start(struct mp_pair *pp, int from, int to)
{
	struct mp_dir	*d;
	pthread_t	 t;

	if ((d = malloc(sizeof(*d))) == NULL)
		return -1;
	d->pp = pp;
	d->from = from;
	d->to = to;
	if (pthread_create(&t, NULL, mp_copy, d) != 0) {
		free(d);
		return -1;
	}
	pthread_detach(t);
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un	 sun, eng;
	struct mp_pair		*pp;
	int			 lfd, cfd, efd;

	if (argc != 3 || mp_addr(argv[1], &sun) < 0 || mp_addr(argv[2], &eng) < 0) {
		fprintf(stderr, "usage: bench_minproxy LISTEN_SOCKET ENGINE_SOCKET\n");
		return 2;
	}
	engine_path = argv[2];
	signal(SIGPIPE, SIG_IGN);
	unlink(argv[1]);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(argv[1], 0600) < 0 || listen(lfd, 128) < 0) {
		perror("bench_minproxy: listen");
		return 1;
	}
	fprintf(stderr, "bench_minproxy: %s -> %s\n", argv[1], engine_path);
	for (;;) {
		if ((cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
			continue;
		efd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (efd < 0 || connect(efd, (struct sockaddr *)&eng, sizeof(eng)) < 0 ||
		    (pp = malloc(sizeof(*pp))) == NULL) {
			if (efd >= 0)
				close(efd);
			close(cfd);
			continue;
		}
		pp->client = cfd;
		pp->engine = efd;
		pp->refs = 2;
		if (mp_start(pp, cfd, efd) < 0) {
			close(cfd);
			close(efd);
			free(pp);
			continue;
		}
		if (mp_start(pp, efd, cfd) < 0) {
			/* the running direction closes both when it ends */
			shutdown(cfd, SHUT_RDWR);
			if (__atomic_sub_fetch(&pp->refs, 1, __ATOMIC_ACQ_REL) == 0) {
				close(cfd);
				close(efd);
				free(pp);
			}
		}
	}
}
