/*
 * Fuzz the CONNECT/SOCKS5 handshakes: "<mode><proxy's bytes>".  mode
 * bit 0: SOCKS5 (else CONNECT); bits 1-2: the destination (a name, IPv4,
 * IPv6); bits 3-7: how many bytes arrive per read.  The bytes are offered
 * as the proxy offers them (all that arrived, not yet consumed); a reply
 * may never claim more than it was offered, and a done handshake has
 * nothing more to send.
 */
#include <stdint.h>
#include <stdlib.h>

#include "egress/egress_upstream.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const	 hosts[] = { "a.example", "10.0.0.1", "2001:db8::1",
	    "x" };
	struct egress_upstream_hs	 u;
	const uint8_t			*out;
	size_t				 off = 0, avail = 0, step, used, n;

	if (size < 1)
		return 0;
	step = 1 + (size_t)(data[0] >> 3) * 3;
	if (egress_upstream_init(&u, (data[0] & 1) ? EGRESS_UPSTREAM_SOCKS5 :
	    EGRESS_UPSTREAM_CONNECT, hosts[(data[0] >> 1) & 3], 443, NULL) != 0)
		abort();
	data++;
	size--;
	while (!egress_upstream_done(&u)) {
		while ((n = egress_upstream_output(&u, &out)) > 0)
			egress_upstream_sent(&u, n);
		avail = avail + step < size - off ? avail + step : size - off;
		if (egress_upstream_input(&u, data + off, avail, &used, NULL) != 0)
			return 0;
		if (used > avail)
			abort();
		if (used == 0 && off + avail == size)
			break;	/* all offered, the reply is not complete */
		off += used;
		avail -= used;
	}
	if (egress_upstream_done(&u) && egress_upstream_output(&u, &out) != 0)
		abort();
	return 0;
}
