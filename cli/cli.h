/*
 * cli: what every command in cli/ shares with the command table in
 * main.c.  Each command file X exposes
 *   int  cli_X_main(int argc, char **argv)   argv[0] is the command's name
 *   const char cli_X_usage[]   its synopsis in dockward's usage: the lines
 *                              as printed after the usage's first seven
 *                              columns ("usage: " or its indent)
 *   const char cli_X_about[]   what it does, in the usage's second part
 * and main.c's table names them; nothing else in cli/ knows the table.
 */
#ifndef CLI_H
#define CLI_H

/*
 * What a command's main returns instead of an exit status to have main.c
 * print dockward's usage: to stdout then exit 0 (--help), or to stderr
 * then exit 2 (a usage error, already explained on stderr if need be).
 */
#define CLI_USAGE_HELP		(-1)
#define CLI_USAGE_ERROR		(-2)

#endif
