/*
 * Unit tests for cli_report: the audit log read as dockward writes it
 * (lines made here in authz_audit's shape, audit mode's wouldDeny lines
 * too), the time range, files plain and gzipped and their rotated order,
 * the caps, lines that are no record, and the JSON's shape.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>

#include "cli/cli_report.h"
#include "common/dw_limits.h"

#define T0	"2026-12-05T10:00:00"

static const char	PROTECTED[] = "dockward: container create denied "
    "(mount.protectedPath): bind source \\\"/etc\\\" (resolved \\\"/etc\\\") is, "
    "contains or lies inside the protected host path \\\"/etc\\\". Mount a project "
    "directory instead; an admin can change dockward.protectedPaths";
static const char	PROTECTED_FIX[] = "Mount a project directory instead; an "
    "admin can change dockward.protectedPaths";
static const char	SOCKET[] = "dockward: container create denied "
    "(mount.dockerSocket): \\\"/var/run/docker.sock\\\" is the Docker socket. "
    "Not. really. If you wish to allow it, add the image to "
    "enhancedContainerIsolation.dockerSocketMount.imageList";
static const char	CONTAINER[] = ",\"caller\":{\"kind\":\"container\",\"pid\":42,"
    "\"uid\":0,\"gid\":0,\"container\":\"0123456789abcdef0123\",\"name\":\"/builder\","
    "\"image\":\"docker:27-cli\",\"creator\":{\"uid\":1000,\"name\":\"alice\"},"
    "\"actsFor\":[{\"uid\":1000,\"name\":\"alice\",\"entered\":false}]}";
static const char	HOST[] = ",\"caller\":{\"kind\":\"host\",\"pid\":7,\"uid\":1001,"
    "\"gid\":1001}";

/* One audit line as authz_audit writes it (would: audit mode's allow). */
static char *
line(const char *time, const char *decision, bool would, const char *rule,
    const char *endpoint, const char *reason, const char *caller_json)
{
	char	*s;

	assert_true(asprintf(&s, "{\"time\":\"%s\",\"source\":\"gatekeeper\","
	    "\"user\":null,\"method\":\"POST\",\"uri\":\"/v1.43/containers/create\","
	    "\"endpoint\":\"%s\",\"decision\":\"%s\",\"rule\":\"%s\",\"field\":\"\"%s,"
	    "\"reason\":\"%s\"%s}\n", time, endpoint, decision, rule,
	    would ? ",\"wouldDeny\":true" : "", reason, caller_json) > 0);
	return s;
}

static void
feed_str(struct cli_report *r, char *s)
{
	cli_report_feed(r, s, strlen(s));
	free(s);
}

static struct cli_report *
report(int64_t since, int64_t until)
{
	struct cli_report_opts	o = { .since_us = since, .until_us = until, .top = 0 };
	struct cli_report	*r;

	assert_non_null(r = cli_report_new(&o));
	return r;
}

static json_t *
as_json(const struct cli_report *r)
{
	char		*buf = NULL;
	size_t		 len = 0;
	FILE		*f;
	json_t		*j;
	json_error_t	 je;

	assert_non_null(f = open_memstream(&buf, &len));
	assert_int_equal(cli_report_print_json(r, f), 0);
	fclose(f);
	j = json_loads(buf, 0, &je);
	if (j == NULL)
		fail_msg("not JSON: %s\n%s", je.text, buf);
	free(buf);
	return j;
}

static char *
as_text(const struct cli_report *r)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f;

	assert_non_null(f = open_memstream(&buf, &len));
	assert_int_equal(cli_report_print_text(r, f), 0);
	fclose(f);
	return buf;
}

/* The entry of key in the JSON list member (rules, images, ...), or NULL. */
static json_t *
find(json_t *root, const char *member, const char *key)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(json_object_get(root, member), i, v)
		if (strcmp(json_string_value(json_object_get(v, "key")), key) == 0)
			return v;
	return NULL;
}

