/* cli_serve: `dockward serve`, options into api_serve_run(). */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cli/cli.h"
#include "cli/cli_serve.h"
#include "api/api_metrics_http.h"
#include "api/api_serve.h"
#include "common/dw_err.h"
#include "common/dw_log.h"
#include "common/dw_paths.h"
#include "common/dw_strv.h"

const char	cli_serve_usage[] =
    "dockward serve --settings FILE [--plugin-socket PATH|none]\n"
    "                      | --settings-url URL --settings-pubkey FILE\n"
    "                        [--settings-sig-url URL] [--settings-ca FILE]\n"
    "                        [--settings-refresh 60]\n"
    "                      [--engine-socket PATH] [--state-dir DIR]\n"
    "                      [--audit-log FILE|-] [--protect PATH]... [--debug]\n"
    "                      [--gatekeeper-socket PATH [--gatekeeper-mode 0660]\n"
    "                       [--gatekeeper-group docker]\n"
    "                       [--gatekeeper-max-connections 1024]\n"
    "                       [--gatekeeper-max-connections-per-caller 128]\n"
    "                       [--gatekeeper-head-timeout 30]\n"
    "                       [--gatekeeper-build-context-max 2G]]\n"
    "                      [--require-gatekeeper] [--egress-api-only]\n"
    "                      [--sandbox on|off] [--host-root DIR]\n"
    "                      [--metrics PATH|127.0.0.1:PORT|[::1]:PORT]\n"
    "                      [--log-target auto|journal|stderr]\n";

const char	cli_serve_about[] =
    "serve   run the dockerd authorization plugin (dockerd --authorization-plugin=dockward)\n"
    "        and/or the socket gatekeeper: a proxy at the Docker socket path that\n"
    "        knows which container or user calls and applies command lists;\n"
    "        dockerd then listens on a private socket given as --engine-socket\n";

