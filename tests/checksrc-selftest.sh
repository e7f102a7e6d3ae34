#!/bin/sh
# make check: does tests/checksrc.sh catch what it is for?  Builds two tiny
# trees in a temporary directory: a clean one, with every look-alike the
# script must let pass (a banned name in a comment, a string or a member,
# static helpers, a function named exactly after its file, main() in
# cli/main.c, tests/ including anything), and the same tree with one
# planted violation of each kind.  The clean tree must pass; the planted
# one must fail with exactly the expected lines.
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
check=$top/tests/checksrc.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/checksrc-selftest.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0

# The clean tree.
mk() {
	mkdir -p "$1/common" "$1/digest" "$1/registry" "$1/authz" "$1/api" \
	    "$1/cli" "$1/tests/unit" || exit 99
	cat >"$1/common/dw_x.h" <<'EOF'
#ifndef DW_X_H
#define DW_X_H
#include <stddef.h>
int	dw_x_len(const char *s);	/* not sprintf(buf, s) */
#endif
EOF
	cat >"$1/common/dw_x.c" <<'EOF'
/* dw_x: a leaf.  strcpy(a, b) in a comment is not a call. */
#include <string.h>
/*
#include "api/api_s.h"
*/

#include "config.h"
#include "common/dw_x.h"

struct dw_x_ops {
	int	(*system)(const char *);	/* a member named like a banned call */
};
static const struct {
	const char *name;
} table[] = {
	{ "gets(" },
};
static int	counter;
int		dw_x_calls;
const char *const dw_x_names[] = { "sprintf(", NULL };

static int
helper(const struct dw_x_ops *o)
{
	return o->system("strcat(x, y)") + (int)sizeof(table) + counter;
}

int
dw_x_len(const char *s)
{
	char	buf[8];

	snprintf(buf, sizeof(buf), "%s", s);
	(void)helper;
	return (int)strlen(buf);
}

int
dw_x(void)
{
	return 0;
}
EOF
	cat >"$1/digest/digest_a.h" <<'EOF'
#include "common/dw_x.h"
int	digest_a_get(void);
EOF
	cat >"$1/digest/digest_a.c" <<'EOF'
#include "digest/digest_a.h"
#include "digest/digest_b.h"
int
digest_a_get(void)
{
	return digest_b_get();
}
EOF
	cat >"$1/digest/digest_b.h" <<'EOF'
int	digest_b_get(void);
EOF
	cat >"$1/digest/digest_b.c" <<'EOF'
#include "digest/digest_b.h"
int
digest_b_get(void)
{
	return 1;
}
EOF
	cat >"$1/registry/registry_r.c" <<'EOF'
#include "digest/digest_a.h"
#include "common/dw_x.h"
void	registry_r_go(void);
void
registry_r_go(void)
{
}
EOF
	cat >"$1/authz/authz_z.c" <<'EOF'
#include "digest/digest_a.h"
enum authz_z_kind
authz_z_kind(void)
{
	return 0;
}
EOF
	cat >"$1/api/api_s.c" <<'EOF'
#include "authz/authz_z.h"
#include "registry/registry_r.h"
int
api_s_run(void)
{
	return 0;
}
EOF
	cat >"$1/cli/main.c" <<'EOF'
#include "api/api_s.h"
#include "cli/cli_c.h"
int
main(void)
{
	return 0;
}
EOF
	cat >"$1/tests/unit/test_x.c" <<'EOF'
#include "cli/main.c"
int
anything(void)
{
	char b[4];
	return sprintf(b, "x");
}
EOF
}

# Run checksrc on tree $1; its output in $tmp/out, its status in $rc.
run() {
	"$check" "$1" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

mk "$tmp/clean"
run "$tmp/clean"
if [ "$rc" -ne 0 ] || [ -s "$tmp/out" ]; then
	echo "FAIL: the clean tree does not pass (exit $rc):"
	cat "$tmp/out" "$tmp/err"
	fail=1
else
	echo "ok: the clean tree passes"
fi

# The planted tree: one violation of each kind.
mk "$tmp/bad"
cd "$tmp/bad" || exit 99
# layer: upward (digest includes registry), sideways (authz includes
# registry), common including the project, a header without its folder.
printf '#include "registry/registry_r.h"\n' >>digest/digest_b.c
printf '#include "registry/registry_r.h"\n' >>authz/authz_z.c
printf '#include "digest/digest_a.h"\n' >>common/dw_x.h
printf '#include "digest_b.h"\n' >>digest/digest_b.c
printf '#include "../common/dw_x.h"\n' >>digest/digest_b.c
# cycle: digest_b's header includes digest_a's, whose .c includes digest_b.h.
printf '#include "digest/digest_a.h"\n' >>digest/digest_b.h
# prefix: a public helper, a public global, and a function that belongs
# to a longer-named file of the same folder.
cat >>registry/registry_r.c <<'EOF'
int	retries = 3;
int
parse_reply(void)
{
	return 0;
}
EOF
: >authz/authz_z_more.c
cat >>authz/authz_z.c <<'EOF'
void
authz_z_more_run(void)
{
}
EOF
# banned: a call in code (the comment and string look-alikes stay).
cat >>api/api_s.c <<'EOF'
void
api_s_copy(char *d, const char *s)
{
	strcpy(d, s);	/* sprintf( here is a comment */
}
EOF
cd - >/dev/null || exit 99

cat >"$tmp/want" <<'EOF'
common/dw_x.h:6: layer: common/ includes digest/digest_a.h, which is above it (cli -> api -> {authz, registry, egress} -> digest -> common)
digest/digest_b.c:7: layer: digest/ includes registry/registry_r.h, which is above it (cli -> api -> {authz, registry, egress} -> digest -> common)
digest/digest_b.c:8: layer: "digest_b.h": name a project header with its folder ("digest/digest_b.h")
digest/digest_b.c:9: layer: "../common/dw_x.h": name a project header from the top of the tree ("dir/file.h"), not relative to this file
authz/authz_z.c:7: layer: authz/ includes registry/registry_r.h: authz and registry are side by side and never include each other
authz/authz_z.c:9: prefix: function authz_z_more_run is named after another file of authz/: define it there, or make it static
registry/registry_r.c:8: prefix: global retries is not static and not named registry_r or registry_r_...: make it static or rename it
registry/registry_r.c:10: prefix: function parse_reply is not static and not named registry_r or registry_r_...: make it static or rename it
api/api_s.c:11: banned: strcpy() is banned: use snprintf, or memcpy with a known length
digest/digest_a.c:2: cycle: digest_a -> digest_b -> digest_a
EOF
run "$tmp/bad"
if [ "$rc" -ne 1 ]; then
	echo "FAIL: the planted tree exits $rc, not 1"
	fail=1
fi
if ! diff -u "$tmp/want" "$tmp/out"; then
	echo "FAIL: checksrc does not report the planted violations as expected"
	fail=1
else
	echo "ok: every planted violation is reported, nothing else:"
	sed 's/^/  /' "$tmp/out"
fi
exit $fail