static long long
num(json_t *o, const char *k)
{
	json_t	*v = json_object_get(o, k);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void
test_time_parse(void **state)
{
	int64_t	t;

	(void)state;
	assert_int_equal(cli_report_time_parse(T0 ".123456Z", 27, &t), 0);
	assert_int_equal(t, 1796464800123456LL);
	assert_int_equal(cli_report_time_parse(T0 "Z", 20, &t), 0);
	assert_int_equal(t, 1796464800000000LL);
	assert_int_equal(cli_report_time_parse(T0 ".5+01:00", 27, &t), 0);
	assert_int_equal(t, 1796464800500000LL - 3600000000LL);
	assert_int_equal(cli_report_time_parse(T0 ".123456789Z", 30, &t), 0);
	assert_int_equal(t, 1796464800123456LL);
	assert_int_equal(cli_report_time_parse("1970-01-01T00:00:00Z", 20, &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(cli_report_time_parse("2024-02-29T00:00:00Z", 20, &t), 0);
	assert_int_equal(cli_report_time_parse("2023-02-29T00:00:00Z", 20, &t), -EINVAL);
	assert_int_equal(cli_report_time_parse("2026-13-05T10:00:00Z", 20, &t), -EINVAL);
	assert_int_equal(cli_report_time_parse(T0, 19, &t), -EINVAL);
	assert_int_equal(cli_report_time_parse(T0 ".Z", 21, &t), -EINVAL);
	assert_int_equal(cli_report_time_parse(T0 ".1234567890Z", 31, &t), -EINVAL);
	assert_int_equal(cli_report_time_parse(T0 "Zx", 21, &t), -EINVAL);
	assert_int_equal(cli_report_time_parse("2026-12-05 10:00:00Z", 20, &t), -EINVAL);
}

static void
test_when_parse(void **state)
{
	struct dw_err	err;
	int64_t		t;
	time_t		now = 1796464800;

	(void)state;
	assert_int_equal(cli_report_when_parse("24h", now, &t, &err), 0);
	assert_int_equal(t, (now - 86400) * 1000000LL);
	assert_int_equal(cli_report_when_parse("1h30m", now, &t, &err), 0);
	assert_int_equal(t, (now - 5400) * 1000000LL);
	assert_int_equal(cli_report_when_parse("2w", now, &t, &err), 0);
	assert_int_equal(t, (now - 14 * 86400) * 1000000LL);
	assert_int_equal(cli_report_when_parse("90s", now, &t, &err), 0);
	assert_int_equal(t, (now - 90) * 1000000LL);
	assert_int_equal(cli_report_when_parse("2026-12-05", now, &t, &err), 0);
	assert_int_equal(t, 1796428800000000LL);
	assert_int_equal(cli_report_when_parse(T0 "Z", now, &t, &err), 0);
	assert_int_equal(t, 1796464800000000LL);
	assert_int_equal(cli_report_when_parse("24", now, &t, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "neither a duration"));
	assert_int_equal(cli_report_when_parse("h", now, &t, &err), -EINVAL);
	assert_int_equal(cli_report_when_parse("", now, &t, &err), -EINVAL);
	assert_int_equal(cli_report_when_parse("-1h", now, &t, &err), -EINVAL);
	assert_int_equal(cli_report_when_parse("99999999999999999999h", now, &t, &err),
	    -EINVAL);
}

/* The known mix: 2 allows, 3 would-deny, 4 denies over two rules, three callers. */
static void
feed_mix(struct cli_report *r)
{
	feed_str(r, line(T0 ".000001Z", "allow", false, "allow", "container.list", "", ""));
	feed_str(r, line(T0 ".000002Z", "allow", false, "allow", "container.create", "", HOST));
	feed_str(r, line(T0 ".000003Z", "allow", true, "mount.protectedPath",
	    "container.create", PROTECTED, CONTAINER));
	feed_str(r, line(T0 ".000004Z", "allow", true, "mount.protectedPath",
	    "container.create", PROTECTED, CONTAINER));
	feed_str(r, line(T0 ".000005Z", "allow", true, "mount.dockerSocket",
	    "container.create", SOCKET, HOST));
	feed_str(r, line(T0 ".000006Z", "deny", false, "mount.protectedPath",
	    "container.create", PROTECTED, ""));
	feed_str(r, line(T0 ".000007Z", "deny", false, "mount.dockerSocket",
	    "container.create", SOCKET, CONTAINER));
	feed_str(r, line(T0 ".000008Z", "deny", false, "mount.dockerSocket",
	    "service.create", SOCKET, HOST));
	feed_str(r, line("2026-12-05T11:00:00.000000+01:00", "deny", false,
	    "mount.dockerSocket", "container.create", SOCKET, HOST));
}

static void
test_aggregate(void **state)
{
	struct cli_report_totals	 t;
	struct cli_report		*r = report(CLI_REPORT_NO_SINCE, CLI_REPORT_NO_UNTIL);
	json_t				*j, *e, *fixes, *f;

	(void)state;
	feed_mix(r);
	cli_report_feed_end(r);
	cli_report_totals(r, &t);
	assert_int_equal(t.lines, 9);
	assert_int_equal(t.records, 9);
	assert_int_equal(t.allow, 2);
	assert_int_equal(t.would_deny, 3);
	assert_int_equal(t.deny, 4);
	assert_int_equal(t.malformed, 0);

	j = as_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "first")), T0 ".000000Z");
	assert_string_equal(json_string_value(json_object_get(j, "last")), T0 ".000008Z");
	/* By rule, most first, with the fix (the last sentence) and an example. */
	e = json_array_get(json_object_get(j, "rules"), 0);
	assert_string_equal(json_string_value(json_object_get(e, "key")), "mount.dockerSocket");
	assert_int_equal(num(e, "wouldDeny"), 1);
	assert_int_equal(num(e, "deny"), 3);
	e = find(j, "rules", "mount.protectedPath");
	assert_non_null(e);
	assert_int_equal(num(e, "wouldDeny"), 2);
	assert_int_equal(num(e, "deny"), 1);
	fixes = json_object_get(e, "fixes");
	assert_int_equal(json_array_size(fixes), 1);
	f = json_array_get(fixes, 0);
	assert_string_equal(json_string_value(json_object_get(f, "fix")), PROTECTED_FIX);
	assert_non_null(strstr(json_string_value(json_object_get(f, "example")),
	    "bind source \"/etc\""));
	assert_int_equal(strncmp(json_string_value(json_object_get(f, "example")),
	    "bind source", 11), 0);
	assert_int_equal(num(f, "wouldDeny"), 2);
	assert_int_equal(num(f, "deny"), 1);
	/* The socket's fix: the sentence after the last ". X" outside quotes. */
	f = json_array_get(json_object_get(find(j, "rules", "mount.dockerSocket"), "fixes"), 0);
	assert_string_equal(json_string_value(json_object_get(f, "fix")),
	    "If you wish to allow it, add the image to "
	    "enhancedContainerIsolation.dockerSocketMount.imageList");
	/* By image: the calling container's; none for the others. */
	e = find(j, "images", "docker:27-cli");
	assert_int_equal(num(e, "wouldDeny"), 2);
	assert_int_equal(num(e, "deny"), 1);
	e = find(j, "images", "(unknown)");
	assert_int_equal(num(e, "wouldDeny"), 1);
	assert_int_equal(num(e, "deny"), 3);
	/* By caller. */
	e = find(j, "callers", "container builder (creator alice)");
	assert_non_null(e);
	assert_int_equal(num(e, "wouldDeny") + num(e, "deny"), 3);
	e = find(j, "callers", "host uid 1001");
	assert_int_equal(num(e, "wouldDeny"), 1);
	assert_int_equal(num(e, "deny"), 2);
	e = find(j, "callers", "(unknown)");
	assert_int_equal(num(e, "deny"), 1);
	/* By command. */
	e = find(j, "commands", "container.create");
	assert_int_equal(num(e, "wouldDeny"), 3);
	assert_int_equal(num(e, "deny"), 3);
	e = find(j, "commands", "service.create");
	assert_int_equal(num(e, "deny"), 1);
	assert_null(find(j, "commands", "container.list"));
	json_decref(j);
	cli_report_free(r);
}

