/*
 * Fuzz the Host/SNI peeker: "<mode><bytes>".  mode bit 0: TLS (else HTTP);
 * bits 1-7 with the length pick a limit below EGRESS_PEEK_MAX now and
 * then.  The answer on a prefix, once it is not NEED_MORE, must be the
 * answer on the whole (the proxy acts on the first one), and a name found
 * must be one we can hand to the decision.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "egress/egress_peek.h"
#include "egress/egress_proxy.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum egress_peek_result
peek(bool tls, const uint8_t *b, size_t n, size_t limit, char *name)
{
	if (tls)
		return egress_peek_tls_sni(b, n, limit, name, NULL);
	return egress_peek_http_host(b, n, limit, name, NULL);
}

static void
check_name(const char *name)
{
	size_t	n = strlen(name);

	if (n == 0 || n >= EGRESS_HOST_MAX ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-._:") != n)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum egress_peek_result	 full, part;
	char			 name[EGRESS_HOST_MAX], pname[EGRESS_HOST_MAX];
	size_t			 limit = EGRESS_PEEK_MAX, cuts[3], i;
	bool			 tls;

	if (size < 1)
		return 0;
	tls = data[0] & 1;
	if (data[0] & 0x80)
		limit = 16 + (size_t)(data[0] >> 1) * 8;
	data++;
	size--;
	full = peek(tls, data, size, limit, name);
	if (full == EGRESS_PEEK_FOUND)
		check_name(name);
	if (full == EGRESS_PEEK_NEED_MORE && size >= limit)
		abort();
	cuts[0] = size / 3;
	cuts[1] = size * 2 / 3;
	cuts[2] = size > 0 ? size - 1 : 0;
	for (i = 0; i < 3; i++) {
		part = peek(tls, data, cuts[i], limit, pname);
		if (part == EGRESS_PEEK_NEED_MORE)
			continue;
		if (part != full)
			abort();
		if (part == EGRESS_PEEK_FOUND && strcmp(pname, name) != 0)
			abort();
	}
	return 0;
}
