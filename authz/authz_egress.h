/*
 * authz_egress: the Engine API rules of air-gapped containers
 * (containersProxy).  The egress table (egress/) polices what containers
 * send through a bridge of this host; these rules keep every container on
 * such a bridge.  They apply while authz_settings.egress_enabled, whether
 * or not ECI is on.  Each check returns 0 or -EACCES after a deny
 * (authz_deny.h) with egress.network, egress.networkDriver, egress.dns,
 * or engine.lookup when a fact could not be had.
 */
#ifndef AUTHZ_EGRESS_H
#define AUTHZ_EGRESS_H

#include "authz/authz_deny.h"
#include "authz/authz_jv.h"

/*
 * The request's egress rules, by endpoint: container create (network
 * modes, NetworkingConfig, Dns), start, restart, exec and attach of an
 * existing container (its stored networks), build networkmode, service
 * specs, network create (driver) and connect.  Other endpoints: 0.
 */
int	authz_egress_check(struct authz_ctx *c);

/*
 * What a container joins, given as a NetworkMode, a build networkmode, a
 * NetworkingConfig network, a service network target or a connect's
 * network (field names it): "", "default", "bridge", "none", a network
 * of the bridge driver, or "container:X" whose chain ends there, pass.
 * The host network, other drivers, a network or container that does not
 * exist, and a lookup that fails are refused.
 */
int	authz_egress_network_check(struct authz_ctx *c, const char *net,
	    const char *field);

/*
 * obj.field is a []string of resolver addresses (HostConfig.Dns, a
 * service's DNSConfig.Nameservers): each must be an allowed resolver
 * (authz_settings_egress_dns_allowed), unless egress_dns_rule is false.
 */
int	authz_egress_dns_check(struct authz_ctx *c, const struct authz_jv *obj,
	    const char *path, const struct authz_jv_name *field);

#endif