static void
test_since_until(void **state)
{
	struct cli_report_totals	 t;
	struct cli_report		*r;
	int64_t				 since, until;

	(void)state;
	assert_int_equal(cli_report_time_parse(T0 ".000003Z", 27, &since), 0);
	assert_int_equal(cli_report_time_parse(T0 ".000007Z", 27, &until), 0);
	r = report(since, until);
	feed_mix(r);
	cli_report_feed_end(r);
	cli_report_totals(r, &t);
	/* .000003 .. .000006: 3 would-deny, 1 deny; the rest out of range. */
	assert_int_equal(t.records, 4);
	assert_int_equal(t.would_deny, 3);
	assert_int_equal(t.deny, 1);
	assert_int_equal(t.allow, 0);
	assert_int_equal(t.out_of_range, 5);
	cli_report_free(r);
}

/* Fed a byte at a time, lines spanning feeds; no newline at the end. */
static void
test_split_feeds(void **state)
{
	struct cli_report_totals	 t;
	struct cli_report		*r = report(CLI_REPORT_NO_SINCE, CLI_REPORT_NO_UNTIL);
	char				*a = line(T0 "Z", "deny", false, "x", "e", "m", "");
	char				*b = line(T0 "Z", "allow", true, "x", "e", "m", "");
	size_t				 i;

	(void)state;
	for (i = 0; a[i] != '\0'; i++)
		cli_report_feed(r, a + i, 1);
	b[strlen(b) - 1] = '\0';
	for (i = 0; b[i] != '\0'; i++)
		cli_report_feed(r, b + i, 1);
	cli_report_totals(r, &t);
	assert_int_equal(t.records, 1);
	cli_report_feed_end(r);
	cli_report_totals(r, &t);
	assert_int_equal(t.records, 2);
	assert_int_equal(t.deny, 1);
	assert_int_equal(t.would_deny, 1);
	free(a);
	free(b);
	cli_report_free(r);
}

