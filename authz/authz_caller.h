/*
 * authz_caller: the gatekeeper's caller-level decision, taken before the
 * request rules of authz_decide.  Host users get dockward.users (who may
 * connect, their command list); containers, which reach the gatekeeper
 * only through a socket mount, get ECI's dockerSocketMount (their image
 * must still be on imageList, then commandList).  Pure: the only outside
 * lookup goes through facts->image_verify.
 */
#ifndef AUTHZ_CALLER_H
#define AUTHZ_CALLER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "authz/authz_deny.h"
#include "authz/authz_settings.h"

enum authz_caller_kind {
	AUTHZ_CALLER_HOST = 0,
	AUTHZ_CALLER_CONTAINER,
};

/*
 * A host user a container acts for: who created it through the
 * gatekeeper (or created the socket container that created it), and who
 * ran commands in it (exec, attach, copy into it) through the gatekeeper.
 * A container the gatekeeper never saw created or entered (the admin's, on
 * dockerd's own socket) has none.
 */
struct authz_creator {
	uid_t		 uid;
	gid_t		 gid;
	const gid_t	*groups;	/* supplementary, as at create time */
	size_t		 ngroups;
	const char	*name;		/* user name at create time, or NULL */
	bool		 entered;	/* ran commands in it rather than created it */
};

/* Who is calling; every pointer is borrowed from the caller of authz_caller_decide(). */
struct authz_caller {
	enum authz_caller_kind	 kind;
	pid_t			 pid;
	uid_t			 uid;
	gid_t			 gid;
	const gid_t		*groups;	/* supplementary */
	size_t			 ngroups;
	const char		*container_id;	/* CONTAINER: full 64-hex id */
	const char		*container_name; /* CONTAINER: "/name", may be NULL */
	const char		*image;		/* CONTAINER: image reference it was created from (Config.Image), may be NULL */
	const char		*image_id;	/* CONTAINER: "sha256:..." (inspect .Image) */
	const char		*home;		/* HOST: the user's home directory (passwd), or NULL */
	const struct authz_creator *creators;	/* CONTAINER: the host users it acts for (creator first) */
	size_t			 ncreators;
};

/*
 * May a host caller use the gatekeeper socket at all?  True for root,
 * for containers (their rules come per request) and when dockward.users
 * sets no allowUsers/allowGroups; else the uid, the primary gid or a
 * supplementary gid must be listed.  Lets the gatekeeper refuse early;
 * authz_caller_decide() applies the same test to every request.
 */
bool	authz_caller_may_connect(const struct authz_settings *s,
	    const struct authz_caller *c);

/*
 * Decide what the caller may do with req; fills *d and returns d->verdict
 * (AUTHZ_ALLOW with rule "allow" and an empty message, or a deny with the
 * rule users.connect, users.commandList, socket.imageList or
 * socket.commandList).  An allow here still needs authz_decide().
 *   HOST: users.connect unless authz_caller_may_connect(); then, unless the
 *     caller is root or exempt, dockward.users.commandList.
 *   CONTAINER: with ECI on, the container's image (image_id, or image)
 *     must pass facts->image_verify (fail closed when it cannot be
 *     proven), then dockerSocketMount.commandList; with ECI off neither
 *     (Docker Desktop leaves socket mounts unrestricted then).  Then, ECI
 *     on or off, a container acts for each of its creators, so their
 *     rules apply too: users.connect and, unless that user is root or
 *     exempt, dockward.users.commandList (a user cannot launder a command
 *     through a socket container it started or ran commands in).  A
 *     container without creators gets only the container rules.
 * facts may be NULL or lack image_verify: images are then matched by
 * name only.
 */
enum authz_verdict authz_caller_decide(const struct authz_settings *s,
	    const struct authz_facts *facts, const struct authz_caller *c,
	    const struct authz_request *req, struct authz_decision *d);

#endif
