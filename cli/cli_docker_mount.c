/*
 * cli_docker_mount: the --mount syntax (opts.MountOpt.Set of docker/cli
 * v20.10) as a mount.Mount object, for docker run, create and service
 * create.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_docker_mount.h"
#include "cli/cli_docker_arg.h"
#include "cli/cli_docker_cmd.h"

/* One --mount value being parsed. */
struct mount {
	json_t		*m;		/* the mount.Mount */
	json_t		*vo, *bo, *to;	/* Volume-, Bind-, TmpfsOptions or NULL */
	const char	*type;		/* borrowed */
};

/* *slot, created empty first when NULL. */
static json_t *
obj_get(json_t **slot)
{
	if (*slot == NULL)
		*slot = json_object();
	return *slot;
}

/* obj[key], an object, created empty first when absent. */
static json_t *
obj_member(json_t *obj, const char *key)
{
	json_t	*o;

	if ((o = json_object_get(obj, key)) == NULL) {
		o = json_object();
		json_object_set_new(obj, key, o);
	}
	return o;
}

/*
 * One key=value field of --mount (key lower-cased) into mt: 0, -EINVAL
 * for a value it refuses, -ENOENT for a key it does not know.
 */
static int
mount_field(struct mount *mt, const char *key, const char *v)
{
	json_t		*dc, *o;
	char		*end, ok[512];
	long long	 n;
	unsigned long	 mode;
	size_t		 kn;
	bool		 b;

	if (strcmp(key, "type") == 0)
		mt->type = v;
	else if (strcmp(key, "source") == 0 || strcmp(key, "src") == 0)
		json_object_set_new(mt->m, "Source", json_string(v));
	else if (strcmp(key, "target") == 0 || strcmp(key, "dst") == 0 ||
	    strcmp(key, "destination") == 0)
		json_object_set_new(mt->m, "Target", json_string(v));
	else if (strcmp(key, "readonly") == 0 || strcmp(key, "ro") == 0) {
		if (cli_docker_arg_parse_bool(v, &b) < 0)
			return -EINVAL;
		json_object_set_new(mt->m, "ReadOnly", json_boolean(b));
	} else if (strcmp(key, "consistency") == 0)
		json_object_set_new(mt->m, "Consistency", json_string(v));
	else if (strcmp(key, "bind-propagation") == 0)
		json_object_set_new(obj_get(&mt->bo), "Propagation",
		    json_string(v));
	else if (strcmp(key, "bind-nonrecursive") == 0) {
		if (cli_docker_arg_parse_bool(v, &b) < 0)
			return -EINVAL;
		json_object_set_new(obj_get(&mt->bo), "NonRecursive",
		    json_boolean(b));
	} else if (strcmp(key, "volume-nocopy") == 0) {
		if (cli_docker_arg_parse_bool(v, &b) < 0)
			return -EINVAL;
		json_object_set_new(obj_get(&mt->vo), "NoCopy",
		    json_boolean(b));
	} else if (strcmp(key, "volume-driver") == 0 ||
	    strcmp(key, "volume-label") == 0 ||
	    strcmp(key, "volume-opt") == 0) {
		/* Any of the three makes the DriverConfig, as the CLI does. */
		dc = obj_member(obj_get(&mt->vo), "DriverConfig");
		if (strcmp(key, "volume-driver") == 0) {
			json_object_set_new(dc, "Name", json_string(v));
			return 0;
		}
		o = strcmp(key, "volume-label") == 0 ?
		    obj_member(mt->vo, "Labels") : obj_member(dc, "Options");
		kn = strcspn(v, "=");
		snprintf(ok, sizeof(ok), "%.*s", (int)(kn < 511 ? kn : 511), v);
		json_object_set_new(o, ok, json_string(v[kn] ? v + kn + 1 :
		    ""));
	} else if (strcmp(key, "tmpfs-size") == 0) {
		if (cli_docker_cmd_ram_bytes(v, &n) < 0)
			return -EINVAL;
		json_object_set_new(obj_get(&mt->to), "SizeBytes",
		    json_integer(n));
	} else if (strcmp(key, "tmpfs-mode") == 0) {
		mode = strtoul(v, &end, 8);
		if (*v == '\0' || *end != '\0' || mode > 0xffffffffUL)
			return -EINVAL;
		json_object_set_new(obj_get(&mt->to), "Mode",
		    json_integer((json_int_t)mode));
	} else
		return -ENOENT;
	return 0;
}