static void
test_malformed(void **state)
{
	static const char	bad[] =
	    "not json\n"
	    "{\"time\":\"yesterday\",\"decision\":\"deny\"}\n"
	    "{\"time\":\"" T0 "Z\"}\n"
	    "{\"time\":\"" T0 "Z\",\"decision\":\"maybe\"}\n"
	    "[\"time\",\"decision\"]\n"
	    "{\"time\":\"" T0 "Z\",\"decision\":\"deny\",\"decision\":\"allow\"}\n"
	    "{\"time\":\"" T0 "Z\",\"decision\":\"deny\"\n"
	    "\n"
	    "  \r\n"
	    "{\"time\":\"" T0 "Z\",\"decision\":\"deny\",\"rule\":7,\"caller\":\"x\"}\r\n"
	    "{\"time\":\"" T0 "Z\",\"event\":\"egress\",\"action\":\"refuse\"}\n";
	struct cli_report_totals	 t;
	struct cli_report		*r = report(CLI_REPORT_NO_SINCE, CLI_REPORT_NO_UNTIL);
	char				*big;
	json_t				*j;
	size_t				 n = DW_REPORT_LINE_MAX + 10;

	(void)state;
	cli_report_feed(r, bad, sizeof(bad) - 1);
	/* Over the limit, fed in pieces: skipped and counted, the next line read. */
	assert_non_null(big = malloc(n));
	memset(big, 'x', n);
	cli_report_feed(r, big, n / 2);
	cli_report_feed(r, big, n - n / 2);
	cli_report_feed(r, "\n", 1);
	/* Exactly at the limit: read (and not a record). */
	cli_report_feed(r, big, DW_REPORT_LINE_MAX);
	cli_report_feed(r, "\n", 1);
	/* Over it without a newline, at the end. */
	cli_report_feed(r, big, n);
	cli_report_feed_end(r);
	free(big);
	cli_report_totals(r, &t);
	assert_int_equal(t.lines, 11 + 3);
	assert_int_equal(t.malformed, 7 + 1);
	assert_int_equal(t.events, 1);
	assert_int_equal(t.too_long, 2);
	assert_int_equal(t.records, 1);
	assert_int_equal(t.deny, 1);
	j = as_json(r);
	assert_non_null(find(j, "rules", "(none)"));
	assert_non_null(find(j, "callers", "(unknown)"));
	json_decref(j);
	cli_report_free(r);
}

