/*
 * registry_probe: resolve one reference with registry_client and print the
 * facts, for tests/e2e/registry_smoke.sh.
 *
 *   registry_probe [--head] [--repeat N] [--config FILE] [--timeout-ms MS] REF
 *
 * Prints "digest D", "is_index 0|1", then "manifest D" and "config D" per
 * platform (--head: only "digest D").  On failure prints
 * "error ENAME (-N): message" and exits 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "digest/digest_ref.h"
#include "registry/registry_client.h"

static const struct {
	int		 e;
	const char	*name;
} errnames[] = {
	{ ENOENT, "ENOENT" }, { EACCES, "EACCES" }, { EPROTO, "EPROTO" },
	{ ETIMEDOUT, "ETIMEDOUT" }, { ECONNREFUSED, "ECONNREFUSED" }, { EIO, "EIO" },
	{ E2BIG, "E2BIG" }, { EINVAL, "EINVAL" }, { ENOTSUP, "ENOTSUP" },
	{ ENOMEM, "ENOMEM" },
};

/* The symbolic name of an errno value. */
static const char *
errname(int e)
{
	size_t	i;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].e == e)
			return errnames[i].name;
	return "E?";
}

int
main(int argc, char **argv)
{
	struct registry_opts	 opts = { 0 };
	struct digest_facts	 facts = { 0 };
	struct registry_client	*c = NULL;
	struct digest_ref	*ref = NULL;
	struct dw_err		 err = { "" };
	char			 digest[DIGEST_SHA256_STRLEN];
	int			 i, head = 0, repeat = 1, r = 1, rc = 1;
	size_t			 j;

	for (i = 1; i < argc - 1; i++) {
		if (strcmp(argv[i], "--head") == 0)
			head = 1;
		else if (strcmp(argv[i], "--repeat") == 0 && i + 2 < argc)
			repeat = atoi(argv[++i]);
		else if (strcmp(argv[i], "--config") == 0 && i + 2 < argc)
			opts.docker_config = argv[++i];
		else if (strcmp(argv[i], "--timeout-ms") == 0 && i + 2 < argc)
			opts.timeout_ms = opts.connect_timeout_ms = atol(argv[++i]);
		else
			break;
	}
	if (i != argc - 1) {
		fprintf(stderr, "usage: registry_probe [--head] [--repeat N] [--config FILE] "
		    "[--timeout-ms MS] REF\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((ref = digest_ref_parse(argv[i], 0, &err)) == NULL) {
		printf("error EINVAL (-%d): %s\n", EINVAL, err.msg);
		goto out;
	}
	if ((c = registry_client_new(&opts, &err)) == NULL) {
		printf("error ENOMEM (-%d): %s\n", ENOMEM, err.msg);
		goto out;
	}
	while (repeat-- > 0) {
		if (head)
			r = registry_client_head_digest(c, ref, digest, &err);
		else
			r = registry_client_resolve(c, ref, &facts, &err);
		if (r != 0) {
			printf("error %s (%d): %s\n", errname(-r), r, err.msg);
			goto out;
		}
		if (head) {
			printf("digest %s\n", digest);
			continue;
		}
		printf("digest %s\nis_index %d\n", facts.digest, facts.is_index ? 1 : 0);
		for (j = 0; j < facts.manifests.n; j++)
			printf("manifest %s\nconfig %s\n", facts.manifests.v[j],
			    facts.configs.v[j]);
		digest_facts_clear(&facts);
	}
	rc = 0;
out:
	digest_facts_clear(&facts);
	registry_client_free(c);
	digest_ref_free(ref);
	curl_global_cleanup();
	return rc;
}
