/*
 * egress_nft: dockward's own nftables table, `table inet dockward`
 * (DESIGN.md §11), built from the policy and applied atomically with
 * libnftables: container traffic is matched by the bridge's interface
 * kind (never its name), TCP to transparentPorts is redirected to the
 * proxy's port, container-to-container traffic stays on the host path,
 * the proxy port answers only redirected flows, UDP/ICMP per the udp
 * setting, IPv4 and IPv6.
 */
#ifndef EGRESS_NFT_H
#define EGRESS_NFT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/dw_err.h"
#include "egress/egress_policy.h"

#define EGRESS_NFT_TABLE	"dockward"	/* family inet */

/*
 * The table as nft text for policy: "delete table" (when present) and
 * "add table" in one batch so applying it is atomic.  Returns a new string
 * or NULL (ENOMEM).
 */
char	*egress_nft_ruleset(const struct egress_policy *p);
/* Apply egress_nft_ruleset(p) in one libnftables transaction.  0 or -errno with nft's message in err. */
int	egress_nft_apply(const struct egress_policy *p, struct dw_err *err);
/* 1 when our table exists with our marker comment, 0 when not, -errno on failure. */
int	egress_nft_present(struct dw_err *err);
/* Delete the table (feature turned off).  0 (also when absent) or -errno. */
int	egress_nft_remove(struct dw_err *err);

#endif