/* Past a cap, keys count as other, and say so. */
static void
test_caps(void **state)
{
	struct cli_report_totals	 t;
	struct cli_report		*r = report(CLI_REPORT_NO_SINCE, CLI_REPORT_NO_UNTIL);
	char				 caller[256], rule[64], reason[128], *text;
	json_t				*j, *o, *e;
	int				 i;

	(void)state;
	for (i = 0; i < DW_REPORT_KEYS_MAX + 5; i++) {
		snprintf(caller, sizeof(caller), ",\"caller\":{\"kind\":\"container\","
		    "\"pid\":1,\"uid\":0,\"gid\":0,\"name\":\"/c%d\",\"image\":\"img%d\"}", i, i);
		snprintf(rule, sizeof(rule), "rule.%d", i % (DW_REPORT_RULES_MAX + 2));
		/* One rule gets more distinct fixes than are kept. */
		snprintf(reason, sizeof(reason), "dockward: x denied (r): why. Fix %d", i % 7);
		feed_str(r, line(T0 "Z", i % 2 ? "deny" : "allow", i % 2 == 0, rule,
		    "container.create", reason, caller));
	}
	/* One rule gets more distinct fixes than are kept. */
	for (i = 0; i < DW_REPORT_FIXES_MAX + 3; i++) {
		snprintf(reason, sizeof(reason), "dockward: x denied (r): why. Fix number %d", i);
		feed_str(r, line(T0 "Z", "deny", false, "rule.0", "container.create", reason, ""));
	}
	cli_report_feed_end(r);
	cli_report_totals(r, &t);
	assert_int_equal(t.deny + t.would_deny, DW_REPORT_KEYS_MAX + 5 + DW_REPORT_FIXES_MAX + 3);
	j = as_json(r);
	assert_int_equal(json_array_size(json_object_get(j, "images")), DW_REPORT_KEYS_MAX);
	o = json_object_get(json_object_get(j, "other"), "images");
	assert_true(json_is_true(json_object_get(o, "capped")));
	/* 5 past the cap, and the fix loop's lines have no image: "(unknown)", past it too. */
	assert_int_equal(num(o, "wouldDeny") + num(o, "deny"), 5 + DW_REPORT_FIXES_MAX + 3);
	assert_int_equal(num(o, "max"), DW_REPORT_KEYS_MAX);
	o = json_object_get(json_object_get(j, "other"), "rules");
	assert_true(json_is_true(json_object_get(o, "capped")));
	assert_int_equal(json_array_size(json_object_get(j, "rules")), DW_REPORT_RULES_MAX);
	o = json_object_get(json_object_get(j, "other"), "commands");
	assert_false(json_is_true(json_object_get(o, "capped")));
	e = find(j, "rules", "rule.0");
	assert_int_equal(json_array_size(json_object_get(e, "fixes")), DW_REPORT_FIXES_MAX);
	o = json_object_get(e, "otherFixes");
	assert_int_equal(num(o, "wouldDeny"), 0);
	/* rule.0's 16 would-deny of the first loop gave 7 fixes ("Fix 0".."Fix 6"). */
	assert_int_equal(num(o, "deny"), DW_REPORT_FIXES_MAX + 3 - (DW_REPORT_FIXES_MAX - 7));
	json_decref(j);
	text = as_text(r);
	assert_non_null(strstr(text, "(other: past the first 4096 distinct"));
	assert_non_null(strstr(text, "more with other fixes (only 16 kept per rule)"));
	free(text);
	cli_report_free(r);
}

