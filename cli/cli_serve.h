/*
 * cli_serve: `dockward serve`, the daemon's command line: the options
 * checked and gathered into struct api_serve_opts, then api_serve_run()
 * until a signal ends it.
 */
#ifndef CLI_SERVE_H
#define CLI_SERVE_H

extern const char	cli_serve_usage[];
extern const char	cli_serve_about[];

/*
 * argv[0] is "serve".  Exit status 0 after a clean shutdown, 1 when the
 * daemon could not start or failed, 2 for an option value it refuses
 * (said on stderr); CLI_USAGE_HELP or CLI_USAGE_ERROR (cli/cli.h) for
 * --help and unknown options.
 */
int	cli_serve_main(int argc, char **argv);

#endif
