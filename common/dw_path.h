/*
 * dw_path: host paths: cleaned as text, resolved on the file system, compared.
 *
 * A host path is looked up in the host's tree.  For the packaged daemon
 * that is this process's own "/" and the lookups below are realpath(),
 * stat() and statx() as they are.  The managed plugin runs in a rootfs of
 * its own, with the host's "/" mounted at some directory (/host): after
 * dw_path_root_set() every host-path lookup resolves inside that directory
 * as under chroot(2), by the kernel (openat2 RESOLVE_IN_ROOT): "..", and
 * absolute symlinks, stop at it, never reaching the plugin's own files.
 * Paths of dockward's own (its sockets, state, policy) are not host paths
 * and keep plain system calls.
 */
#ifndef DW_PATH_H
#define DW_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "common/dw_err.h"

/*
 * Write the lexically cleaned form of in into out (len bytes): a leading
 * '/', no "//", "." or ".." components (".." at the root stays at the
 * root), no trailing '/'.  Nothing on disk is consulted.  Output that does
 * not fit is cut, always NUL-terminated.
 */
void	dw_path_clean(const char *in, char *out, size_t len);

/*
 * Resolve the symlinks of the longest existing prefix of the clean
 * absolute path clean and append the rest (dockerd creates missing bind
 * sources), into out (len bytes, cut when it does not fit).  True when
 * that prefix was all of clean (dw_path_realpath() resolved the whole path).
 * Under a root (dw_path_root_set()) in the host's tree.
 */
bool	dw_path_resolve(const char *clean, char *out, size_t len);

/*
 * Look host paths up under dir (borrowed; copied), or in this process's own
 * tree again when dir is NULL.  Not thread-safe: call before any lookup
 * runs on another thread.  dir must be an absolute directory; the kernel
 * must have openat2() (Linux 5.6) and /proc/self/fd must name the files
 * (the resolved names are read there).  0, or -errno with err: -EINVAL
 * (not an absolute path), -ENOTDIR, -ENOSYS (no openat2), -EXDEV (/proc
 * does not name dir as realpath() does) or open()'s errno.
 */
int	dw_path_root_set(const char *dir, struct dw_err *err);

/* The directory host paths are looked up under, or NULL (borrowed). */
const char *dw_path_root(void);

/*
 * Is dir a mount point (another mount than its parent's)?  0 when it is;
 * -EXDEV with err when it is not (nothing was mounted there, or dir is
 * "/"), -ENOSYS without mount ids (Linux 5.8), or statx()'s errno.
 */
int	dw_path_root_is_mount(const char *dir, struct dw_err *err);

/*
 * realpath() of the host path path into out (PATH_MAX bytes): 0 or
 * -errno.  Under a root: resolved inside it, -EXDEV when the file's name
 * does not lie under it.
 */
int	dw_path_realpath(const char *path, char *out);

/* stat() of the host path path (symlinks followed): 0 or -errno. */
int	dw_path_stat(const char *path, struct stat *ret);

/*
 * statx() of the host path path: flags 0 or AT_SYMLINK_NOFOLLOW, mask as
 * for statx(): 0 or -errno.
 */
int	dw_path_statx(const char *path, int flags, unsigned int mask,
	    struct statx *ret);

/* True when x is p or below it; p "/" is only itself (for protection). */
bool	dw_path_at_or_under(const char *x, const char *p);

/* True when x is a strict ancestor directory of p; "/" is above every other path. */
bool	dw_path_above(const char *x, const char *p);

/*
 * dw_path_at_or_under(x, p) || dw_path_above(x, p) with the same answer
 * for every x and p, from their lengths (xlen and plen bytes, no NUL
 * read): the protected-path test of a bind source, without a strlen per
 * comparison.
 */
bool	dw_path_related(const char *x, size_t xlen, const char *p, size_t plen);

#endif
