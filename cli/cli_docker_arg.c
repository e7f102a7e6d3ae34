/* cli_docker_arg: docker flags and arguments, as pflag reads them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_docker_arg.h"

int
cli_docker_arg_parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = {
		"1", "t", "T", "TRUE", "true", "True"
	};
	static const char *const no[] = {
		"0", "f", "F", "FALSE", "false", "False"
	};
	size_t	i;

	for (i = 0; i < 6; i++) {
		if (strcmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

const struct cli_docker_arg_flag *
cli_docker_arg_flag_long(const struct cli_docker_arg_flag *tab,
    const char *name, size_t n)
{
	for (; tab->name != NULL; tab++)
		if (strlen(tab->name) == n && strncmp(tab->name, name, n) == 0)
			return tab;
	return NULL;
}

const struct cli_docker_arg_flag *
cli_docker_arg_flag_short(const struct cli_docker_arg_flag *tab, char c)
{
	for (; tab->name != NULL; tab++)
		if (tab->sh == c)
			return tab;
	return NULL;
}

/* Record flag f given with val. */
static int
occ_push(struct cli_docker_arg *a, const struct cli_docker_arg_flag *f,
    const char *val, const char *cmd, struct dw_err *err)
{
	struct cli_docker_arg_occ	*o;
	bool				 b;

	if (f->kind == CLI_DOCKER_ARG_BOOL &&
	    cli_docker_arg_parse_bool(val, &b) < 0) {
		dw_err_set(err, "docker %s: invalid argument \"%s\" for --%s: "
		    "want true or false", cmd, val, f->name);
		return -EINVAL;
	}
	if ((o = realloc(a->o, (a->no + 1) * sizeof(*o))) == NULL) {
		dw_err_set(err, "out of memory");
		return -ENOMEM;
	}
	a->o = o;
	a->o[a->no].f = f;
	if (f->kind == CLI_DOCKER_ARG_BOOL)
		val = b ? "true" : "false";
	a->o[a->no].val = val;
	a->no++;
	return 0;
}

static int
pos_push(struct cli_docker_arg *a, const char *arg, struct dw_err *err)
{
	const char	**v;

	if ((v = realloc(a->pos, (a->npos + 1) * sizeof(*v))) == NULL) {
		dw_err_set(err, "out of memory");
		return -ENOMEM;
	}
	a->pos = v;
	a->pos[a->npos++] = arg;
	return 0;
}

/* One --long or --long=value at argv[*i]; *i moves past a separate value. */
static int
parse_long(struct cli_docker_arg *a, int argc, char *const argv[], int *i,
    const struct cli_docker_arg_flag *tab, const char *cmd, struct dw_err *err)
{
	const struct cli_docker_arg_flag	*f;
	const char				*arg = argv[*i], *eq, *val;
	size_t					 n;

	eq = strchr(arg + 2, '=');
	n = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
	if (n == 4 && strncmp(arg + 2, "help", 4) == 0) {
		dw_err_set(err, "docker %s --help asks for no API request",
		    cmd);
		return -EINVAL;
	}
	if ((f = cli_docker_arg_flag_long(tab, arg + 2, n)) == NULL) {
		dw_err_set(err, "unknown flag: %.*s for \"docker %s\"",
		    (int)n + 2, arg, cmd);
		return -EINVAL;
	}
	if (eq != NULL)
		val = eq + 1;
	else if (f->kind == CLI_DOCKER_ARG_BOOL)
		val = "true";
	else if (*i + 1 < argc)
		val = argv[++*i];
	else {
		dw_err_set(err, "docker %s: flag needs an argument: --%s", cmd,
		    f->name);
		return -EINVAL;
	}
	return occ_push(a, f, val, cmd, err);
}

/* Shorthands bundled in argv[*i] (-itd, -p80, -d=false, -e X). */
static int
parse_short(struct cli_docker_arg *a, int argc, char *const argv[], int *i,
    const struct cli_docker_arg_flag *tab, const char *cmd, struct dw_err *err)
{
	const struct cli_docker_arg_flag	*f;
	const char				*arg = argv[*i], *val;
	size_t					 j;
	int					 r;

	for (j = 1; arg[j] != '\0'; j++) {
		if ((f = cli_docker_arg_flag_short(tab, arg[j])) == NULL) {
			dw_err_set(err, "unknown shorthand flag: '%c' in %s "
			    "for \"docker %s\"", arg[j], arg, cmd);
			return -EINVAL;
		}
		if (f->kind == CLI_DOCKER_ARG_BOOL) {
			if (arg[j + 1] == '=')
				return occ_push(a, f, arg + j + 2, cmd, err);
			if ((r = occ_push(a, f, "true", cmd, err)) < 0)
				return r;
			continue;
		}
		if (arg[j + 1] != '\0')
			val = arg + j + 1 + (arg[j + 1] == '=');
		else if (*i + 1 < argc)
			val = argv[++*i];
		else {
			dw_err_set(err, "docker %s: flag needs an argument: "
			    "'%c' in %s", cmd, arg[j], arg);
			return -EINVAL;
		}
		return occ_push(a, f, val, cmd, err);
	}
	return 0;
}

int
cli_docker_arg_parse(struct cli_docker_arg *a, int argc, char *const argv[],
    int i, const struct cli_docker_arg_flag *tab, bool stop_at_arg,
    const char *cmd, struct dw_err *err)
{
	const char	*arg;
	bool		 flags = true;
	int		 r;

	for (; i < argc; i++) {
		arg = argv[i];
		if (!flags || arg[0] != '-' || arg[1] == '\0') {
			if ((r = pos_push(a, arg, err)) < 0)
				return r;
			if (stop_at_arg)
				flags = false;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			flags = false;
			continue;
		}
		if (arg[1] == '-')
			r = parse_long(a, argc, argv, &i, tab, cmd, err);
		else
			r = parse_short(a, argc, argv, &i, tab, cmd, err);
		if (r < 0)
			return r;
	}
	return 0;
}

void
cli_docker_arg_clear(struct cli_docker_arg *a)
{
	free(a->o);
	free(a->pos);
	memset(a, 0, sizeof(*a));
}

const char *
cli_docker_arg_str(const struct cli_docker_arg *a, int id)
{
	const char	*v = NULL;
	size_t		 i;

	for (i = 0; i < a->no; i++)
		if (a->o[i].f->id == id)
			v = a->o[i].val;
	return v;
}

const char *
cli_docker_arg_or(const struct cli_docker_arg *a, int id, const char *def)
{
	const char	*v = cli_docker_arg_str(a, id);

	return v != NULL ? v : def;
}

bool
cli_docker_arg_bool(const struct cli_docker_arg *a, int id, bool def)
{
	const char	*v = cli_docker_arg_str(a, id);

	return v == NULL ? def : strcmp(v, "true") == 0;
}

bool
cli_docker_arg_given(const struct cli_docker_arg *a, int id)
{
	return cli_docker_arg_str(a, id) != NULL;
}

void
cli_docker_arg_list(const struct cli_docker_arg *a, int id, struct dw_strv *out)
{
	size_t	i;

	for (i = 0; i < a->no; i++)
		if (a->o[i].f->id == id)
			dw_strv_push(out, a->o[i].val);
}
