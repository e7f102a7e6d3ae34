/*
 * cli_docker_arg: a docker command's flags and arguments, parsed the way
 * the CLI's pflag does: --long, --long=v, -s v, -sv, -s=v, bundled -itd,
 * "--" ends the flags; a command may stop at its first argument (run,
 * create, exec).  Values are borrowed from argv.
 */
#ifndef CLI_DOCKER_ARG_H
#define CLI_DOCKER_ARG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/dw_err.h"
#include "common/dw_strv.h"

enum cli_docker_arg_kind {
	CLI_DOCKER_ARG_BOOL,
	CLI_DOCKER_ARG_STR,
	CLI_DOCKER_ARG_LIST
};

/* One flag of a command; tables end with { NULL }. */
struct cli_docker_arg_flag {
	const char			*name;	/* long name, "detach" */
	char				 sh;	/* shorthand, 'd', or 0 */
	enum cli_docker_arg_kind	 kind;
	int				 id;	/* per command; 0: no effect */
	const char			*query;	/* table-driven: its query key */
};

/* One flag given; both borrowed, val "true" or "false" for a boolean. */
struct cli_docker_arg_occ {
	const struct cli_docker_arg_flag	*f;
	const char				*val;
};

/* Flags in the order given and the arguments; zero-initialise, then clear. */
struct cli_docker_arg {
	struct cli_docker_arg_occ	*o;
	size_t				 no;
	const char			**pos;	/* borrowed from argv */
	size_t				 npos;
};

/*
 * Parse argv[i..argc) of command cmd ("run", for messages) against tab
 * into a; with stop_at_arg, the first argument ends the flags (pflag's
 * SetInterspersed(false)).
 * Unknown flags, --help, a missing value or a boolean that is not one
 * fail: -EINVAL with err saying why; -ENOMEM.  Clear a either way.
 */
int	cli_docker_arg_parse(struct cli_docker_arg *a, int argc,
	    char *const argv[], int i, const struct cli_docker_arg_flag *tab,
	    bool stop_at_arg, const char *cmd, struct dw_err *err);

/* Free what a holds and zero it. */
void	cli_docker_arg_clear(struct cli_docker_arg *a);

/* The flag of tab named name (n bytes), or spelled c; NULL if none. */
const struct cli_docker_arg_flag *cli_docker_arg_flag_long(
	    const struct cli_docker_arg_flag *tab, const char *name, size_t n);
const struct cli_docker_arg_flag *cli_docker_arg_flag_short(
	    const struct cli_docker_arg_flag *tab, char c);

/* The last value of flag id (borrowed), or NULL; or def. */
const char *cli_docker_arg_str(const struct cli_docker_arg *a, int id);
const char *cli_docker_arg_or(const struct cli_docker_arg *a, int id,
	    const char *def);
/* Boolean flag id, or def when not given; was it given at all. */
bool	cli_docker_arg_bool(const struct cli_docker_arg *a, int id, bool def);
bool	cli_docker_arg_given(const struct cli_docker_arg *a, int id);
/* Append every value of flag id, in order, to out (copies). */
void	cli_docker_arg_list(const struct cli_docker_arg *a, int id,
	    struct dw_strv *out);

/* Go's strconv.ParseBool: 0 and *ret, or -EINVAL. */
int	cli_docker_arg_parse_bool(const char *s, bool *ret);

#endif
