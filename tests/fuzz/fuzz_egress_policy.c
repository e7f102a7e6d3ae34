/*
 * Fuzz the containersProxy / dockward.egress parser: the input is a JSON
 * document, passed as containersProxy with its "egress" member (if any)
 * as dockward.egress.  A parsed policy is described, decided on and
 * freed; a port it says it covers must be matched.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "egress/egress_policy.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct egress_policy	*p = NULL;
	struct egress_target	 t;
	struct egress_answer	 a;
	json_t			*j;
	char			*d;
	size_t			 i;

	j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL)
		return 0;
	if (egress_policy_parse(j, json_object_get(j, "egress"), &p, NULL) == 0) {
		if ((d = egress_policy_describe(p)) == NULL)
			abort();
		free(d);
		for (i = 0; i < p->ports.n; i++)
			if (p->ports.r[i].lo == 0 || p->ports.r[i].lo > p->ports.r[i].hi ||
			    !egress_ports_match(&p->ports, p->ports.r[i].lo))
				abort();
		memset(&t, 0, sizeof(t));
		(void)egress_addr_parse("10.1.2.3", &t.ip);
		t.port = 443;
		memcpy(t.name, "a.company.local", sizeof("a.company.local"));
		t.source = EGRESS_NAME_SNI;
		egress_policy_decide_static(p, &t, &a);
		if (a.n != 1)
			abort();
		(void)egress_policy_excluded(p, "", &t.ip);
		egress_policy_free(p);
	}
	json_decref(j);
	return 0;
}
