/*
 * egress_client: the container side of the egress lab (tests/e2e/egress.sh),
 * built static at test time and copied into the test image.  The image's
 * busybox cannot be used for this: its wget crashes in its name lookup
 * (static glibc without NSS modules) and sends no SNI to an address.  No
 * name is ever resolved here: addresses are numeric.
 *
 *   egress_client [-w SECONDS] http ADDR PORT HOST    GET / with "Host: HOST"
 *   egress_client [-w SECONDS] tls ADDR PORT SNI      a TLS 1.2 ClientHello naming SNI
 *   egress_client [-w SECONDS] udp ADDR PORT          one datagram, wait for the echo
 *   egress_client serve PORT                          answer HTTP with "ctr-http"
 *
 * The first line printed is "result=WORD": ok (an answer came: the HTTP
 * response follows; for tls the first record was a handshake), refused
 * (connect refused), reset (the connection was reset), eof (closed before
 * any byte), timeout, alert (tls: the server answered with an alert),
 * error (anything else, with errno's text).  Exit 0 only for ok.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int wait_s = 5;

static int
result(const char *word, int rc)
{
	printf("result=%s\n", word);
	fflush(stdout);
	return rc;
}

static int
result_errno(int e)
{
	if (e == ECONNREFUSED)
		return result("refused", 1);
	if (e == ECONNRESET || e == EPIPE)
		return result("reset", 2);
	if (e == ETIMEDOUT || e == EAGAIN || e == EINPROGRESS)
		return result("timeout", 4);
	printf("result=error %s\n", strerror(e));
	return 5;
}

static int
parse_addr(const char *a, const char *p, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	char *end;
	unsigned long port = strtoul(p, &end, 10);

	if (*p == '\0' || *end != '\0' || port == 0 || port > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		*len = sizeof(*s6);
		return 0;
	}
	return -1;
}

/* Connect within wait_s; the socket or -errno. */
static int
dial(const struct sockaddr_storage *ss, socklen_t len)
{
	int fd, e;
	struct timeval tv = { .tv_sec = wait_s };

	fd = socket(ss->ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (const struct sockaddr *)ss, len) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static int
send_all(int fd, const unsigned char *b, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The first bytes of the answer (up to firstlen; wait_s).  Their count or -errno. */
static long
read_first(int fd, unsigned char *first, size_t firstlen)
{
	size_t got = 0;

	while (got < firstlen) {
		ssize_t r = recv(fd, first + got, firstlen - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return got > 0 ? (long)got : -errno;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (long)got;
}

static int
do_http(const struct sockaddr_storage *ss, socklen_t len, const char *host)
{
	static unsigned char ans[65536];
	char req[1024];
	int fd, n, e;
	size_t got = 0;

	fd = dial(ss, len);
	if (fd < 0)
		return result_errno(-fd);
	n = snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: egress-client\r\n"
	    "Connection: close\r\n\r\n", host);
	if ((e = send_all(fd, (const unsigned char *)req, (size_t)n)) < 0) {
		close(fd);
		return result_errno(-e);
	}
	for (;;) {
		ssize_t r = recv(fd, ans + got, sizeof(ans) - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && got == 0) {
			e = errno;
			close(fd);
			return result_errno(e);
		}
		if (r <= 0 || (got += (size_t)r) == sizeof(ans))
			break;
	}
	close(fd);
	if (got == 0)
		return result("eof", 3);
	printf("result=ok\n");
	fwrite(ans, 1, got, stdout);
	return 0;
}

static void
put16(unsigned char **p, unsigned v)
{
	(*p)[0] = (unsigned char)(v >> 8);
	(*p)[1] = (unsigned char)v;
	*p += 2;
}

/* A TLS 1.2 ClientHello with server_name = sni; its length. */
static size_t
client_hello(unsigned char *out, size_t max, const char *sni)
{
	static const unsigned short suites[] = { 0xc02f, 0xc030, 0xc02b, 0xc02c, 0x009c, 0x009d };
	static const unsigned short sigalgs[] = { 0x0804, 0x0805, 0x0401, 0x0501, 0x0403, 0x0503 };
	unsigned char *p = out, *hs, *body, *ext;
	size_t n = strlen(sni), i;

	if (n > 255 || max < 512 + n)
		return 0;
	*p++ = 0x16;
	*p++ = 0x03;
	*p++ = 0x01;
	p += 2;				/* record length */
	hs = p;
	*p++ = 0x01;			/* ClientHello */
	p += 3;				/* handshake length */
	body = p;
	*p++ = 0x03;
	*p++ = 0x03;
	for (i = 0; i < 32; i++)
		*p++ = (unsigned char)rand();
	*p++ = 0;			/* session id */
	put16(&p, sizeof(suites));
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		put16(&p, suites[i]);
	*p++ = 1;
	*p++ = 0;			/* null compression */
	p += 2;				/* extensions length */
	ext = p;
	if (n > 0) {
		put16(&p, 0x0000);	/* server_name */
		put16(&p, (unsigned)(n + 5));
		put16(&p, (unsigned)(n + 3));
		*p++ = 0;		/* host_name */
		put16(&p, (unsigned)n);
		memcpy(p, sni, n);
		p += n;
	}
	put16(&p, 0x000a);		/* supported_groups: x25519, secp256r1 */
	put16(&p, 6);
	put16(&p, 4);
	put16(&p, 0x001d);
	put16(&p, 0x0017);
	put16(&p, 0x000b);		/* ec_point_formats: uncompressed */
	put16(&p, 2);
	*p++ = 1;
	*p++ = 0;
	put16(&p, 0x000d);		/* signature_algorithms */
	put16(&p, sizeof(sigalgs) + 2);
	put16(&p, sizeof(sigalgs));
	for (i = 0; i < sizeof(sigalgs) / sizeof(sigalgs[0]); i++)
		put16(&p, sigalgs[i]);
	ext[-2] = (unsigned char)((p - ext) >> 8);
	ext[-1] = (unsigned char)(p - ext);
	hs[1] = 0;
	hs[2] = (unsigned char)((p - body) >> 8);
	hs[3] = (unsigned char)(p - body);
	out[3] = (unsigned char)((p - hs) >> 8);
	out[4] = (unsigned char)(p - hs);
	return (size_t)(p - out);
}

static int
do_tls(const struct sockaddr_storage *ss, socklen_t len, const char *sni)
{
	unsigned char hello[1024], first[6] = { 0 };
	size_t n = client_hello(hello, sizeof(hello), sni);
	int fd, e;
	long got;

	if (n == 0)
		return result("error sni too long", 5);
	fd = dial(ss, len);
	if (fd < 0)
		return result_errno(-fd);
	if ((e = send_all(fd, hello, n)) < 0) {
		close(fd);
		return result_errno(-e);
	}
	got = read_first(fd, first, sizeof(first));
	close(fd);
	if (got < 0)
		return result_errno((int)-got);
	if (got == 0)
		return result("eof", 3);
	if (first[0] == 0x16 && first[5] == 0x02)
		return result("ok server-hello", 0);
	if (first[0] == 0x15)
		return result("alert", 6);
	printf("result=error first byte 0x%02x\n", first[0]);
	return 5;
}

static int
do_udp(const struct sockaddr_storage *ss, socklen_t len)
{
	struct timeval tv = { .tv_sec = wait_s };
	char buf[512];
	int fd;
	ssize_t r;

	fd = socket(ss->ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return result_errno(errno);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (const struct sockaddr *)ss, len) < 0 ||
	    send(fd, "egress-lab-udp", 14, 0) < 0) {
		int e = errno;

		close(fd);
		return result_errno(e);
	}
	r = recv(fd, buf, sizeof(buf), 0);
	if (r < 0) {
		int e = errno;

		close(fd);
		return result_errno(e == EAGAIN ? ETIMEDOUT : e);
	}
	close(fd);
	return result("ok echo", 0);
}

/* A tiny HTTP server for container-to-container checks: "ctr-http". */
static int
do_serve(const char *port)
{
	struct sockaddr_in6 a;
	int fd, one = 1, zero = 0;
	char *end;
	unsigned long p = strtoul(port, &end, 10);

	if (*end != '\0' || p == 0 || p > 65535)
		return 2;
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd < 0)
		return 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_port = htons((unsigned short)p);
	a.sin6_addr = in6addr_any;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 64) < 0) {
		perror("serve");
		return 1;
	}
	for (;;) {
		static const char ans[] = "HTTP/1.0 200 OK\r\nContent-Length: 9\r\n"
		    "Connection: close\r\n\r\nctr-http\n";
		char buf[2048];
		struct timeval tv = { .tv_sec = 5 };
		int c = accept(fd, NULL, NULL);

		if (c < 0)
			continue;
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (recv(c, buf, sizeof(buf), 0) > 0)
			send_all(c, (const unsigned char *)ans, sizeof(ans) - 1);
		close(c);
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;

	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	if (argc > 2 && strcmp(argv[1], "-w") == 0) {
		wait_s = (int)strtol(argv[2], NULL, 10);
		if (wait_s <= 0)
			wait_s = 5;
		argv += 2;
		argc -= 2;
	}
	if (argc == 3 && strcmp(argv[1], "serve") == 0)
		return do_serve(argv[2]);
	if (argc < 4 || parse_addr(argv[2], argv[3], &ss, &len) < 0) {
		fprintf(stderr, "usage: egress_client [-w S] http|tls ADDR PORT NAME | udp ADDR PORT | serve PORT\n");
		return 64;
	}
	if (strcmp(argv[1], "http") == 0 && argc == 5)
		return do_http(&ss, len, argv[4]);
	if (strcmp(argv[1], "tls") == 0 && argc == 5)
		return do_tls(&ss, len, argv[4]);
	if (strcmp(argv[1], "udp") == 0 && argc == 4)
		return do_udp(&ss, len);
	fprintf(stderr, "egress_client: bad arguments\n");
	return 64;
}
