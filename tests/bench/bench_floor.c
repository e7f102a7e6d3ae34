/*
 * bench_floor: the floor of the plugin benchmarks (make bench-full).
 *
 *     bench_floor SOCKET
 *
 * dockward's own plugin server (api_plugin: libmicrohttpd, one thread per
 * connection, AuthZReq decoding) with a decision function that allows
 * everything: what any authorization plugin built on this server costs.
 * dockward's figures divided by this one's are the cost of the policy
 * (routing, rules, engine lookups, audit).  Serves until SIGTERM/SIGINT,
 * then prints how many AuthZReq it allowed (a bench can check that it was
 * really asked) and removes the socket.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "api/api_plugin.h"
#include "common/dw_sock.h"

static unsigned long	 allowed;

/* The seam api_serve uses for the policy: here, allow. */
static void
floor_decide(void *ctx, struct api_plugin_call *call)
{
	call->d.verdict = AUTHZ_ALLOW;	/* d comes zeroed */
	__atomic_add_fetch(&allowed, 1, __ATOMIC_RELAXED);
}

int
main(int argc, char **argv)
{
	struct api_plugin	*p;
	struct dw_err		 err;
	sigset_t		 set;
	int			 fd, sig;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_floor SOCKET\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);	/* before the server's threads */
	signal(SIGPIPE, SIG_IGN);
	if ((fd = dw_sock_listen(argv[1], 0660, &err)) < 0 ||
	    (p = api_plugin_start(fd, floor_decide, NULL, NULL, &err)) == NULL) {
		fprintf(stderr, "bench_floor: %s\n", err.msg);
		return 1;
	}
	fprintf(stderr, "bench_floor: allow-all plugin on %s\n", argv[1]);
	while (sigwait(&set, &sig) != 0)
		;
	api_plugin_stop(p);
	unlink(argv[1]);
	printf("bench_floor: allowed %lu AuthZReq\n", allowed);
	return 0;
}
