/*
 * cli_status: `dockward status [--metrics ADDR]`: fetch a running
 * dockward's /metrics and print it for a person (version, uptime, policy,
 * decisions per door with the top deny rules, latency quantiles estimated
 * from the histogram, cache hit ratio, registry errors, gatekeeper
 * connections).  Exit 0 when reachable, 1 when not, 2 on usage errors.
 */
#ifndef CLI_STATUS_H
#define CLI_STATUS_H

#include <stdio.h>
#include <time.h>

extern const char	cli_status_usage[];	/* in dockward's usage (cli/cli.h) */
extern const char	cli_status_about[];

/* argv[0] is "status".  Exit status 0, 1 unreachable, 2 usage. */
int	cli_status_main(int argc, char **argv);

/*
 * The person-readable summary of a Prometheus text (borrowed, as dockward
 * renders it) to out, with uptimes relative to now.  0, or -EINVAL when text holds no
 * dockward_build_info (not a dockward endpoint), -ENOMEM.
 */
int	cli_status_summarize(const char *text, time_t now, FILE *out);

#endif
