/*
 * Fuzz `dockward report`'s reading of an audit log (cli_report_feed):
 * the input is the log's bytes, whatever the file holds (a line cut by a
 * crash, a foreign file, a crafted record).  It is fed in two pieces cut
 * at a point the input chooses, so lines spanning reads are exercised;
 * both summaries go to /dev/null.  The time range is fixed so runs
 * reproduce.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_report.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE	*sink;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cli_report_opts	 o = {
		.since_us = 1700000000LL * 1000000, .until_us = CLI_REPORT_NO_UNTIL,
		.top = 3,
	};
	struct cli_report	*r;
	size_t			 cut;

	if (sink == NULL && (sink = fopen("/dev/null", "we")) == NULL)
		abort();
	/* The first byte picks the cut, and whether there is a since time. */
	cut = size > 0 ? data[0] * size / 256 : 0;
	if (size > 0 && (data[0] & 1))
		o.since_us = CLI_REPORT_NO_SINCE;
	if ((r = cli_report_new(&o)) == NULL)
		return 0;
	cli_report_feed(r, data, cut);
	cli_report_feed(r, data + cut, size - cut);
	cli_report_feed_end(r);
	(void)cli_report_print_text(r, sink);
	(void)cli_report_print_json(r, sink);
	cli_report_free(r);
	return 0;
}
