/* cli_check: `dockward check`, a policy file validated and printed (its egress policy too). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cli_check.h"
#include "cli/cli_egress.h"
#include "cli/cli_doctor.h"
#include "authz/authz_settings.h"
#include "common/dw_err.h"
#include "common/dw_paths.h"

const char	cli_check_usage[] =
    "dockward check --settings FILE [--daemon-json FILE]\n";

const char	cli_check_about[] =
    "check   validate a policy file, print what it says and every warning,\n"
    "        and with containersProxy the effective egress policy;\n"
    "        exit status 1 when the file would be refused\n";

/* Say what dockward will and will not use from the registry credentials file. */
static void
check_docker_config(const char *path)
{
	json_error_t	 jerr;
	json_t		*cfg;

	if (path == NULL)
		return;
	if ((cfg = json_load_file(path, 0, &jerr)) == NULL) {
		printf("warning: %s: registry credentials cannot be read (%s); registries "
		    "will be asked anonymously\n", path, jerr.text);
		return;
	}
	if (json_object_get(cfg, "credsStore") != NULL ||
	    json_object_get(cfg, "credHelpers") != NULL)
		printf("warning: %s: credential helpers (credsStore, credHelpers) are not "
		    "run by dockward; registries they serve are asked anonymously unless "
		    "\"auths\" holds their credentials\n", path);
	json_decref(cfg);
}

/* The effective egress policy, indented under a heading, then its notes. */
static void
check_egress_print(const struct egress_policy *p, const struct dw_strv *notes)
{
	const char	*line, *nl;
	char		*desc;
	size_t		 i;

	printf("containersProxy: air-gapped containers are on; the effective egress "
	    "policy:\n");
	if ((desc = egress_policy_describe(p)) == NULL) {
		printf("  (out of memory)\n");
		return;
	}
	for (line = desc; *line != '\0'; line = *nl ? nl + 1 : nl) {
		if ((nl = strchr(line, '\n')) == NULL)
			nl = line + strlen(line);
		printf("  %.*s\n", (int)(nl - line), line);
	}
	free(desc);
	for (i = 0; i < notes->n; i++)
		printf("note: %s\n", notes->v[i]);
}

/*
 * With containersProxy set: BuildKit runs RUN --network=host steps inside
 * dockerd, in the host's network namespace, and no Engine API request
 * shows the step.  Only daemon.json can stop it (the network-host
 * entitlement), unless dockward refuses BuildKit altogether.
 */
static void
check_egress_buildkit(const struct authz_settings *s, const char *daemon_json)
{
	struct cli_doctor_engine	 e = { 0 };
	struct dw_err			 err;
	const char			*why;
	int				 r;

	if (!s->egress_enabled || !authz_settings_buildkit_allowed(s))
		return;
	r = cli_doctor_daemon_json_parse(daemon_json, &e, &err);
	if (r == 0 && e.ent_host_set && !e.ent_host) {
		cli_doctor_engine_clear(&e);
		return;
	}
	why = r == -ENOENT ? "there is none, so dockerd grants it" :
	    r < 0 ? err.msg : e.ent_host_set ? "it grants network-host" :
	    "it does not say, so dockerd grants it";
	printf("warning: containersProxy: BuildKit builds, which this policy lets "
	    "through, can run RUN --network=host steps in the host's network "
	    "namespace, where no container rule and no egress table sees them; "
	    "dockerd's %s decides (%s). Set \"builder\": {\"Entitlements\": "
	    "{\"network-host\": false}} there and restart dockerd, or refuse "
	    "BuildKit (ECI on without dockward.allowBuildKit)\n", daemon_json,
	    why);
	cli_doctor_engine_clear(&e);
}

int
cli_check_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "settings", required_argument, NULL, 's' },
		{ "daemon-json", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct authz_settings	*s;
	struct egress_policy	*p = NULL;
	struct dw_strv		 notes = { 0 };
	struct dw_err		 err;
	const char		*path = DW_PATH_SETTINGS;
	const char		*daemon_json = DW_PATH_DAEMON_JSON;
	int			 ch, r;

	while ((ch = getopt_long(argc, argv, "s:d:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			daemon_json = optarg;
			break;
		case 's':
			path = optarg;
			break;
		case 'h':
			return CLI_USAGE_HELP;
		default:
			return CLI_USAGE_ERROR;
		}
	}
	if ((s = authz_settings_load(path, &err)) == NULL) {
		fprintf(stderr, "dockward: %s: invalid policy: %s\n", path, err.msg);
		return 1;
	}
	/* containersProxy and dockward.egress, as serve will read them. */
	if ((r = cli_egress_policy(s, NULL, NULL, &p, &notes, &err)) < 0 &&
	    r != -ENOENT) {
		fprintf(stderr, "dockward: %s: invalid policy: %s\n", path, err.msg);
		dw_strv_clear(&notes);
		authz_settings_free(s);
		return 1;
	}
	printf("%s: policy is valid\n", path);
	authz_settings_print(s, stdout);
	if (p != NULL)
		check_egress_print(p, &notes);
	else
		for (size_t i = 0; i < notes.n; i++)
			printf("note: %s\n", notes.v[i]);
	check_docker_config(s->docker_config);
	check_egress_buildkit(s, daemon_json);
	egress_policy_free(p);
	dw_strv_clear(&notes);
	authz_settings_free(s);
	return 0;
}
