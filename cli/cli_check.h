/*
 * cli_check: `dockward check --settings FILE [--daemon-json FILE]`: load a
 * policy as serve would, print what it says and every warning, the
 * effective egress policy when it sets containersProxy (containersProxy and
 * dockward.egress are parsed as serve parses them: a bad block refuses the
 * file), say what dockward will not use from the registry credentials file
 * it names and, with containersProxy, whether dockerd lets BuildKit steps
 * onto the host's network.
 */
#ifndef CLI_CHECK_H
#define CLI_CHECK_H

extern const char	cli_check_usage[];
extern const char	cli_check_about[];

/*
 * argv[0] is "check".  Exit status 0 when the policy loads, 1 when it
 * would be refused; CLI_USAGE_HELP or CLI_USAGE_ERROR (cli/cli.h) for
 * --help and unknown options.
 */
int	cli_check_main(int argc, char **argv);

#endif