/* --top cuts the lists (the text's default); the JSON says how many there were. */
static void
test_top_and_text(void **state)
{
	struct cli_report_opts	 o = { .since_us = CLI_REPORT_NO_SINCE,
	    .until_us = CLI_REPORT_NO_UNTIL, .top = 1 };
	struct cli_report	*r;
	json_t			*j, *d;
	char			*text;

	(void)state;
	assert_non_null(r = cli_report_new(&o));
	feed_mix(r);
	/* A control character in a key is shown escaped, not sent to the terminal. */
	feed_str(r, line(T0 "Z", "deny", false, "evil\\u001b[31m", "x", "m", ""));
	cli_report_feed_end(r);
	j = as_json(r);
	assert_int_equal(json_array_size(json_object_get(j, "rules")), 1);
	d = json_object_get(json_object_get(j, "other"), "rules");
	assert_int_equal(num(d, "distinct"), 3);
	assert_int_equal(num(d, "shown"), 1);
	json_decref(j);
	cli_report_free(r);

	o.top = 0;
	assert_non_null(r = cli_report_new(&o));
	feed_mix(r);
	feed_str(r, line(T0 "Z", "deny", false, "evil\\u001b[31m", "x", "m", ""));
	cli_report_feed_end(r);
	text = as_text(r);
	assert_non_null(strstr(text, "records:  10: 2 allowed, 3 would be denied (audit "
	    "mode), 5 denied\n"));
	assert_non_null(strstr(text, "          2         1  mount.protectedPath\n"));
	assert_non_null(strstr(text, "fix (3): Mount a project directory instead"));
	assert_non_null(strstr(text, "evil\\x1b[31m"));
	assert_null(strchr(text, '\033'));
	free(text);
	cli_report_free(r);
}

/* The JSON's documented members and their types. */
static void
test_json_shape(void **state)
{
	static const char *const top[] = { "version", "since", "until", "first", "last",
	    "files", "totals", "rules", "images", "callers", "commands", "other", NULL };
	static const char *const totals[] = { "lines", "records", "allow", "wouldDeny",
	    "deny", "events", "malformed", "tooLong", "outOfRange", "filesSkipped", "readErrors", NULL };
	struct cli_report	*r;
	json_t			*j, *e, *v;
	const char		*k;
	size_t			 i;

	(void)state;
	assert_int_equal(cli_report_time_parse(T0 "Z", 20, &(int64_t){ 0 }), 0);
	r = report(1796464800000000LL, CLI_REPORT_NO_UNTIL);
	feed_mix(r);
	cli_report_feed_end(r);
	j = as_json(r);
	for (i = 0; top[i] != NULL; i++)
		assert_non_null(json_object_get(j, top[i]));
	assert_int_equal(json_object_size(j), i);
	assert_int_equal(num(j, "version"), 1);
	assert_string_equal(json_string_value(json_object_get(j, "since")), T0 ".000000Z");
	assert_true(json_is_null(json_object_get(j, "until")));
	assert_true(json_is_array(json_object_get(j, "files")));
	for (i = 0; totals[i] != NULL; i++)
		assert_true(json_is_integer(json_object_get(json_object_get(j, "totals"),
		    totals[i])));
	assert_int_equal(json_object_size(json_object_get(j, "totals")), i);
	json_object_foreach(json_object_get(j, "other"), k, v) {
		assert_true(json_is_integer(json_object_get(v, "wouldDeny")));
		assert_true(json_is_integer(json_object_get(v, "deny")));
		assert_true(json_is_boolean(json_object_get(v, "capped")));
	}
	e = json_array_get(json_object_get(j, "rules"), 0);
	assert_true(json_is_string(json_object_get(e, "key")));
	assert_true(json_is_array(json_object_get(e, "fixes")));
	assert_true(json_is_object(json_object_get(e, "otherFixes")));
	e = json_array_get(json_object_get(j, "images"), 0);
	assert_int_equal(json_object_size(e), 3);
	json_decref(j);
	cli_report_free(r);
}

/* ------------------------------------------------------------ files */

static char	tmpdir[64];

