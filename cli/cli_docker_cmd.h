/*
 * cli_docker_cmd: what every docker command's translation shares (tmux's
 * cmd_entry): the entry that names a command, its flags and the function
 * that turns them into requests; the translation's context; and the
 * value parsers of the docker CLI (go-units sizes, "k=v" lists, the files
 * some flags name, image references).  A command family (cli_docker_run.c,
 * cli_docker_image.c, ...) defines entries; cli_docker.c's table lists
 * them.
 */
#ifndef CLI_DOCKER_CMD_H
#define CLI_DOCKER_CMD_H

#include <stdbool.h>

#include <jansson.h>

#include "cli/cli_docker_arg.h"
#include "cli/cli_docker_plan.h"
#include "common/dw_err.h"
#include "common/dw_strv.h"

#define CLI_DOCKER_CMD_ALIASES	3

struct cli_docker_cmd_entry;

/* One translation: where requests go and errors are said; all borrowed. */
struct cli_docker_cmd {
	struct cli_docker_plan			*plan;	/* the requests so far */
	struct dw_err				*err;
	const char				*cmd;	/* the command, for messages */
	const struct cli_docker_cmd_entry	*entry;	/* the command's entry */
};

/* How a table-driven command turns its arguments into requests. */
enum cli_docker_cmd_args {
	CLI_DOCKER_CMD_NONE,	/* no argument: one request */
	CLI_DOCKER_CMD_EACH,	/* one request per argument, path has one %s */
	CLI_DOCKER_CMD_ONE	/* exactly one argument, path has one %s */
};

/*
 * The request(s) of a command that needs no code (ps, rm, volume ls...):
 * per argument, the GET aux first when set, then method path with the
 * fixed query and the query keys of the flags given.
 */
struct cli_docker_cmd_simple {
	const char			*method;
	const char			*path;	/* "/containers/%s/stop" */
	enum cli_docker_cmd_args	 args;
	const char			*fixed;	/* "k=v&k2=v2", always sent */
	const char			*aux;	/* "/containers/%s/json" */
	const char			*arg_query; /* the argument's query key */
	const char			*note;	/* said on each request */
};

/* One command; its strings and tables are static. */
struct cli_docker_cmd_entry {
	const char			*name;	/* canonical: "run", "volume ls" */
	const char			*alias[CLI_DOCKER_CMD_ALIASES];
	const struct cli_docker_arg_flag *flags;
	bool				 stop_at_arg;	/* run, exec: see cli_docker_arg_parse */
	/* Append the requests for a to t->plan; 0 or -errno. */
	int				(*exec)(struct cli_docker_cmd *t,
					    const struct cli_docker_arg *a);
	struct cli_docker_cmd_simple	 simple;	/* for cli_docker_cmd_simple_exec */
};

/* Flag tables several commands share. */
extern const struct cli_docker_arg_flag	cli_docker_cmd_flags_none[];
extern const struct cli_docker_arg_flag	cli_docker_cmd_flags_format[];	/* -f */
extern const struct cli_docker_arg_flag	cli_docker_cmd_flags_force[];	/* -f: force=1 */
extern const struct cli_docker_arg_flag	cli_docker_cmd_flags_output[];	/* -o */
extern const struct cli_docker_arg_flag	cli_docker_cmd_flags_ls[];	/* X ls */
extern const struct cli_docker_arg_flag	cli_docker_cmd_flags_prune[];	/* X prune */

/* Set t->err and return r. */
int	cli_docker_cmd_fail(struct cli_docker_cmd *t, int r, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* cli_docker_cmd_fail(t, -ENOMEM, "out of memory"). */
int	cli_docker_cmd_nomem(struct cli_docker_cmd *t);

/* The exec of table-driven entries: t->entry->simple's requests. */
int	cli_docker_cmd_simple_exec(struct cli_docker_cmd *t,
	    const struct cli_docker_arg *a);

/* go-units RAMInBytes: "64m", "1.5g", "512" (bytes), powers of 1024; -EINVAL. */
int	cli_docker_cmd_ram_bytes(const char *s, long long *ret);
/* A whole decimal number; 0 or -EINVAL. */
int	cli_docker_cmd_parse_ll(const char *s, long long *ret);
/* opts.ConvertKVStringsToMap: a new object, "k=v" -> k: v, "k" -> k: "". */
json_t	*cli_docker_cmd_kv_map(const struct dw_strv *sv);
/* A new array of the strings of sv. */
json_t	*cli_docker_cmd_str_array(const struct dw_strv *sv);
/* obj[key] = the last value of flag id, when given and not empty. */
void	cli_docker_cmd_set_str(const struct cli_docker_arg *a, int id, json_t *obj,
	    const char *key);

/*
 * A small local file the CLI would read for flag (at most 1 MiB): new,
 * NUL-terminated, the caller frees it; NULL with t->err set.
 */
char	*cli_docker_cmd_file_read(struct cli_docker_cmd *t, const char *flag,
	    const char *path);

/*
 * opts.ReadKVStrings/ReadKVEnvStrings: the lines of files (no comments,
 * no blanks), then direct, appended to out; env: a bare name takes its
 * value from the environment (dropped when unset).  0 or -EINVAL.
 */
int	cli_docker_cmd_kv_files(struct cli_docker_cmd *t, const char *flag,
	    const struct dw_strv *files, bool env, const struct dw_strv *direct,
	    struct dw_strv *out);

/*
 * reference.FamiliarName and the API tag of image reference s, as the
 * client library sends them: "docker.io/library/alpine:3" -> "alpine",
 * "3"; no tag -> "latest" (want_latest) or "".  0 with *name and *tag new
 * (the caller frees them), -EINVAL or -ENOMEM.
 */
int	cli_docker_cmd_ref_split(struct cli_docker_cmd *t, const char *s,
	    bool want_latest, char **name, char **tag);

#endif
