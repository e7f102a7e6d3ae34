/*
 * digest_facts: see digest_facts.h.
 */
#include <string.h>

#include "digest/digest_facts.h"

void
digest_facts_clear(struct digest_facts *facts)
{
	if (facts == NULL)
		return;
	dw_strv_clear(&facts->manifests);
	dw_strv_clear(&facts->configs);
	memset(facts, 0, sizeof(*facts));
}
