/*
 * Fuzz the PAC result parser: whatever a PAC returns, the answer has 1 to
 * EGRESS_ROUTES_MAX routes, a failure is exactly one REFUSE, proxies have
 * a host and a port, and the formatted answer parses back to the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "egress/egress_answer.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct egress_answer	a, b;
	struct dw_err		err;
	char			buf[EGRESS_ROUTES_MAX * (EGRESS_HOST_MAX + 16)];
	size_t			i, n, m;
	int			r;

	r = egress_answer_parse((const char *)data, size, &a, &err);
	if (a.n < 1 || a.n > EGRESS_ROUTES_MAX)
		abort();
	if (r != 0 && (a.n != 1 || a.r[0].kind != EGRESS_ROUTE_REFUSE))
		abort();
	for (i = 0; i < a.n; i++) {
		if ((a.r[i].kind == EGRESS_ROUTE_PROXY || a.r[i].kind == EGRESS_ROUTE_SOCKS5) &&
		    (a.r[i].host[0] == '\0' || a.r[i].port == 0))
			abort();
		if (memchr(a.r[i].host, '\0', sizeof(a.r[i].host)) == NULL)
			abort();
	}
	/* REFUSE can only end the list; it formats as no PAC keyword. */
	m = a.n;
	for (i = 0; i < a.n; i++)
		if (a.r[i].kind == EGRESS_ROUTE_REFUSE && i != a.n - 1)
			abort();
	if (a.r[a.n - 1].kind == EGRESS_ROUTE_REFUSE)
		m--;
	if (r == 0 && m > 0) {
		n = egress_answer_format(&a, buf, sizeof(buf));
		if (n >= sizeof(buf) - 1)
			abort();	/* the buffer holds any answer */
		if (egress_answer_parse(buf, n, &b, NULL) != 0 || b.n != m)
			abort();
		for (i = 0; i < m; i++)
			if (a.r[i].kind != b.r[i].kind || a.r[i].port != b.r[i].port ||
			    strcmp(a.r[i].host, b.r[i].host) != 0)
				abort();
	}
	return 0;
}