/* A whole-string number in base within [min, max], or -EINVAL after saying why. */
static int
opt_number(const char *opt, const char *arg, int base, long min, long max,
    long *ret)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(arg, &end, base);
	if (*arg == '\0' || *end != '\0' || errno != 0 || v < min || v > max) {
		fprintf(stderr, base == 8 ? "dockward: %s %s: want an octal number "
		    "from %lo to %lo\n" : "dockward: %s %s: want a number from "
		    "%ld to %ld\n", opt, arg, min, max);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

/* A size in bytes with an optional K, M or G suffix (powers of 1024), >= 1 MiB. */
static int
opt_size(const char *opt, const char *arg, unsigned long long *ret)
{
	unsigned long long	 v, mul = 1;
	char			*end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (*end == 'K' || *end == 'k')
		mul = 1024ULL;
	else if (*end == 'M' || *end == 'm')
		mul = 1024ULL * 1024;
	else if (*end == 'G' || *end == 'g')
		mul = 1024ULL * 1024 * 1024;
	if (mul != 1)
		end++;
	if (*arg < '0' || *arg > '9' || *end != '\0' || errno != 0 ||
	    v > (1ULL << 40) / mul || v * mul < 1024ULL * 1024) {
		fprintf(stderr, "dockward: %s %s: want a size from 1M to 1024G "
		    "(bytes, or with a K, M or G suffix)\n", opt, arg);
		return -EINVAL;
	}
	*ret = v * mul;
	return 0;
}

/* Long-only options (no short letter to collide with). */
enum {
	OPT_SETTINGS_URL = 0x100,
	OPT_SETTINGS_PUBKEY,
	OPT_SETTINGS_SIG_URL,
	OPT_SETTINGS_CA,
	OPT_SETTINGS_REFRESH,
	OPT_SANDBOX,
	OPT_REQUIRE_GATEKEEPER,
	OPT_EGRESS_API_ONLY,
	OPT_GATE_PER_CALLER,
	OPT_HOST_ROOT,
};

int
cli_serve_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "settings-url", required_argument, NULL, OPT_SETTINGS_URL },
		{ "settings-pubkey", required_argument, NULL, OPT_SETTINGS_PUBKEY },
		{ "settings-sig-url", required_argument, NULL, OPT_SETTINGS_SIG_URL },
		{ "settings-ca", required_argument, NULL, OPT_SETTINGS_CA },
		{ "settings-refresh", required_argument, NULL, OPT_SETTINGS_REFRESH },
		{ "settings", required_argument, NULL, 's' },
		{ "plugin-socket", required_argument, NULL, 'p' },
		{ "engine-socket", required_argument, NULL, 'e' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "audit-log", required_argument, NULL, 'a' },
		{ "protect", required_argument, NULL, 'P' },
		{ "debug", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "gatekeeper-socket", required_argument, NULL, 'G' },
		{ "gatekeeper-mode", required_argument, NULL, 'M' },
		{ "gatekeeper-group", required_argument, NULL, 'g' },
		{ "gatekeeper-max-connections", required_argument, NULL, 'C' },
		{ "gatekeeper-head-timeout", required_argument, NULL, 'T' },
		{ "gatekeeper-build-context-max", required_argument, NULL, 'B' },
		{ "sandbox", required_argument, NULL, OPT_SANDBOX },
		{ "require-gatekeeper", no_argument, NULL, OPT_REQUIRE_GATEKEEPER },
		{ "egress-api-only", no_argument, NULL, OPT_EGRESS_API_ONLY },
		{ "gatekeeper-max-connections-per-caller", required_argument, NULL,
		    OPT_GATE_PER_CALLER },
		{ "metrics", required_argument, NULL, 'm' },
		{ "host-root", required_argument, NULL, OPT_HOST_ROOT },
		{ "log-target", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	struct api_serve_opts	opts = {
		.settings_path = DW_PATH_SETTINGS,
		.plugin_socket = DW_PATH_PLUGIN_SOCKET,
		.engine_socket = DW_PATH_ENGINE_SOCKET,
		.state_dir = DW_PATH_STATE_DIR,
		.audit_log = "-",
	};
	struct dw_err		err;
	bool			settings_given = false;
	int			ch, r, log_target = DW_LOG_AUTO;

	while ((ch = getopt_long(argc, argv, "s:p:e:d:a:P:DhG:M:g:C:T:B:m:L:", longopts, NULL)) != -1) {
		long	v;

		switch (ch) {
		case OPT_SETTINGS_URL: opts.settings_url = optarg; break;
		case OPT_SETTINGS_PUBKEY: opts.settings_pubkey = optarg; break;
		case OPT_SETTINGS_SIG_URL: opts.settings_sig_url = optarg; break;
		case OPT_SETTINGS_CA: opts.settings_ca = optarg; break;
		case OPT_SETTINGS_REFRESH:
			if (opt_number("--settings-refresh", optarg, 10, 1, 86400, &v) < 0)
				return 2;
			opts.settings_refresh = v;
			break;
		case OPT_REQUIRE_GATEKEEPER: opts.require_gatekeeper = true; break;
		case OPT_EGRESS_API_ONLY: opts.egress_api_only = true; break;
		case OPT_HOST_ROOT:
			if (optarg[0] != '/') {
				fprintf(stderr, "dockward: --host-root %s: not an "
				    "absolute path\n", optarg);
				return 2;
			}
			opts.host_root = optarg;
			break;
		case OPT_GATE_PER_CALLER:
			if (opt_number("--gatekeeper-max-connections-per-caller", optarg,
			    10, 1, 65536, &v) < 0)
				return 2;
			opts.gatekeeper_max_conns_per_caller = (unsigned)v;
			break;
		case OPT_SANDBOX:
			if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0) {
				fprintf(stderr, "dockward: --sandbox %s: want on or off\n",
				    optarg);
				return 2;
			}
			opts.sandbox_off = strcmp(optarg, "off") == 0;
			break;
		case 'G': opts.gatekeeper_socket = optarg; break;
		case 'g': opts.gatekeeper_group = optarg; break;
		case 'M':
			if (opt_number("--gatekeeper-mode", optarg, 8, 1, 0777, &v) < 0)
				return 2;
			if (v & 0002) {
				fprintf(stderr, "dockward: --gatekeeper-mode %s: a "
				    "world-writable socket would let anyone in\n", optarg);
				return 2;
			}
			opts.gatekeeper_mode = (mode_t)v;
			break;
		case 'C':
			if (opt_number("--gatekeeper-max-connections", optarg, 10, 1,
			    65536, &v) < 0)
				return 2;
			opts.gatekeeper_max_conns = (unsigned)v;
			break;
		case 'T':
			if (opt_number("--gatekeeper-head-timeout", optarg, 10, 1,
			    3600, &v) < 0)
				return 2;
			opts.gatekeeper_head_timeout = (int)v;
			break;
		case 'B':
			if (opt_size("--gatekeeper-build-context-max", optarg,
			    &opts.gatekeeper_build_max) < 0)
				return 2;
			break;
		case 's': opts.settings_path = optarg; settings_given = true; break;
		case 'm': {
			struct api_metrics_addr	ma;

			if (api_metrics_http_addr_parse(optarg, &ma, &err) < 0) {
				fprintf(stderr, "dockward: %s\n", err.msg);
				return 2;
			}
			opts.metrics_addr = optarg;
			break;
		}
		case 'L':
			if ((log_target = dw_log_target_parse(optarg)) < 0) {
				fprintf(stderr, "dockward: --log-target %s: want auto, "
				    "journal or stderr\n", optarg);
				return 2;
			}
			break;
		case 'p': opts.plugin_socket = optarg; break;
		case 'e': opts.engine_socket = optarg; break;
		case 'd': opts.state_dir = optarg; break;
		case 'a': opts.audit_log = optarg; break;
		case 'P':
			if (optarg[0] != '/') {
				fprintf(stderr, "dockward: --protect %s: not an absolute path\n",
				    optarg);
				return 2;
			}
			if (dw_strv_push(&opts.protect, optarg) < 0)
				return 1;
			break;
		case 'D': dw_log_level_set(DW_LOG_DEBUG); break;
		case 'h': return CLI_USAGE_HELP;
		default: return CLI_USAGE_ERROR;
		}
	}
	if (opts.settings_url != NULL) {
		if (settings_given) {
			fprintf(stderr, "dockward: --settings and --settings-url are "
			    "exclusive: the policy comes from a file or from a URL\n");
			return 2;
		}
		if (opts.settings_pubkey == NULL) {
			fprintf(stderr, "dockward: --settings-url needs --settings-pubkey "
			    "FILE (the Ed25519 public key that signs the policy)\n");
			return 2;
		}
		opts.settings_path = NULL;
	} else if (opts.settings_pubkey != NULL || opts.settings_sig_url != NULL ||
	    opts.settings_ca != NULL || opts.settings_refresh != 0) {
		fprintf(stderr, "dockward: --settings-pubkey, --settings-sig-url, "
		    "--settings-ca and --settings-refresh need --settings-url\n");
		return 2;
	}
	if ((r = dw_log_target_set((enum dw_log_target)log_target)) < 0)
		log_err("--log-target: no journal socket (%s), logging to stderr",
		    strerror(-r));
	r = api_serve_run(&opts, &err);
	dw_strv_clear(&opts.protect);
	if (r < 0) {
		log_err("%s", err.msg);
		return 1;
	}
	return 0;
}
