/* cli_trust: `dockward trust import|list`, the offline trust store's command line. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api_sandbox.h"
#include "cli/cli_trust.h"
#include "common/dw_err.h"
#include "common/dw_paths.h"
#include "digest/digest_trust.h"

const char	cli_trust_usage[] =
    "dockward trust import FILE... [--state-dir DIR]\n"
    "       dockward trust list [--state-dir DIR]\n";

const char	cli_trust_about[] =
    "trust   record approved images from `docker save` archives or OCI layouts\n"
    "        for hosts without registry access (read again on SIGHUP)\n";

/* The command's usage text. */
static void
trust_usage(FILE *out)
{
	fprintf(out,
	    "usage: dockward trust import FILE... [--state-dir DIR]\n"
	    "       dockward trust list [--state-dir DIR]\n"
	    "\n"
	    "import  record the images of `docker save` archives or OCI layouts (a tar,\n"
	    "        plain or compressed, or a directory) by the digests their bytes hash to;\n"
	    "        every bundle is read before DIR/" DW_PATH_TRUST_FILE " is written, and nothing\n"
	    "        is written when one fails\n"
	    "list    print the images recorded in DIR/" DW_PATH_TRUST_FILE "\n"
	    "DIR defaults to " DW_PATH_STATE_DIR "\n");
}

/* One image and the digests that prove it. */
static void
trust_print(const struct digest_trust_image *img)
{
	const struct digest_facts	*f = &img->facts;
	struct tm			 tm;
	char				 when[32];
	size_t				 i;

	printf("%s\n  digest   %s%s\n", img->name, f->digest,
	    f->is_index ? " (index)" : f->manifests.n == 0 ? " (config, docker save)" : "");
	for (i = 0; i < f->manifests.n; i++)
		printf("  manifest %s\n", f->manifests.v[i]);
	for (i = 0; i < f->configs.n; i++)
		printf("  config   %s\n", f->configs.v[i]);
	if (img->issued > 0 && gmtime_r(&img->issued, &tm) != NULL &&
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
		printf("  issued   %s (the bundle's mtime; doctor's cache.age counts "
		    "from it)\n", when);
}

/* Read every bundle, then merge into the store and save it: all or nothing. */
static int
trust_import(const char *store, char **files, int nfiles)
{
	struct digest_trust	 t = { 0 }, in = { 0 };
	struct dw_err		 err;
	size_t			 i, before;
	int			 k, rc = 1;
	struct api_sandbox_opts	 so = { .quiet = true,
	    .who = "dockward trust import" };

	/* The archives are untrusted input: parse them sandboxed (api_sandbox.h). */
	if (api_sandbox_apply(&so, &err) != 0) {
		fprintf(stderr, "dockward: %s\n", err.msg);
		return 1;
	}
	if (digest_trust_load(store, &t, &err) != 0) {
		fprintf(stderr, "dockward: trust store %s\n", err.msg);
		goto out;
	}
	for (k = 0; k < nfiles; k++) {
		before = in.n;
		if (digest_trust_read_bundle(files[k], &in, &err) != 0) {
			fprintf(stderr, "dockward: %s: cannot import: %s\n", files[k], err.msg);
			goto out;
		}
		if (in.n == before) {
			fprintf(stderr, "dockward: %s: no tagged image in the bundle\n",
			    files[k]);
			goto out;
		}
	}
	if (digest_trust_merge(&t, &in) != 0) {
		fprintf(stderr, "dockward: out of memory\n");
		goto out;
	}
	if (digest_trust_save(store, &t, &err) != 0) {
		fprintf(stderr, "dockward: cannot save the trust store: %s\n", err.msg);
		goto out;
	}
	for (i = 0; i < in.n; i++)
		trust_print(&in.images[i]);
	printf("%zu image name(s) imported into %s\n", in.n, store);
	rc = 0;
out:
	digest_trust_clear(&in);
	digest_trust_clear(&t);
	return rc;
}

/* Print the store. */
static int
trust_list(const char *store)
{
	struct digest_trust	t = { 0 };
	struct dw_err		err;
	size_t			i;

	if (digest_trust_load(store, &t, &err) != 0) {
		fprintf(stderr, "dockward: trust store %s\n", err.msg);
		return 1;
	}
	for (i = 0; i < t.n; i++)
		trust_print(&t.images[i]);
	if (t.n == 0)
		printf("no image in %s\n", store);
	digest_trust_clear(&t);
	return 0;
}

/* `dockward trust ...`: argv[0] is "trust". */
int
cli_trust_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "state-dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*dir = DW_PATH_STATE_DIR, *sub;
	char		 store[PATH_MAX];
	int		 ch;

	if (argc < 2) {
		trust_usage(stderr);
		return 2;
	}
	sub = argv[1];
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
		trust_usage(stdout);
		return 0;
	}
	optind = 0;	/* glibc: full reinitialization; main() may have used getopt */
	while ((ch = getopt_long(argc - 1, argv + 1, "d:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'h':
			trust_usage(stdout);
			return 0;
		default:
			trust_usage(stderr);
			return 2;
		}
	}
	if ((size_t)snprintf(store, sizeof(store), "%s/%s", dir, DW_PATH_TRUST_FILE) >=
	    sizeof(store)) {
		fprintf(stderr, "dockward: --state-dir is too long\n");
		return 2;
	}
	if (strcmp(sub, "import") == 0 && optind < argc - 1)
		return trust_import(store, argv + 1 + optind, argc - 1 - optind);
	if (strcmp(sub, "list") == 0 && optind == argc - 1)
		return trust_list(store);
	trust_usage(stderr);
	return 2;
}
