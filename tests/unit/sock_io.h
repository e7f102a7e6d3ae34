/*
 * sock_io: a test plays both ends of the gatekeeper's sockets (the client
 * and the engine) with these: exact reads with a deadline, a read to EOF,
 * and "nothing comes" for a while.  Included after <cmocka.h>.
 */
#ifndef SOCK_IO_H
#define SOCK_IO_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SOCK_IO_WAIT_MS	5000	/* the longest any expected byte may take */

/* Milliseconds left until deadline (CLOCK_MONOTONIC), never negative. */
static int
sock_io_left(const struct timespec *deadline)
{
	struct timespec	now;
	long		ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/* Send all of s[0, len) on fd; the test fails if it cannot. */
static void
sock_io_send(int fd, const void *s, size_t len)
{
	const char	*p = s;
	ssize_t		 n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			fail_msg("send: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

static void
sock_io_sends(int fd, const char *s)
{
	sock_io_send(fd, s, strlen(s));
}

/*
 * Read from fd into buf until want bytes, EOF (*ret_eof) or ms have
 * passed; the bytes read (NUL-terminated: buf holds want + 1).
 */
static size_t
sock_io_read(int fd, char *buf, size_t want, int ms, bool *ret_eof)
{
	struct timespec	deadline;
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	size_t		got = 0;
	ssize_t		n;

	*ret_eof = false;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (long)(ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	while (got < want) {
		if (poll(&pfd, 1, sock_io_left(&deadline)) <= 0)
			break;
		n = recv(fd, buf + got, want - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*ret_eof = true;
			break;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	return got;
}

/* The next strlen(want) bytes on fd are exactly want. */
static void
sock_io_expect(int fd, const char *want)
{
	size_t	 len = strlen(want), got;
	char	*buf = malloc(len + 1);
	bool	 eof;

	assert_non_null(buf);
	got = sock_io_read(fd, buf, len, SOCK_IO_WAIT_MS, &eof);
	if (got != len || memcmp(buf, want, len) != 0)
		fail_msg("expected %zu bytes \"%s\", got %zu%s: \"%s\"", len, want, got,
		    eof ? " and EOF" : "", buf);
	free(buf);
}

/* fd reaches EOF with no byte before it. */
static void
sock_io_expect_eof(int fd)
{
	char	buf[4096];
	size_t	got;
	bool	eof;

	got = sock_io_read(fd, buf, sizeof(buf) - 1, SOCK_IO_WAIT_MS, &eof);
	if (got != 0 || !eof)
		fail_msg("expected EOF, got %zu bytes%s: \"%s\"", got,
		    eof ? " then EOF" : " and no EOF", buf);
}

/* Nothing arrives on fd for ms (no byte, no EOF). */
static void
sock_io_expect_quiet(int fd, int ms)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	char		c;

	if (poll(&pfd, 1, ms) > 0) {
		ssize_t n = recv(fd, &c, 1, MSG_PEEK);

		fail_msg("expected nothing for %d ms, got %s", ms,
		    n > 0 ? "bytes" : "EOF");
	}
}

#endif