static int
setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_cli_report.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown_dir(void **state)
{
	struct dirent	*de;
	DIR		*d;

	(void)state;
	if ((d = opendir(tmpdir)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.')
				(void)unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	return rmdir(tmpdir);
}

static void
write_plain(const char *name, const char *text)
{
	char	 path[PATH_MAX];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* text gzipped into tmpdir/name, with libarchive's raw writer. */
static void
write_gz(const char *name, const char *text)
{
	struct archive		*a;
	struct archive_entry	*e;
	char			 path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_non_null(a = archive_write_new());
	assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	assert_non_null(e = archive_entry_new());
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_pathname(e, "audit.log");
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, text, strlen(text)), (la_ssize_t)strlen(text));
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static void
set_mtime(const char *name, time_t t)
{
	struct timespec	ts[2] = { { t, 0 }, { t, 0 } };
	char		path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static char *
lines2(const char *t1, const char *d1, const char *t2, const char *d2)
{
	char	*a = line(t1, d1, false, "r", "e", "m", "");
	char	*b = line(t2, d2, false, "r", "e", "m", "");
	char	*s;

	assert_true(asprintf(&s, "%s%s", a, b) > 0);
	free(a);
	free(b);
	return s;
}

/* Rotated siblings oldest first (numbers, not text order), plain and gzipped, then the log. */
static void
test_files_rotated(void **state)
{
	struct cli_report_totals	 t;
	struct cli_report		*r;
	struct dw_strv			 v = { 0 };
	struct dw_err			 err;
	char				 base[PATH_MAX], want[PATH_MAX], *s;
	json_t				*j;
	size_t				 i;
	static const char *const order[] = { "audit.log.10.gz", "audit.log.2.gz",
	    "audit.log.1", "audit.log" };

	(void)state;
	snprintf(base, sizeof(base), "%s/audit.log", tmpdir);
	s = lines2("2026-12-01T00:00:00Z", "deny", "2026-12-01T00:00:01Z", "allow");
	write_gz("audit.log.10.gz", s);
	free(s);
	s = lines2("2026-12-02T00:00:00Z", "deny", "2026-12-02T00:00:01Z", "deny");
	write_gz("audit.log.2.gz", s);
	free(s);
	s = lines2("2026-12-03T00:00:00Z", "allow", "2026-12-03T00:00:01Z", "deny");
	write_plain("audit.log.1", s);
	free(s);
	s = lines2("2026-12-04T00:00:00Z", "deny", "2026-12-04T00:00:01Z", "allow");
	write_plain("audit.log", s);
	free(s);
	/* Not of the log: other names and extensions. */
	write_plain("audit.log.old", "x\n");
	write_plain("audit.log.3.tmp", "x\n");
	write_plain("audit.logx.4", "x\n");
	write_plain("other.log.1", "x\n");

	assert_int_equal(cli_report_files(base, &v, &err), 0);
	assert_int_equal(v.n, 4);
	for (i = 0; i < 4; i++) {
		snprintf(want, sizeof(want), "%s/%s", tmpdir, order[i]);
		assert_string_equal(v.v[i], want);
	}
	r = report(CLI_REPORT_NO_SINCE, CLI_REPORT_NO_UNTIL);
	for (i = 0; i < v.n; i++)
		assert_int_equal(cli_report_read(r, v.v[i], &err), 0);
	cli_report_totals(r, &t);
	assert_int_equal(t.lines, 8);
	assert_int_equal(t.records, 8);
	assert_int_equal(t.deny, 5);
	assert_int_equal(t.allow, 3);
	assert_int_equal(t.files_skipped, 0);
	j = as_json(r);
	assert_int_equal(json_array_size(json_object_get(j, "files")), 4);
	assert_int_equal(num(json_array_get(json_object_get(j, "files"), 0), "lines"), 2);
	assert_string_equal(json_string_value(json_object_get(j, "first")),
	    "2026-12-01T00:00:00.000000Z");
	assert_string_equal(json_string_value(json_object_get(j, "last")),
	    "2026-12-04T00:00:01.000000Z");
	json_decref(j);
	cli_report_free(r);

	/*
	 * --since 2026-12-03T12:00: the .10.gz and .2.gz by their mtime, the
	 * plain .1 by its last line, are skipped unread; the log is read.
	 */
	set_mtime("audit.log.10.gz", 1796083201);	/* 2026-12-01T00:00:01Z */
	set_mtime("audit.log.2.gz", 1796169601);
	r = report(1796299200000000LL, CLI_REPORT_NO_UNTIL);
	for (i = 0; i < v.n; i++)
		assert_int_equal(cli_report_read(r, v.v[i], &err), 0);
	cli_report_totals(r, &t);
	assert_int_equal(t.files_skipped, 3);
	assert_int_equal(t.lines, 2);
	assert_int_equal(t.records, 2);
	cli_report_free(r);
	/* A .gz whose mtime is recent is read, and its old lines counted out of range. */
	set_mtime("audit.log.2.gz", time(NULL));
	r = report(1796299200000000LL, CLI_REPORT_NO_UNTIL);
	for (i = 0; i < v.n; i++)
		assert_int_equal(cli_report_read(r, v.v[i], &err), 0);
	cli_report_totals(r, &t);
	assert_int_equal(t.files_skipped, 2);
	assert_int_equal(t.out_of_range, 2);
	assert_int_equal(t.records, 2);
	cli_report_free(r);
	dw_strv_clear(&v);

	/* A log that is not there. */
	snprintf(base, sizeof(base), "%s/nothing.log", tmpdir);
	assert_int_equal(cli_report_files(base, &v, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no audit log at"));
	assert_int_equal(v.n, 0);
}

/* A truncated .gz: what was read counts, the error is said and noted. */
static void
test_files_broken(void **state)
{
	struct cli_report_totals	 t;
	struct cli_report		*r;
	struct dw_err			 err;
	char				 path[PATH_MAX], *s, *text;
	struct stat			 st;
	json_t				*j;
	size_t				 i;

	(void)state;
	/* Enough lines that the cut falls after some were decompressed. */
	for (i = 0, s = NULL; i < 2000; i++) {
		char	*l = line(T0 "Z", "deny", false, "r", "e", "m", ""), *n;

		assert_true(asprintf(&n, "%s%s", s ? s : "", l) > 0);
		free(s);
		free(l);
		s = n;
	}
	write_gz("cut.gz", s);
	free(s);
	snprintf(path, sizeof(path), "%s/cut.gz", tmpdir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(truncate(path, st.st_size - 20), 0);
	r = report(CLI_REPORT_NO_SINCE, CLI_REPORT_NO_UNTIL);
	assert_true(cli_report_read(r, path, &err) < 0);
	assert_non_null(strstr(err.msg, "cut.gz"));
	cli_report_totals(r, &t);
	assert_int_equal(t.read_errors, 1);
	j = as_json(r);
	assert_true(json_is_string(json_object_get(json_array_get(json_object_get(j,
	    "files"), 0), "error")));
	json_decref(j);
	text = as_text(r);
	assert_non_null(strstr(text, "NOT READ WHOLE"));
	assert_non_null(strstr(text, "the counts are short"));
	free(text);
	/* A missing file. */
	snprintf(path, sizeof(path), "%s/absent", tmpdir);
	assert_int_equal(cli_report_read(r, path, &err), -ENOENT);
	cli_report_free(r);
}

/* Usage errors exit 2 before reading anything. */
static void
test_main_usage(void **state)
{
	char	*a1[] = { "report", "--top", "x", NULL };
	char	*a2[] = { "report", "--top", "-1", NULL };
	char	*a3[] = { "report", "--since", "yesterday", NULL };
	char	*a4[] = { "report", "--until", "", NULL };
	char	*a5[] = { "report", "--log", "/nonexistent/audit.log", "/dev/null", NULL };
	char	*a6[] = { "report", "--bogus", NULL };

	(void)state;
	assert_int_equal(cli_report_main(3, a1), 2);
	assert_int_equal(cli_report_main(3, a2), 2);
	assert_int_equal(cli_report_main(3, a3), 2);
	assert_int_equal(cli_report_main(3, a4), 2);
	assert_int_equal(cli_report_main(4, a5), 2);
	assert_int_equal(cli_report_main(2, a6), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_when_parse),
		cmocka_unit_test(test_aggregate),
		cmocka_unit_test(test_since_until),
		cmocka_unit_test(test_split_feeds),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_top_and_text),
		cmocka_unit_test(test_json_shape),
		cmocka_unit_test(test_main_usage),
		cmocka_unit_test_setup_teardown(test_files_rotated, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_files_broken, setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
