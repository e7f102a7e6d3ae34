/*
 * authz_policymeta: dockward.policy, a policy's serial and validity
 * period (see authz_policymeta.h).  The rules take the clock as an
 * argument, so tests move time instead of waiting for it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/dw_esc.h"
#include "common/dw_time.h"
#include "authz/authz_json.h"
#include "authz/authz_policymeta.h"
#include "authz/authz_warn.h"

#define PM_PATH_MAX	256
#define PM_ESC_MAX	100	/* one quoted value in a message */

/* n decimal digits at s (exactly), as a number; -1 when one is not a digit. */
static int
digits(const char *s, int n)
{
	int	v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
authz_policymeta_time_parse(const char *s, time_t *ret)
{
	static const unsigned char mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int		 y, mo, d, h, mi, sec;
	const char	*p;
	bool		 leap;

	if (s == NULL || strlen(s) < 20)
		return -EINVAL;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 1970 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':' || mo < 1 || mo > 12 || d < 1 ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
		return -EINVAL;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
		return -EINVAL;
	p = s + 19;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -EINVAL;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	/* UTC only: an offset would make two spellings of one instant. */
	if ((*p != 'Z' && *p != 'z') || p[1] != '\0')
		return -EINVAL;
	*ret = (time_t)(dw_time_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + sec);
	return 0;
}

const char *
authz_policymeta_time_format(time_t t, char buf[AUTHZ_POLICYMETA_TIME_LEN])
{
	struct tm	tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, AUTHZ_POLICYMETA_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, AUTHZ_POLICYMETA_TIME_LEN, "never");
	return buf;
}

/* One of "issued", "expires": a string in RFC 3339 UTC. */
static int
get_time(const json_t *v, const char *path, time_t *ret, struct dw_err *err)
{
	char	q[PM_ESC_MAX];

	if (!json_is_string(v))
		return authz_json_type_error(err, path, "a time in RFC 3339 UTC "
		    "(\"2027-01-05T00:00:00Z\")", v);
	/* A NUL inside the string would hide what follows it. */
	if (strlen(json_string_value(v)) != json_string_length(v) ||
	    authz_policymeta_time_parse(json_string_value(v), ret) < 0) {
		dw_esc(q, sizeof(q), json_string_value(v), (size_t)-1);
		dw_err_set(err, "%s: \"%s\" is not a time in RFC 3339 UTC; write "
		    "it as \"2027-01-05T00:00:00Z\" (UTC, ending in Z, year 1970 "
		    "or later)", path, q);
		return -EINVAL;
	}
	return 0;
}

int
authz_policymeta_parse(const json_t *v, const char *path,
    struct authz_policymeta *ret, struct dw_strv *warnings, struct dw_err *err)
{
	struct authz_policymeta	 m = { .present = true };
	const char		*key;
	json_t			*item;
	char			 kpath[PM_PATH_MAX], q[PM_ESC_MAX];
	char			 a[AUTHZ_POLICYMETA_TIME_LEN];
	char			 b[AUTHZ_POLICYMETA_TIME_LEN];
	int			 r;

	if (!json_is_object(v))
		return authz_json_type_error(err, path, "an object", v);
	/* json_object_foreach wants a non-const object; it does not change it. */
	json_object_foreach((json_t *)v, key, item) {
		dw_esc(q, sizeof(q), key, (size_t)-1);
		snprintf(kpath, sizeof(kpath), "%s.%s", path, q);
		if (strcmp(key, "serial") == 0) {
			if (!json_is_integer(item) || json_integer_value(item) < 1) {
				dw_err_set(err, "%s: must be a whole number from 1 to "
				    "%" PRId64 " (raise it with every policy you sign)",
				    kpath, INT64_MAX);
				return -EINVAL;
			}
			m.serial = (int64_t)json_integer_value(item);
		} else if (strcmp(key, "issued") == 0) {
			if ((r = get_time(item, kpath, &m.issued, err)) < 0)
				return r;
		} else if (strcmp(key, "expires") == 0) {
			if ((r = get_time(item, kpath, &m.expires, err)) < 0)
				return r;
		} else if ((r = authz_warn(warnings, err, "unknown key %s, ignored",
		    kpath)) < 0)
			return r;
	}
	if (m.issued != 0 && m.expires != 0 && m.expires <= m.issued) {
		dw_err_set(err, "%s.expires (%s) must be after %s.issued (%s)", path,
		    authz_policymeta_time_format(m.expires, a), path,
		    authz_policymeta_time_format(m.issued, b));
		return -EINVAL;
	}
	*ret = m;
	return 0;
}

int
authz_policymeta_require(const struct authz_policymeta *m, struct dw_err *err)
{
	const char	*what;

	if (m->serial != 0 && m->expires != 0)
		return 0;
	what = m->serial == 0 && m->expires == 0 ? "a serial and an expiry" :
	    m->serial == 0 ? "a serial" : "an expiry";
	dw_err_set(err, "a fleet policy must carry %s, so that an older or "
	    "outdated signed copy cannot be served in its place; add "
	    "\"dockward\": {\"policy\": {\"serial\": N, \"expires\": "
	    "\"YYYY-MM-DDTHH:MM:SSZ\"}} with N higher than the last policy's, "
	    "then sign the file again", what);
	return -EINVAL;
}

