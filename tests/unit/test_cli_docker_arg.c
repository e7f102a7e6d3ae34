/*
 * Unit tests for cli_docker_arg: pflag's spellings (--long=v, --long v,
 * -s v, -sv, -s=v, bundled booleans, --bool=false, "--"), the first
 * argument ending the flags or not, the errors that name the flag, and
 * the getters (last value wins, lists keep their order).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli/cli_docker_arg.h"

enum { F_DETACH = 1, F_TTY, F_NAME, F_ENV, F_PUBLISH };

static const struct cli_docker_arg_flag tab[] = {
	{ "detach", 'd', CLI_DOCKER_ARG_BOOL, F_DETACH, NULL },
	{ "tty", 't', CLI_DOCKER_ARG_BOOL, F_TTY, NULL },
	{ "name", 0, CLI_DOCKER_ARG_STR, F_NAME, NULL },
	{ "env", 'e', CLI_DOCKER_ARG_LIST, F_ENV, NULL },
	{ "publish", 'p', CLI_DOCKER_ARG_LIST, F_PUBLISH, NULL },
	{ NULL }
};

/* Parse a NULL-terminated argument list (after the command) into a. */
static int
parse(struct cli_docker_arg *a, bool stop_at_arg, struct dw_err *err, ...)
{
	char	*argv[32];
	va_list	 ap;
	int	 n = 0;

	va_start(ap, err);
	while (n < 31 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	memset(a, 0, sizeof(*a));
	return cli_docker_arg_parse(a, n, argv, 0, tab, stop_at_arg, "run", err);
}

static void
test_spellings(void **state)
{
	struct cli_docker_arg	 a;
	struct dw_err		 err;
	struct dw_strv		 l = { 0 };

	(void)state;
	assert_int_equal(parse(&a, false, &err, "-dt", "--name=x", "--name", "y",
	    "-eA=1", "-e", "B", "-e=C", "--env", "D", "-p80:80", "img",
	    "--tty=false", "--", "-d", NULL), 0);
	assert_true(cli_docker_arg_bool(&a, F_DETACH, false));
	assert_false(cli_docker_arg_bool(&a, F_TTY, true));	/* the last wins */
	assert_true(cli_docker_arg_given(&a, F_TTY));
	assert_string_equal(cli_docker_arg_str(&a, F_NAME), "y");
	cli_docker_arg_list(&a, F_ENV, &l);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0], "A=1");
	assert_string_equal(l.v[1], "B");
	assert_string_equal(l.v[2], "C");
	assert_string_equal(l.v[3], "D");
	dw_strv_clear(&l);
	cli_docker_arg_list(&a, F_PUBLISH, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "80:80");
	dw_strv_clear(&l);
	/* Interspersed: flags after "img" count; "--" ends them. */
	assert_int_equal(a.npos, 2);
	assert_string_equal(a.pos[0], "img");
	assert_string_equal(a.pos[1], "-d");
	cli_docker_arg_clear(&a);
	assert_null(a.o);

	/* Stop at the first argument: what follows is the container's. */
	assert_int_equal(parse(&a, true, &err, "-t", "img", "-d", "--x", NULL), 0);
	assert_false(cli_docker_arg_given(&a, F_DETACH));
	assert_int_equal(a.npos, 3);
	assert_string_equal(cli_docker_arg_or(&a, F_NAME, "def"), "def");
	cli_docker_arg_clear(&a);

	/* "-" alone is an argument; -d=false a boolean's value. */
	assert_int_equal(parse(&a, false, &err, "-", "-d=false", NULL), 0);
	assert_int_equal(a.npos, 1);
	assert_false(cli_docker_arg_bool(&a, F_DETACH, true));
	cli_docker_arg_clear(&a);
}

static void
test_errors(void **state)
{
	struct cli_docker_arg	a;
	struct dw_err		err;

	(void)state;
	assert_int_equal(parse(&a, false, &err, "--frob", NULL), -EINVAL);
	assert_string_equal(err.msg, "unknown flag: --frob for \"docker run\"");
	cli_docker_arg_clear(&a);
	assert_int_equal(parse(&a, false, &err, "-dZ", NULL), -EINVAL);
	assert_string_equal(err.msg,
	    "unknown shorthand flag: 'Z' in -dZ for \"docker run\"");
	cli_docker_arg_clear(&a);
	assert_int_equal(parse(&a, false, &err, "--name", NULL), -EINVAL);
	assert_string_equal(err.msg, "docker run: flag needs an argument: --name");
	cli_docker_arg_clear(&a);
	assert_int_equal(parse(&a, false, &err, "-e", NULL), -EINVAL);
	assert_string_equal(err.msg,
	    "docker run: flag needs an argument: 'e' in -e");
	cli_docker_arg_clear(&a);
	assert_int_equal(parse(&a, false, &err, "--tty=maybe", NULL), -EINVAL);
	assert_string_equal(err.msg, "docker run: invalid argument \"maybe\" for "
	    "--tty: want true or false");
	cli_docker_arg_clear(&a);
	assert_int_equal(parse(&a, false, &err, "--help", NULL), -EINVAL);
	assert_string_equal(err.msg, "docker run --help asks for no API request");
	cli_docker_arg_clear(&a);
}

static void
test_parse_bool(void **state)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
	size_t	i;
	bool	b;

	(void)state;
	for (i = 0; i < 6; i++) {
		b = false;
		assert_int_equal(cli_docker_arg_parse_bool(yes[i], &b), 0);
		assert_true(b);
		assert_int_equal(cli_docker_arg_parse_bool(no[i], &b), 0);
		assert_false(b);
	}
	assert_int_equal(cli_docker_arg_parse_bool("yes", &b), -EINVAL);
	assert_int_equal(cli_docker_arg_parse_bool("", &b), -EINVAL);
	assert_non_null(cli_docker_arg_flag_long(tab, "name", 4));
	assert_null(cli_docker_arg_flag_long(tab, "nam", 3));
	assert_ptr_equal(cli_docker_arg_flag_short(tab, 'p'), &tab[4]);
	assert_null(cli_docker_arg_flag_short(tab, 'x'));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spellings),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_parse_bool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
