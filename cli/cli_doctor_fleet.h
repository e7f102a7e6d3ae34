/*
 * cli_doctor_fleet: doctor's policy.expiry check.  The policy file
 * (--settings) and the fleet's last good copy (STATE_DIR/fleet/, what a
 * --settings-url host enforces) are read for their dockward.policy block:
 * PASS in date, WARN within the warning window (authz_policymeta.h), FAIL
 * past the expiry (dockward keeps enforcing it, but the fleet's signing
 * has stopped rolling forward), and the serial held beside the copy.
 */
#ifndef CLI_DOCTOR_FLEET_H
#define CLI_DOCTOR_FLEET_H

#include "authz/authz_settings.h"
#include "cli/cli_doctor_probe.h"
#include "cli/cli_doctor_report.h"

/*
 * policy.expiry for s (the parsed --settings policy, or NULL) and the
 * fleet copy under o->state_dir, at the time of o's ops.  Says nothing
 * when neither has a dockward.policy block.  0, or -ENOMEM.
 */
int	cli_doctor_fleet_probe(const struct cli_doctor_probe_opts *o,
	    const struct authz_settings *s, struct cli_doctor_report *rep);

#endif