int
authz_policymeta_check_serial(int64_t held, const struct authz_policymeta *next,
    bool same_bytes, struct dw_err *err)
{
	if (held == 0 || next->serial > held || (next->serial == held && same_bytes))
		return 0;
	if (next->serial == held)
		dw_err_set(err, "serial %" PRId64 " is the serial of the policy in "
		    "force, but the bytes differ: a changed policy needs a higher "
		    "serial", next->serial);
	else
		dw_err_set(err, "serial %" PRId64 " is lower than %" PRId64 ", the "
		    "serial of the policy held: an older policy (rollback)",
		    next->serial, held);
	return -EPERM;
}

long
authz_policymeta_warn_window(const struct authz_policymeta *m)
{
	int64_t	life;

	if (m->issued != 0 && m->expires > m->issued) {
		life = ((int64_t)m->expires - (int64_t)m->issued) / AUTHZ_POLICYMETA_WARN_DIV;
		if (life < AUTHZ_POLICYMETA_WARN_S)
			return (long)life;
	}
	return AUTHZ_POLICYMETA_WARN_S;
}

enum authz_policymeta_expiry
authz_policymeta_expiry(const struct authz_policymeta *m, time_t now, int64_t *ret_left)
{
	int64_t	left;

	if (ret_left != NULL)
		*ret_left = 0;
	if (m == NULL || m->expires == 0)
		return AUTHZ_POLICYMETA_NO_EXPIRY;
	left = (int64_t)m->expires - (int64_t)now;
	if (ret_left != NULL)
		*ret_left = left;
	if (left <= 0)
		return AUTHZ_POLICYMETA_EXPIRED;
	if (left <= authz_policymeta_warn_window(m))
		return AUTHZ_POLICYMETA_EXPIRING;
	return AUTHZ_POLICYMETA_VALID;
}

const char *
authz_policymeta_expiry_name(enum authz_policymeta_expiry e)
{
	switch (e) {
	case AUTHZ_POLICYMETA_NO_EXPIRY:	return "no_expiry";
	case AUTHZ_POLICYMETA_VALID:		return "valid";
	case AUTHZ_POLICYMETA_EXPIRING:		return "expiring";
	case AUTHZ_POLICYMETA_EXPIRED:		return "expired";
	}
	return "?";
}

const char *
authz_policymeta_duration(int64_t secs, char *buf, size_t bufsz)
{
	uint64_t	s = secs < 0 ? (uint64_t)0 - (uint64_t)secs : (uint64_t)secs;

	if (s >= 86400)
		snprintf(buf, bufsz, "%" PRIu64 "d %" PRIu64 "h", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, bufsz, "%" PRIu64 "h %" PRIu64 "m", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, bufsz, "%" PRIu64 "m %" PRIu64 "s", s / 60, s % 60);
	else
		snprintf(buf, bufsz, "%" PRIu64 "s", s);
	return buf;
}

void
authz_policymeta_print(const struct authz_policymeta *m, time_t now, FILE *out)
{
	char	a[AUTHZ_POLICYMETA_TIME_LEN], b[AUTHZ_POLICYMETA_TIME_LEN], d[32], w[32];
	int64_t	left;

	if (m->serial == 0 && m->expires == 0) {
		fprintf(out, "policy serial and expiry: none (dockward.policy); fine "
		    "for a local file, but a fleet policy (--settings-url) is "
		    "refused without \"serial\" and \"expires\"\n");
		if (m->issued != 0)
			fprintf(out, "  issued %s\n", authz_policymeta_time_format(m->issued, a));
		return;
	}
	if (m->serial != 0)
		fprintf(out, "policy serial: %" PRId64 "\n", m->serial);
	else
		fprintf(out, "policy serial: none (a fleet policy is refused without "
		    "dockward.policy.serial)\n");
	if (m->issued != 0)
		fprintf(out, "policy issued: %s\n", authz_policymeta_time_format(m->issued, a));
	switch (authz_policymeta_expiry(m, now, &left)) {
	case AUTHZ_POLICYMETA_NO_EXPIRY:
		fprintf(out, "policy expires: never (a fleet policy is refused without "
		    "dockward.policy.expires)\n");
		break;
	case AUTHZ_POLICYMETA_VALID:
		fprintf(out, "policy expires: %s (in %s)\n",
		    authz_policymeta_time_format(m->expires, b),
		    authz_policymeta_duration(left, d, sizeof(d)));
		break;
	case AUTHZ_POLICYMETA_EXPIRING:
		fprintf(out, "policy expires: %s (in %s)\n",
		    authz_policymeta_time_format(m->expires, b),
		    authz_policymeta_duration(left, d, sizeof(d)));
		fprintf(out, "warning: dockward.policy.expires: the policy expires in "
		    "%s (warned %s ahead); sign a new one with a higher serial and "
		    "a later expiry\n", d, authz_policymeta_duration(
		    authz_policymeta_warn_window(m), w, sizeof(w)));
		break;
	case AUTHZ_POLICYMETA_EXPIRED:
		fprintf(out, "policy expires: %s (EXPIRED %s ago)\n",
		    authz_policymeta_time_format(m->expires, b),
		    authz_policymeta_duration(left, d, sizeof(d)));
		fprintf(out, "warning: dockward.policy.expires: the policy expired %s "
		    "ago; a fleet host refuses it (and keeps enforcing its last good "
		    "policy); sign a new one with a higher serial and a later "
		    "expiry\n", d);
		break;
	}
}
