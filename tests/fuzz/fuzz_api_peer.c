/*
 * Fuzz the /proc parsers behind caller identification: cgroup (ids and
 * path) and status (the groups, read where SO_PEERGROUPS is missing).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_peer.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t	 maxes[] = { 0, 1, API_PEER_IDS_MAX };
	char			 ids[API_PEER_IDS_MAX][API_PEER_ID_LEN + 1];
	struct dw_err		 err;
	char			*buf;
	size_t			 i, j, n;

	/* An exact-size copy, so reading past size is caught by ASan. */
	if ((buf = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	/* The identity path: NUL-terminated, within its size, ending in an id or not. */
	{
		char	path[API_PEER_PATH_MAX], id[API_PEER_ID_LEN + 1];

		if (api_peer_cgroup_path(buf, size, path, sizeof(path), &err) == 0) {
			if (strlen(path) >= sizeof(path) || (path[0] != '\0' &&
			    path[0] != '/'))
				abort();
			if (api_peer_path_innermost_id(path, id) &&
			    strlen(id) != API_PEER_ID_LEN)
				abort();
		}
		if (api_peer_cgroup_path(buf, size, path, 8, &err) == 0 &&
		    strlen(path) >= 8)
			abort();
	}
	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		if (api_peer_cgroup_parse(buf, size, ids, maxes[i], &n,
		    &err) != 0)
			continue;
		if (n > maxes[i])
			abort();
		for (j = 0; j < n; j++)
			if (strlen(ids[j]) != API_PEER_ID_LEN)
				abort();
	}
	free(buf);
	/* The status text: NUL-terminated; never more groups than asked for. */
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		gid_t	groups[API_PEER_IDS_MAX];

		if (api_peer_status_groups(buf, groups, maxes[i], &n) == 0 && n > maxes[i])
			abort();
	}
	free(buf);
	return 0;
}
