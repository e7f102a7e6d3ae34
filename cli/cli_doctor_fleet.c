/* cli_doctor_fleet: policy.expiry, the serial and expiry of the policies a host enforces. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_fleet.h"
#include "authz/authz_policymeta.h"
#include "cli/cli_doctor_fleet.h"
#include "common/dw_file.h"
#include "common/dw_limits.h"

#define CHECK_EXPIRY	"policy.expiry"
#define FLEET_MARK_MAX	128

/* One policy's dockward.policy against now; what names it in the message. */
static int
expiry_finding(const struct authz_policymeta *m, const char *what, time_t now,
    const char *held, struct cli_doctor_report *rep)
{
	char	when[AUTHZ_POLICYMETA_TIME_LEN], d[32], w[32];
	int64_t	left;

	authz_policymeta_time_format(m->expires, when);
	switch (authz_policymeta_expiry(m, now, &left)) {
	case AUTHZ_POLICYMETA_NO_EXPIRY:
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS, CHECK_EXPIRY,
		    "%s: serial %" PRId64 ", no expiry%s%s (a fleet policy must "
		    "have one)", what, m->serial, held[0] ? "; " : "", held);
	case AUTHZ_POLICYMETA_VALID:
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_PASS, CHECK_EXPIRY,
		    "%s: serial %" PRId64 ", expires %s (in %s)%s%s", what, m->serial,
		    when, authz_policymeta_duration(left, d, sizeof(d)),
		    held[0] ? "; " : "", held);
	case AUTHZ_POLICYMETA_EXPIRING:
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN, CHECK_EXPIRY,
		    "%s: serial %" PRId64 " expires %s, in %s (warned %s ahead)%s%s; "
		    "sign and publish a new policy with a higher serial and a later "
		    "expiry", what, m->serial, when,
		    authz_policymeta_duration(left, d, sizeof(d)),
		    authz_policymeta_duration(authz_policymeta_warn_window(m), w,
		    sizeof(w)), held[0] ? "; " : "", held);
	case AUTHZ_POLICYMETA_EXPIRED:
		return cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL, CHECK_EXPIRY,
		    "%s: serial %" PRId64 " EXPIRED %s, %s ago%s%s; dockward keeps "
		    "enforcing it as the last good policy, and a fleet host refuses "
		    "any expired policy it is served: sign and publish a new one with "
		    "a higher serial and a later expiry", what, m->serial, when,
		    authz_policymeta_duration(left, d, sizeof(d)), held[0] ? "; " : "",
		    held);
	}
	return 0;
}

int
cli_doctor_fleet_probe(const struct cli_doctor_probe_opts *o,
    const struct authz_settings *s, struct cli_doctor_report *rep)
{
	const struct cli_doctor_probe_ops	*ops = o->ops != NULL ? o->ops :
						    &cli_doctor_probe_ops_default;
	struct authz_settings			*fs = NULL;
	struct dw_err				 err;
	time_t					 now = ops->now(ops->ctx);
	char					 path[PATH_MAX], mpath[PATH_MAX];
	char					 what[PATH_MAX + 64], held[PATH_MAX + 32];
	char					*buf = NULL, *mark = NULL, *nl;
	size_t					 len, mlen;
	int					 r = 0;

	if (s != NULL && s->meta.present && (r = expiry_finding(&s->meta,
	    o->settings_path, now, "", rep)) < 0)
		return r;
	if (o->state_dir == NULL)
		return 0;
	if (snprintf(path, sizeof(path), "%s/" API_FLEET_DIR "/" API_FLEET_POLICY_NAME,
	    o->state_dir) >= (int)sizeof(path) ||
	    snprintf(mpath, sizeof(mpath), "%s/" API_FLEET_DIR "/" API_FLEET_SERIAL_NAME,
	    o->state_dir) >= (int)sizeof(mpath))
		return 0;
	if (dw_file_read_at(AT_FDCWD, path, O_NOFOLLOW | O_NOCTTY, DW_SETTINGS_MAX,
	    &buf, &len) < 0)
		return 0;	/* no fleet copy: not a --settings-url host */
	held[0] = '\0';
	if (dw_file_read_at(AT_FDCWD, mpath, O_NOFOLLOW | O_NOCTTY, FLEET_MARK_MAX,
	    &mark, &mlen) == 0) {
		if ((nl = strchr(mark, ' ')) != NULL)
			*nl = '\0';
		if (mark[0] != '\0' && strspn(mark, "0123456789") == strlen(mark))
			snprintf(held, sizeof(held), "serial held %.32s", mark);
		else
			snprintf(held, sizeof(held), "%s is garbled", mpath);
	}
	snprintf(what, sizeof(what), "fleet policy (last good copy %s)", path);
	if ((fs = authz_settings_parse(buf, len, path, &err)) == NULL)
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_FAIL, CHECK_EXPIRY,
		    "%s does not parse (%s): dockward will not start from it", what,
		    err.msg);
	else if (fs->meta.serial == 0 || fs->meta.expires == 0)
		r = cli_doctor_report_add(rep, CLI_DOCTOR_REPORT_WARN, CHECK_EXPIRY,
		    "%s has no serial or expiry (dockward.policy): it predates the "
		    "rollback protection, and the next fleet policy must carry both",
		    what);
	else
		r = expiry_finding(&fs->meta, what, now, held, rep);
	authz_settings_free(fs);
	free(buf);
	free(mark);
	return r;
}
