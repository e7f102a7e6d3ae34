/*
 * cli_trust: the `dockward trust` command, which imports offline trust
 * bundles (`docker save` archives, OCI layouts) into the state directory's
 * trust store and lists it.  See digest/digest_trust.h.
 */
#ifndef CLI_TRUST_H
#define CLI_TRUST_H

extern const char	cli_trust_usage[];	/* in dockward's usage (cli/cli.h) */
extern const char	cli_trust_about[];

/*
 * argv[0] is "trust", argv[1] the subcommand:
 *   trust import FILE... [--state-dir DIR]   read, merge, save DIR/trust.json
 *   trust list [--state-dir DIR]
 * Exit status: 0, 1 on any error (import then writes nothing), 2 on usage.
 */
int	cli_trust_main(int argc, char **argv);

#endif