/* CSV without quotes covers every documented form. */
int
cli_docker_mount_parse(struct cli_docker_cmd *t, const char *spec,
    json_t **ret)
{
	struct mount	 mt = { .type = "volume" };
	char		*copy = NULL, *field, *save = NULL, *c, key[64];
	const char	*v;
	size_t		 kl, i;
	int		 r = -EINVAL;

	if ((mt.m = json_object()) == NULL || (copy = strdup(spec)) == NULL) {
		r = cli_docker_cmd_nomem(t);
		goto out;
	}
	for (field = strtok_r(copy, ",", &save); field != NULL;
	    field = strtok_r(NULL, ",", &save)) {
		kl = strcspn(field, "=");
		snprintf(key, sizeof(key), "%.*s", (int)(kl < 63 ? kl : 63),
		    field);
		for (i = 0; key[i] != '\0'; i++)
			key[i] = (char)tolower((unsigned char)key[i]);
		v = field[kl] == '=' ? field + kl + 1 : NULL;
		if (v != NULL && strcmp(key, "type") == 0)
			for (c = field + kl + 1; *c != '\0'; c++)
				*c = (char)tolower((unsigned char)*c);
		/* A bare boolean key means true. */
		if (v == NULL && (strcmp(key, "readonly") == 0 ||
		    strcmp(key, "ro") == 0 ||
		    strcmp(key, "volume-nocopy") == 0 ||
		    strcmp(key, "bind-nonrecursive") == 0))
			v = "true";
		if (v == NULL) {
			r = cli_docker_cmd_fail(t, -EINVAL, "docker %s --mount "
			    "%s: invalid field '%s' must be a key=value pair",
			    t->cmd, spec, field);
			goto out;
		}
		if ((r = mount_field(&mt, key, v)) == -ENOENT) {
			r = cli_docker_cmd_fail(t, -EINVAL, "docker %s --mount "
			    "%s: unexpected key '%s' in '%s'", t->cmd, spec, key,
			    field);
			goto out;
		}
		if (r < 0) {
			r = cli_docker_cmd_fail(t, -EINVAL, "docker %s --mount "
			    "%s: invalid value for %s: %s", t->cmd, spec, key, v);
			goto out;
		}
	}
	if (json_object_get(mt.m, "Target") == NULL) {
		r = cli_docker_cmd_fail(t, -EINVAL, "docker %s --mount %s: "
		    "target is required", t->cmd, spec);
		goto out;
	}
	if ((mt.vo != NULL && strcmp(mt.type, "volume") != 0) ||
	    (mt.bo != NULL && strcmp(mt.type, "bind") != 0) ||
	    (mt.to != NULL && strcmp(mt.type, "tmpfs") != 0)) {
		r = cli_docker_cmd_fail(t, -EINVAL, "docker %s --mount %s: "
		    "cannot mix 'volume-*', 'bind-*' or 'tmpfs-*' options with mount "
		    "type '%s'", t->cmd, spec, mt.type);
		goto out;
	}
	json_object_set_new(mt.m, "Type", json_string(mt.type));
	if (mt.vo != NULL)
		json_object_set(mt.m, "VolumeOptions", mt.vo);
	if (mt.bo != NULL)
		json_object_set(mt.m, "BindOptions", mt.bo);
	if (mt.to != NULL)
		json_object_set(mt.m, "TmpfsOptions", mt.to);
	*ret = mt.m;
	mt.m = NULL;
	r = 0;
out:
	json_decref(mt.vo);
	json_decref(mt.bo);
	json_decref(mt.to);
	json_decref(mt.m);
	free(copy);
	return r;
}
