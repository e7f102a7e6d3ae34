/* Fuzz the audit record: built from the input, byte for byte the old jansson record (audit_diff.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/unit/audit_diff.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char	why[65536];

	if (audit_diff_check(data, size, why, sizeof(why)) != 0) {
		fprintf(stderr, "%s\n", why);
		abort();
	}
	return 0;
}
