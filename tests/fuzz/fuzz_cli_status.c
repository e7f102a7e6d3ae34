/*
 * Fuzz `dockward status`'s reading of a metrics endpoint's answer
 * (cli_status_summarize): the input is the Prometheus text, whatever a
 * peer on the metrics address sends; the summary goes to /dev/null.  The
 * clock is fixed so runs reproduce.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_status.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW	((time_t)1700000000)

static FILE	*sink;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*text;

	if (sink == NULL && (sink = fopen("/dev/null", "we")) == NULL)
		abort();
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	(void)cli_status_summarize(text, NOW, sink);
	free(text);
	return 0;
}
