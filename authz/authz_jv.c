/*
 * authz_jv: the decision path's JSON reader (see authz_jv.h for what it
 * accepts).
 *
 * One pass, one allocation.  The allocation is sized from the input's
 * length alone, by bounds that hold for any input:
 *   - values and keys: a subtree of N nodes spans at least 2N - 1 bytes
 *     (a scalar one byte, a container its two brackets, and siblings one
 *     ',' or ':' apart), so N <= (len + 1) / 2;
 *   - fold indexes: an object of m >= 1 members takes 1 + m entries and
 *     has at least 2 + 3m bytes of its own (brackets, quotes, colons), so
 *     all indexes together take at most len / 2 entries;
 *   - text: a string token of t bytes decodes to at most 3(t - 2) + 1
 *     bytes (an invalid byte becomes the three of U+FFFD; every escape
 *     shrinks), a key adds its fold (one byte per rune, so at most
 *     t - 1), a number is copied with its NUL: at most 4 * len in all,
 *     and a token of t bytes starting at byte b starts its text at most
 *     at 4b and ends it at most at 4(b + t).  Some stores are whole words
 *     that run past the text they hold (by at most 16 bytes beyond a
 *     token's 4t): the area has 16 bytes to spare at its end.
 * Values wait on a stack at the bottom of the node array while their
 * container is open; when it closes they are moved, contiguous, to the
 * top, which grows down, so element i of an array and member i of an
 * object are one index away.  Every node lives in exactly one of the two
 * parts, so they never meet.  An object is indexed when it closes, which
 * is also where exact duplicate keys are found:
 *   - up to JV_HASH_MAX members (every object a Docker body has: a docker
 *     run HostConfig has ~70): an open-addressing table of 2^k >= 2m
 *     slots, keyed by a seeded hash of the key's ASCII fold (or of the key
 *     itself, for keys that do not fold).  Building it is one hash and a
 *     short probe per member; a field lookup is one probe sequence.  Even
 *     if every key of such an object collided, building it costs at most
 *     m^2/2 probes for 4m bytes of input;
 *   - larger objects: members sorted by (the ASCII fold of the key, for
 *     keys that fold; then the exact key), which also puts exact
 *     duplicates side by side: n log n whatever the keys are.
 * A hashed object of JV_VIEW_MIN members or more also gets, after its
 * table, which member each registered name finds (authz_jv_names_register:
 * W = (names + 2) / 2 entries of two uint16), when W <= 4m.
 * Bounds of the index area: an object of m >= 1 members has at least
 * 4m + 1 bytes of its own (brackets, quotes, colons, commas) and takes at
 * most 1 + 4m - 2 entries (a table of the least power of two >= 2m is
 * below 4m; a sorted index takes 1 + m), and up to 4m more for names, so
 * all indexes together take at most 2 len entries.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

#include "authz/authz_jv.h"
#include "common/dw_limits.h"

#define JV_FOLDS	0x1	/* a key all of whose runes fold to ASCII; the fold follows its NUL */
#define JV_HASHED	0x2	/* an object indexed by a hash table (else sorted) */
#define JV_VIEW		0x4	/* a hashed object with a table of registered names (jv_view) */

/*
 * Objects up to this many members get a hash table (see above); the
 * bound keeps a flood of colliding keys quadratic in a small number only.
 */
#define JV_HASH_MAX	128

/*
 * Inputs up to this size fit the 32-bit counts below with room for the
 * 4x text bound; a larger one could not be allocated at ~18 bytes per
 * input byte anyway, so it is -ENOMEM, not a limit of its own.
 */
#define JV_LEN_MAX	((size_t)1 << 28)

struct authz_jv {
	uint8_t		 type;		/* enum authz_jv_type */
	uint8_t		 flags;		/* key: JV_FOLDS; object: JV_HASHED */
	uint32_t	 n;		/* text bytes; array elements; object members */
	union {
		const char	*s;	/* string, key, number: the text, NUL-terminated */
		/*
		 * object, JV_HASHED: [0] slots (a power of two), then the
		 * slots, each 0 (empty) or 1 + a member's position;
		 * otherwise: [0] keys that fold, then the members sorted.
		 */
		const uint32_t	*idx;
	} u;
	union {
		const struct authz_jv *kids;	/* array: elements; object: key, value pairs */
		struct {
			uint32_t hash;		/* jv_hash() of its fold, or of itself */
			uint32_t flen;		/* bytes of its fold (JV_FOLDS) */
		} k;				/* key, in a hashed object or until its object closes */
		uint64_t	 prefix;	/* key, in a sorted object: jv_prefix() of its fold, or of itself */
	} w;
};

struct authz_jv_doc {
	const struct authz_jv	*root;
	unsigned		 flags;
};

struct jv_parser {
	const unsigned char	*in;
	size_t			 len;
	size_t			 p;		/* next input byte */
	struct authz_jv		*nodes;
	size_t			 sp;		/* values waiting: nodes[0, sp) */
	size_t			 fp;		/* placed values: nodes[fp, ncap) */
	uint32_t		*idx;
	size_t			 ip, icap;
	char			*text;
	size_t			 tp, tcap;
	uint32_t		*kpos;		/* waiting key at nodes[i]: its opening quote's offset */
	struct jv_memo		*memo;		/* this thread's shapes, or NULL */
	unsigned		 flags;
	struct dw_err		*err;
};

/* Bytes that stand for themselves inside a string: 0x20..0x7f but '"' and '\\'. */
static const uint8_t jv_plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* '"' */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,	/* '\\' */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/*
 * Sixteen bytes at once (GCC's vector extensions: SSE2 on x86-64, plain
 * code where there is no such unit), signed so that one comparison finds
 * both the control bytes and those above 0x7f; the same bytes as two
 * words.
 */
typedef int8_t		jv_v16 __attribute__((vector_size(16)));
typedef uint8_t		jv_u16 __attribute__((vector_size(16)));
typedef uint64_t	jv_w2 __attribute__((vector_size(16)));

/*
 * Each byte of x that needs a look of its own inside a string (as
 * jv_special8(), but exact): 0xff, else 0.  Signed, the bytes below 0x20
 * and those above 0x7f are below 0x20.
 */
static inline jv_w2
jv_special16(jv_v16 x)
{
	return (jv_w2)((x < 0x20) | (x == '"') | (x == '\\'));
}

/*
 * The 16 ASCII bytes of x (none above 0x7f) with 'a'..'z' upper-cased:
 * x + 31 (unsigned, so it wraps) takes 'a'..'z' to 0x80..0x99 and every
 * other ASCII byte below 0x80 or above 0x99, so one signed comparison
 * finds them.
 */
static inline jv_v16
jv_upper16(jv_v16 x)
{
	return x ^ (((jv_v16)((jv_u16)x + 31) < -102) & 0x20);
}

/* From jv_lead + 16 - n, 16 bytes: n of all ones (n <= 16), then zeros. */
static const int8_t jv_lead[32] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

#define JV_ONES	0x0101010101010101ULL
#define JV_HIGHS	0x8080808080808080ULL

/*
 * Whether any of the 8 bytes of x (loaded from the input) needs a look
 * of its own inside a string: a control byte, '"', '\\', or not ASCII;
 * the lowest mark is the first such byte.  A byte of x at 0x80 or above
 * marks itself.  Below it, the top bit of (v - ONES)'s byte, v being
 * x ^ '"' or x ^ '\\', is set only when v's byte is zero or a borrow
 * comes from below, and likewise (x - 0x20s)'s when x's is below 0x20;
 * a borrow starts only at such a byte.  (The usual zero-byte test also
 * masks with ~v: a byte of v at 0x80 or above is one of x's, which marks
 * itself here.)
 */
static inline uint64_t
jv_special8(uint64_t x)
{
	uint64_t	q = x ^ (JV_ONES * '"'), b = x ^ (JV_ONES * '\\');

	return (x | (x - JV_ONES * 0x20) | (q - JV_ONES) | (b - JV_ONES)) & JV_HIGHS;
}

static bool
jv_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Where the whitespace from in[p] ends. */
static inline size_t
jv_skip_space(const unsigned char *in, size_t len, size_t p)
{
	/* Compact bodies have none: one test for the common case. */
	if (p < len && in[p] > ' ')
		return p;
	while (p < len && jv_space(in[p]))
		p++;
	return p;
}

/* A syntax error at byte `at`: what Go's scanner also refuses. */
static int
jv_bad(struct jv_parser *ps, size_t at, const char *where)
{
	unsigned char	c;

	if (at >= ps->len) {
		dw_err_set(ps->err, "unexpected end of JSON input %s at byte %zu", where, at);
		return -EINVAL;
	}
	c = ps->in[at];
	if (c >= 0x20 && c < 0x7f && c != '\'')
		dw_err_set(ps->err, "invalid character '%c' %s at byte %zu", c, where, at);
	else
		dw_err_set(ps->err, "invalid character 0x%02x %s at byte %zu", c, where, at);
	return -EINVAL;
}

/*
 * One node more on the waiting stack, or NULL (cannot happen by the
 * bounds above).  Inline: a call for each value and key was ~10
 * instructions more than the push.
 */
static inline struct authz_jv *
jv_push(struct jv_parser *ps)
{
	struct authz_jv	*v;

	if (ps->sp >= ps->fp) {
		dw_err_set(ps->err, "internal error: more values than %zu bytes can hold at byte %zu",
		    ps->len, ps->p);
		return NULL;
	}
	v = &ps->nodes[ps->sp++];
	memset(v, 0, sizeof(*v));
	return v;
}

/*
 * Go's utf8.DecodeRune: the rune at s (n bytes available) and its length,
 * or U+FFFD and 1 for anything but the shortest encoding of a scalar
 * value (overlong forms, surrogates, > U+10FFFF, truncated sequences).
 */
static size_t
jv_utf8_decode(const unsigned char *s, size_t n, uint32_t *r)
{
	unsigned char	c = s[0], lo = 0x80, hi = 0xbf;

	if (c < 0x80) {
		*r = c;
		return 1;
	}
	if (c < 0xc2 || c > 0xf4)
		goto bad;
	if (c < 0xe0) {
		if (n < 2 || (s[1] & 0xc0) != 0x80)
			goto bad;
		*r = ((uint32_t)(c & 0x1f) << 6) | (s[1] & 0x3f);
		return 2;
	}
	if (c < 0xf0) {
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		if (n < 3 || s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80)
			goto bad;
		*r = ((uint32_t)(c & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) |
		    (s[2] & 0x3f);
		return 3;
	}
	if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < 4 || s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80 ||
	    (s[3] & 0xc0) != 0x80)
		goto bad;
	*r = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
	    ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
	return 4;
bad:
	*r = 0xfffd;
	return 1;
}

/* r (a scalar value, no surrogate) as UTF-8 at o; its length. */
static size_t
jv_utf8_encode(char *o, uint32_t r)
{
	unsigned char	*u = (unsigned char *)o;

	if (r < 0x80) {
		u[0] = (unsigned char)r;
		return 1;
	}
	if (r < 0x800) {
		u[0] = (unsigned char)(0xc0 | (r >> 6));
		u[1] = (unsigned char)(0x80 | (r & 0x3f));
		return 2;
	}
	if (r < 0x10000) {
		u[0] = (unsigned char)(0xe0 | (r >> 12));
		u[1] = (unsigned char)(0x80 | ((r >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (r & 0x3f));
		return 3;
	}
	u[0] = (unsigned char)(0xf0 | (r >> 18));
	u[1] = (unsigned char)(0x80 | ((r >> 12) & 0x3f));
	u[2] = (unsigned char)(0x80 | ((r >> 6) & 0x3f));
	u[3] = (unsigned char)(0x80 | (r & 0x3f));
	return 4;
}

/* Go's getu4: the value of "\uXXXX" at in[p..], or -1. */
static int32_t
jv_u4(const unsigned char *in, size_t len, size_t p)
{
	int32_t	r = 0;
	size_t	i;
	int	c;

	if (len - p < 6 || in[p] != '\\' || in[p + 1] != 'u')
		return -1;
	for (i = p + 2; i < p + 6; i++) {
		c = in[i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return -1;
		r = r * 16 + c;
	}
	return r;
}

/* The first byte of in[p..p+6) that breaks "\uXXXX" (for the message). */
static size_t
jv_u4_bad_at(const unsigned char *in, size_t len, size_t p)
{
	size_t	i;

	for (i = p + 2; i < p + 6 && i < len; i++)
		if (!((in[i] >= '0' && in[i] <= '9') || (in[i] >= 'a' && in[i] <= 'f') ||
		    (in[i] >= 'A' && in[i] <= 'F')))
			return i;
	return i;
}

int
authz_jv_fold_rune(uint32_t r)
{
	if (r >= 'a' && r <= 'z')
		return (int)(r - 'a' + 'A');
	if (r < 0x80)
		return (int)r;
	if (r == 0x017f)
		return 'S';
	if (r == 0x212a)
		return 'K';
	return 0;
}

/*
 * The 8 ASCII bytes of x (no byte >= 0x80) with 'a'..'z' upper-cased:
 * bit 0x20 off each lower-case letter, with no carry between bytes.
 */
static inline uint64_t
jv_upper8(uint64_t x)
{
	uint64_t	lc;

	lc = (x + JV_ONES * (0x80 - 'a')) & ~(x + JV_ONES * (0x7f - 'z')) & JV_HIGHS;
	return x ^ (lc >> 2);
}

/*
 * The fold of s[0, n) (valid UTF-8 without NUL) into o, NUL-terminated:
 * its length, or -1 when some rune folds to nothing ASCII (such a key
 * matches no struct field).  o has room for n + 1 bytes.
 */
static ssize_t
jv_fold(const char *s, size_t n, char *o)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0, k, w = 0;
	uint32_t		 r;
	int			 c;

	/* Eight ASCII bytes at a time: 0x20 off each of 'a'..'z'. */
	for (; n - i >= 8; i += 8, w += 8) {
		uint64_t	x;

		memcpy(&x, u + i, 8);
		if (x & JV_HIGHS)
			break;
		x = jv_upper8(x);
		memcpy(o + w, &x, 8);
	}
	while (i < n) {
		c = u[i];
		if (c < 0x80) {
			o[w++] = (char)(c - ((unsigned)(c - 'a') < 26 ? 'a' - 'A' : 0));
			i++;
			continue;
		}
		k = jv_utf8_decode(u + i, n - i, &r);
		if ((c = authz_jv_fold_rune(r)) == 0)
			return -1;
		o[w++] = (char)c;
		i += k;
	}
	o[w] = '\0';
	return (ssize_t)w;
}

/*
 * The first 8 bytes of s[0, n), zero-padded, big-endian: prefixes compare
 * as the strings do (no NUL inside), so most comparisons of keys and folds
 * are one integer comparison.
 */
static uint64_t
jv_prefix(const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	uint64_t		 x = 0;
	size_t			 i;

	if (n >= 8) {
		for (i = 0; i < 8; i++)
			x = x << 8 | u[i];
		return x;
	}
	if (n == 0)
		return 0;	/* a shift by 64 would be undefined */
	for (i = 0; i < n; i++)
		x = x << 8 | u[i];
	return x << (8 * (8 - n));
}

/*
 * The process's hash seed: random, so no one can prepare keys that
 * collide in our tables (JV_HASH_MAX bounds what they could do anyway).
 * Set before main() runs, so threads only ever read it.
 */
static uint64_t jv_seed = 0x243f6a8885a308d3ULL;
static bool	jv_seeded;

/*
 * Called by our constructor and by authz_jv_name_prepare(), which other
 * constructors call, in an order no one chooses: whichever runs first
 * sets the seed.  Both run before main(), so there are no threads yet.
 */
static void
jv_seed_once(void)
{
	uint64_t	r;

	if (jv_seeded)
		return;
	jv_seeded = true;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == (ssize_t)sizeof(r))
		jv_seed ^= r;
}

__attribute__((constructor)) static void
jv_seed_init(void)
{
	jv_seed_once();
}

#define JV_MUL1	0xbf58476d1ce4e5b9ULL
#define JV_MUL2	0x94d049bb133111ebULL

/* The state a hash of n bytes starts from: the seed, and the length. */
static inline uint64_t
jv_hash_start(size_t n)
{
	return jv_seed ^ (n * 0x9e3779b97f4a7c15ULL);
}

static inline uint64_t
jv_hash_step(uint64_t h, uint64_t w)
{
	h = (h ^ w) * JV_MUL1;
	return h ^ (h >> 31);
}

static inline uint32_t
jv_hash_end(uint64_t h)
{
	h *= JV_MUL2;
	h ^= h >> 29;
	return (uint32_t)(h >> 32);
}

/*
 * A seeded hash of s[0, n): eight bytes per multiply (the last word
 * zero-padded, in memory order), then a final mix.
 */
static uint32_t
jv_hash(const char *s, size_t n)
{
	uint64_t	h = jv_hash_start(n), w;
	unsigned char	t[8] = { 0 };
	size_t		i;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = jv_hash_step(h, w);
	}
	if (n > 0) {
		for (i = 0; i < n; i++)
			t[i] = (unsigned char)s[i];
		memcpy(&w, t, 8);
		h = jv_hash_step(h, w);
	}
	return jv_hash_end(h);
}

/* jv_hash() of s[0, n) when s[n, n + 8) are zero bytes: whole words only. */
static inline uint32_t
jv_hash_padded(const char *s, size_t n)
{
	uint64_t	h = jv_hash_start(n), w;
	size_t		i;

	for (i = 0; i < n; i += 8) {
		memcpy(&w, s + i, 8);
		h = jv_hash_step(h, w);
	}
	return jv_hash_end(h);
}

/*
 * A key's fold into out and its jv_hash(): the fold's length, or -1 when
 * some rune folds to nothing ASCII (then *hash is that of the key
 * itself).  s[0, n) is the decoded key in the text area, NUL-terminated;
 * out follows that NUL.  For the keys jv_key_fold_plain() cannot take;
 * kept out of line, as its loops would take the registers of the common
 * path through jv_string() (measured: ~30 instructions a key).
 */
static __attribute__((noinline)) ssize_t
jv_key_fold(const char *s, size_t n, char *out, uint32_t *hash)
{
	ssize_t	fl;

	if ((fl = jv_fold(s, n, out)) >= 0)
		*hash = jv_hash(out, (size_t)fl);
	else
		*hash = jv_hash(s, n);
	return fl;
}

/*
 * jv_key_fold() of a key of plain bytes (ASCII: its fold is as long as it
 * is), in one pass of whole words: the hash.  The last word may read
 * up to 7 bytes past the key's NUL and write up to 7 past the fold's:
 * those reads are masked off before use, and the text area's bound
 * (see the top of this file) leaves room for both.
 */
static inline uint32_t
jv_key_fold_plain(const char *s, size_t n, char *out)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t	h = jv_hash_start(n), x;
	size_t		i;

	for (i = 0; i < n; i += 8) {
		memcpy(&x, s + i, 8);
		if (n - i < 8)
			x &= ((uint64_t)1 << (8 * (n - i))) - 1;
		x = jv_upper8(x);
		memcpy(out + i, &x, 8);
		h = jv_hash_step(h, x);
	}
	out[n] = '\0';
	return jv_hash_end(h);
#else
	uint32_t	hash;

	(void)jv_key_fold(s, n, out, &hash);
	return hash;
#endif
}

/*
 * The plain run from in[q] (bytes that stand for themselves) copied to o:
 * where it ends, at a byte that is not plain or at the input's end.
 * Eight bytes at a time while eight remain: all 8 are stored, and those
 * from the special one on are overwritten by what follows (the text area
 * has 16 bytes to spare at its end).
 */
static inline size_t
jv_plain_copy(const unsigned char *in, size_t len, size_t q, char *o)
{
	size_t	start = q;

	for (; len - q >= 8; q += 8) {
		uint64_t	x, m;

		memcpy(&x, in + q, 8);
		memcpy(o + (q - start), &x, 8);
		if ((m = jv_special8(x)) != 0) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			/* A borrow marks only bytes above a special one: the lowest mark is exact. */
			return q + (size_t)__builtin_ctzll(m) / 8;
#else
			break;	/* the byte loop finds it */
#endif
		}
	}
	for (; q < len && jv_plain[in[q]]; q++)
		o[q - start] = (char)in[q];
	return q;
}

/*
 * The node and positions for a string or key of n plain bytes at o (the
 * text area's ps->tp), its closing quote at in[q + n]; a key's fold is
 * stored already and h is its hash state before the end.
 */
static inline __attribute__((always_inline)) void
jv_vec_done(struct jv_parser *ps, struct authz_jv *v, const char *o, size_t n,
    size_t q, bool key, uint64_t h)
{
	v->type = AUTHZ_JV_STRING;
	v->n = (uint32_t)n;
	v->u.s = o;
	if (key) {
		v->flags |= JV_FOLDS;
		v->w.k.hash = jv_hash_end(h);
		v->w.k.flen = (uint32_t)n;
		ps->tp += 2 * n + 2;
	} else
		ps->tp += n + 1;
	ps->p = q + n + 1;
}

/*
 * A string or key whose closing quote is among the 16 bytes from in[q],
 * its bytes before it all plain (so ASCII): read into v, the text area
 * and ps as jv_string_end() would, and true; false, with nothing read,
 * for any other (the general path reads it).  The caller has checked that
 * 16 bytes remain.  Most of a Docker body's keys and strings are that
 * short: two words, kept in registers, are scanned, copied, and for a key
 * folded and hashed, with no loop and no second read.  The stores are
 * whole words: 16 bytes from the string's start, 16 from its fold's
 * (n + 17 bytes at most for n <= 15, within its token's 4(n + 2) and
 * the area's 16 spare).
 */
static inline __attribute__((always_inline)) bool
jv_string16(struct jv_parser *ps, struct authz_jv *v, bool key, size_t q)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const unsigned char	*in = ps->in;
	char			*o = ps->text + ps->tp;
	jv_v16			 x, k, f, lead;
	jv_w2			 m, w;
	uint64_t		 h;
	size_t			 n;

	memcpy(&x, in + q, 16);
	m = jv_special16(x);
	if (m[0] != 0)
		n = (size_t)__builtin_ctzll(m[0]) / 8;
	else if (m[1] != 0)
		n = 8 + (size_t)__builtin_ctzll(m[1]) / 8;
	else
		return false;
	if (in[q + n] != '"')
		return false;
	/* The bytes from the quote on cleared: the string's NUL, the fold's. */
	memcpy(&lead, jv_lead + 16 - n, 16);
	k = x & lead;
	memcpy(o, &k, 16);
	h = 0;
	if (key) {
		/* jv_key_fold_plain(), its words already at hand. */
		f = jv_upper16(k);
		memcpy(o + n + 1, &f, 16);
		w = (jv_w2)f;
		h = jv_hash_start(n);
		if (n > 0)
			h = jv_hash_step(h, w[0]);
		if (n > 8)
			h = jv_hash_step(h, w[1]);
	}
	jv_vec_done(ps, v, o, n, q, key, h);
	return true;
#else
	(void)ps;
	(void)v;
	(void)key;
	(void)q;
	return false;
#endif
}

/*
 * jv_string16() for a string or key of 16 to 31 plain bytes, its closing
 * quote among the 32 bytes from in[q] (the caller has checked that 32
 * remain): the longer keys of a Docker body (BlkioDeviceWriteIOps,
 * CpuRealtimeRuntime) and paths.  Out of line, so as not to take the
 * registers of the inline path.  It stores 32 bytes from the string's
 * start and from its fold's (n + 33 bytes at most, within its token's
 * 4(n + 2) and the area's 16 spare for n >= 3).
 */
static __attribute__((noinline)) bool
jv_string32(struct jv_parser *ps, const unsigned char *in, size_t q,
    struct authz_jv *v, bool key)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	char			*o = ps->text + ps->tp;
	jv_v16			 x0, x1, k1, f0, f1, lead;
	jv_w2			 m, w0, w1;
	uint64_t		 h;
	size_t			 n;

	memcpy(&x0, in + q, 16);
	memcpy(&x1, in + q + 16, 16);
	m = jv_special16(x0);
	if ((m[0] | m[1]) != 0)
		return false;
	m = jv_special16(x1);
	if (m[0] != 0)
		n = 16 + (size_t)__builtin_ctzll(m[0]) / 8;
	else if (m[1] != 0)
		n = 24 + (size_t)__builtin_ctzll(m[1]) / 8;
	else
		return false;
	if (in[q + n] != '"')
		return false;
	memcpy(&lead, jv_lead + 32 - n, 16);
	k1 = x1 & lead;
	memcpy(o, &x0, 16);
	memcpy(o + 16, &k1, 16);
	h = 0;
	if (key) {
		f0 = jv_upper16(x0);
		f1 = jv_upper16(k1);
		memcpy(o + n + 1, &f0, 16);
		memcpy(o + n + 17, &f1, 16);
		w0 = (jv_w2)f0;
		w1 = (jv_w2)f1;
		h = jv_hash_step(jv_hash_step(jv_hash_start(n), w0[0]), w0[1]);
		if (n > 16)
			h = jv_hash_step(h, w1[0]);
		if (n > 24)
			h = jv_hash_step(h, w1[1]);
	}
	jv_vec_done(ps, v, o, n, q, key, h);
	return true;
#else
	(void)ps;
	(void)in;
	(void)q;
	(void)v;
	(void)key;
	return false;
#endif
}

/*
 * v is the string of n bytes at the text area's ps->tp, its closing quote
 * at end - 1: NUL-terminate it, put a key's fold after it, read on.
 * plain: its bytes are all plain ones (so ASCII).
 */
static inline int
jv_string_end(struct jv_parser *ps, struct authz_jv *v, bool key, bool plain,
    size_t n, size_t end)
{
	char	*o = ps->text + ps->tp;
	size_t	 tp = ps->tp + n + 1;
	ssize_t	 fl;

	o[n] = '\0';
	v->type = AUTHZ_JV_STRING;
	v->n = (uint32_t)n;
	v->u.s = o;
	if (key && plain) {
		v->w.k.hash = jv_key_fold_plain(o, n, o + n + 1);
		v->flags |= JV_FOLDS;
		v->w.k.flen = (uint32_t)n;
		tp += n + 1;
	} else if (key && (fl = jv_key_fold(o, n, o + n + 1, &v->w.k.hash)) >= 0) {
		v->flags |= JV_FOLDS;
		v->w.k.flen = (uint32_t)fl;
		tp += (size_t)fl + 1;
	}
	ps->tp = tp;
	ps->p = end;
	return 0;
}

/*
 * The string or key at ps->p (its opening quote) into v, decoded as Go's
 * unquote does: what jv_string() does not finish by itself.  Its plain
 * run up to in[from] is already in the text area; decoding goes on from
 * there.  Out of line for the same reason as jv_key_fold().
 */
static __attribute__((noinline)) int
jv_unquote(struct jv_parser *ps, struct authz_jv *v, bool key, size_t from)
{
	const unsigned char	*in = ps->in;
	size_t			 len = ps->len, p = from, q, at;
	char			*o0 = ps->text + ps->tp, *o = o0 + (from - ps->p - 1);
	int32_t			 r, r2;
	uint32_t		 u;

	for (;;) {
		q = jv_plain_copy(in, len, p, o);
		o += q - p;
		p = q;
		if (p >= len)
			return jv_bad(ps, p, "in string literal");
		if (in[p] == '"') {
			p++;
			break;
		}
		if (in[p] == '\\') {
			at = p;
			if (p + 1 >= len)
				return jv_bad(ps, p + 1, "in string escape code");
			switch (in[p + 1]) {
			case '"':
			case '\\':
			case '/':
				*o++ = (char)in[p + 1];
				p += 2;
				continue;
			case 'b':
				*o++ = '\b';
				p += 2;
				continue;
			case 'f':
				*o++ = '\f';
				p += 2;
				continue;
			case 'n':
				*o++ = '\n';
				p += 2;
				continue;
			case 'r':
				*o++ = '\r';
				p += 2;
				continue;
			case 't':
				*o++ = '\t';
				p += 2;
				continue;
			case 'u':
				break;
			default:
				return jv_bad(ps, p + 1, "in string escape code");
			}
			if ((r = jv_u4(in, len, p)) < 0)
				return jv_bad(ps, jv_u4_bad_at(in, len, p),
				    "in \\u hexadecimal character escape");
			p += 6;
			if (r >= 0xd800 && r < 0xe000) {
				/*
				 * Go combines a high surrogate with a following
				 * \u low one; anything else (a lone half, a
				 * pair in the wrong order, \uD800\u0041) is
				 * U+FFFD, and the second escape is read on its
				 * own.
				 */
				r2 = jv_u4(in, len, p);
				if (r < 0xdc00 && r2 >= 0xdc00 && r2 < 0xe000) {
					r = 0x10000 + ((r - 0xd800) << 10) + (r2 - 0xdc00);
					p += 6;
				} else {
					r = 0xfffd;
					ps->flags |= AUTHZ_JV_REPLACED_UTF8;
				}
			}
			if (r == 0) {
				dw_err_set(ps->err, "\\u0000 in a %s at byte %zu: refused "
				    "(C strings cannot hold it)", key ? "key" : "string", at);
				return -EINVAL;
			}
			o += jv_utf8_encode(o, (uint32_t)r);
			continue;
		}
		if (in[p] < 0x20) {
			if (in[p] == 0) {
				dw_err_set(ps->err, "NUL byte in a %s at byte %zu",
				    key ? "key" : "string", p);
				return -EINVAL;
			}
			return jv_bad(ps, p, "in string literal");
		}
		/* Not ASCII: valid UTF-8 is kept, each invalid byte becomes U+FFFD. */
		q = jv_utf8_decode(in + p, len - p, &u);
		if (q == 1) {
			o += jv_utf8_encode(o, 0xfffd);
			ps->flags |= AUTHZ_JV_REPLACED_UTF8;
		} else {
			memcpy(o, in + p, q);
			o += q;
		}
		p += q;
	}
	return jv_string_end(ps, v, key, false, (size_t)(o - o0), p);
}

/*
 * The string or key at ps->p (its opening quote) into v: decoded as Go's
 * unquote does, NUL-terminated in the text area, a key followed by its
 * fold.  Always inline (the compiler would not): a call for each key and
 * string saved six registers and loaded the parser's fields again.
 */
static inline __attribute__((always_inline)) int
jv_string(struct jv_parser *ps, struct authz_jv *v, bool key)
{
	const unsigned char	*in = ps->in;
	size_t			 len = ps->len, p = ps->p, end;

	/*
	 * Most strings are one plain run up to their closing quote, which
	 * is their text as it is; any other is decoded on from where its
	 * plain run ends.
	 */
	if (len - p > 16 && jv_string16(ps, v, key, p + 1))
		return 0;
	if (len - p > 32 && jv_string32(ps, in, p + 1, v, key))
		return 0;
	end = jv_plain_copy(in, len, p + 1, ps->text + ps->tp);
	if (end < len && in[end] == '"')
		return jv_string_end(ps, v, key, true, end - p - 1, end + 1);
	return jv_unquote(ps, v, key, end);
}

static bool
jv_digit(const unsigned char *in, size_t len, size_t p)
{
	return p < len && in[p] >= '0' && in[p] <= '9';
}

/* Go's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
jv_number(struct jv_parser *ps, struct authz_jv *v)
{
	const unsigned char	*in = ps->in;
	size_t			 len = ps->len, p = ps->p, start = ps->p;
	char			*o = ps->text + ps->tp;

	/* Most are one digit before a ',', '}' or ']': a docker run body's zeros. */
	if (len - p >= 2 && (unsigned)(in[p] - '0') < 10 &&
	    (in[p + 1] == ',' || in[p + 1] == '}' || in[p + 1] == ']')) {
		o[0] = (char)in[p];
		o[1] = '\0';
		v->type = AUTHZ_JV_NUMBER;
		v->n = 1;
		v->u.s = o;
		ps->tp += 2;
		ps->p = p + 1;
		return 0;
	}
	if (in[p] == '-')
		p++;
	if (!jv_digit(in, len, p))
		return jv_bad(ps, p, "in numeric literal");
	if (in[p++] != '0')
		while (jv_digit(in, len, p))
			p++;
	if (p < len && in[p] == '.') {
		if (!jv_digit(in, len, ++p))
			return jv_bad(ps, p, "after decimal point in numeric literal");
		while (jv_digit(in, len, p))
			p++;
	}
	if (p < len && (in[p] == 'e' || in[p] == 'E')) {
		p++;
		if (p < len && (in[p] == '+' || in[p] == '-'))
			p++;
		if (!jv_digit(in, len, p))
			return jv_bad(ps, p, "in exponent of numeric literal");
		while (jv_digit(in, len, p))
			p++;
	}
	if (p - start < 8 && len - start >= 8) {
		/* Most are short: one word (the text area has 16 bytes to spare). */
		uint64_t	x;

		memcpy(&x, in + start, 8);
		memcpy(o, &x, 8);
	} else
		memcpy(o, in + start, p - start);
	o[p - start] = '\0';
	v->type = AUTHZ_JV_NUMBER;
	v->n = (uint32_t)(p - start);
	v->u.s = o;
	ps->tp += p - start + 1;
	ps->p = p;
	return 0;
}

/*
 * The literal word ("true", "false" or "null") at ps->p into v.  Inline,
 * so that each call compares a constant of 4 or 5 bytes at once.
 */
static inline int
jv_literal(struct jv_parser *ps, struct authz_jv *v, const char *word,
    enum authz_jv_type type)
{
	size_t	i, n = strlen(word);

	if (ps->len - ps->p < n || memcmp(ps->in + ps->p, word, n) != 0) {
		/* The first byte that differs, or the end, for the message. */
		for (i = 0; ps->p + i < ps->len && ps->in[ps->p + i] == (unsigned char)word[i]; i++)
			;
		return jv_bad(ps, ps->p + i, "in literal");
	}
	v->type = (uint8_t)type;
	ps->p += n;
	return 0;
}

/*
 * Member order of an object's index: keys that fold first, by fold; then
 * by the exact key; then by position (a total order, so the sort needs no
 * stability).
 */
static int
jv_member_cmp(const struct authz_jv *kids, uint32_t a, uint32_t b)
{
	const struct authz_jv	*ka = &kids[2 * (size_t)a], *kb = &kids[2 * (size_t)b];
	size_t			 n;
	int			 c;

	if ((ka->flags ^ kb->flags) & JV_FOLDS)
		return (ka->flags & JV_FOLDS) ? -1 : 1;
	if (ka->w.prefix != kb->w.prefix)
		return ka->w.prefix < kb->w.prefix ? -1 : 1;
	if ((ka->flags & JV_FOLDS) &&
	    (c = strcmp(ka->u.s + ka->n + 1, kb->u.s + kb->n + 1)) != 0)
		return c;
	n = ka->n < kb->n ? ka->n : kb->n;
	if ((c = memcmp(ka->u.s, kb->u.s, n)) != 0)
		return c;
	if (ka->n != kb->n)
		return ka->n < kb->n ? -1 : 1;
	return a < b ? -1 : a > b;
}

static void
jv_sift(const struct authz_jv *kids, uint32_t *ix, size_t root, size_t n)
{
	size_t		 child;
	uint32_t	 t;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && jv_member_cmp(kids, ix[child], ix[child + 1]) < 0)
			child++;
		if (jv_member_cmp(kids, ix[root], ix[child]) >= 0)
			return;
		t = ix[root];
		ix[root] = ix[child];
		ix[child] = t;
		root = child;
	}
}

#define JV_INSERTION_MAX	256	/* larger objects are heapsorted: no quadratic moves */

/*
 * Sort ix[0, n): binary insertion (few comparisons; the moves are a
 * memmove of a few hundred bytes at most) for the objects bodies have,
 * heapsort beyond (n log n whatever the input).
 */
static void
jv_sort(const struct authz_jv *kids, uint32_t *ix, size_t n)
{
	size_t		 i, lo, hi, mid;
	uint32_t	 t;

	if (n <= JV_INSERTION_MAX) {
		for (i = 1; i < n; i++) {
			t = ix[i];
			lo = 0;
			hi = i;
			while (lo < hi) {
				mid = lo + (hi - lo) / 2;
				if (jv_member_cmp(kids, ix[mid], t) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			memmove(&ix[lo + 1], &ix[lo], (i - lo) * sizeof(*ix));
			ix[lo] = t;
		}
		return;
	}
	for (i = n / 2; i > 0; i--)
		jv_sift(kids, ix, i - 1, n);
	for (i = n - 1; i > 0; i--) {
		t = ix[0];
		ix[0] = ix[i];
		ix[i] = t;
		jv_sift(kids, ix, 0, i);
	}
}

static void
jv_key_quote(char *out, size_t size, const struct authz_jv *k)
{
	size_t	i, o = 0;
	unsigned char c;

	for (i = 0; i < k->n && o + 5 < size; i++) {
		c = (unsigned char)k->u.s[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
	}
	out[o] = '\0';
}

/*
 * ---- Registered names: which member each finds, per large object ----
 *
 * Set once before main() (authz_jv_names_register), read-only after.
 */
#define JV_VIEW_MIN	16	/* smaller objects keep short probes without a table */
#define JV_VIEW_AMBIG	0xffff	/* two or more keys fold to the name */
#define JV_NAMES_SLOTS	512	/* >= 2 * AUTHZ_JV_NAMES_MAX: probes stay short */

struct jv_names {
	const struct authz_jv_name	*v;
	size_t				 n;
	uint16_t			 ix[JV_NAMES_SLOTS];	/* 1 + a name's place, or 0 */
};

static struct jv_names	jv_names;

/* uint32 entries an object's name table takes (0 when none are registered). */
static inline size_t
jv_view_words(void)
{
	return jv_names.n == 0 ? 0 : (jv_names.n + 2) / 2;
}

/*
 * view[1 + i]: 1 + the member (of kids, m of them) whose key folds to
 * registered name i, JV_VIEW_AMBIG for two or more, 0 for none: what a
 * probe for that name would answer.  view[0] is unused.
 */
static void
jv_view_build(const struct authz_jv *kids, size_t m, uint16_t *view)
{
	const struct authz_jv		*k;
	const struct authz_jv_name	*nm;
	size_t				 i, j;
	uint16_t			 e;

	memset(view, 0, 2 * jv_view_words() * sizeof(*view));
	for (i = 0; i < m; i++) {
		k = &kids[2 * i];
		if (!(k->flags & JV_FOLDS))
			continue;
		for (j = k->w.k.hash & (JV_NAMES_SLOTS - 1); (e = jv_names.ix[j]) != 0;
		    j = (j + 1) & (JV_NAMES_SLOTS - 1)) {
			nm = &jv_names.v[e - 1];
			if (nm->hash == k->w.k.hash && nm->n == k->w.k.flen &&
			    memcmp(k->u.s + k->n + 1, nm->fold, nm->n) == 0) {
				view[e] = view[e] == 0 ? (uint16_t)(i + 1) : JV_VIEW_AMBIG;
				break;
			}
		}
	}
}

/*
 * ---- Shapes: the members of large objects, remembered per thread ----
 *
 * Docker's clients write a create body from Go structs: one client's
 * bodies have the same members in the same order, and most values are a
 * struct field's zero (false, 0, "", null, [], {}).  Each thread keeps
 * the last few objects of JV_SHAPE_MIN members or more that it read, as
 * shapes: each member's bytes as written, with what reading them gave.
 * A member is then read by comparing the input with the member the shape
 * predicts, and where the bytes are equal, what they gave is copied
 * instead of computed:
 *   - `"key":` equal: the key's text, fold and hash;
 *   - `"key":value` equal, followed by a byte that ends a value inside an
 *     object (',', '}' or whitespace): the value too.  Only values that
 *     carry nothing of the caller's are remembered (true, false, null, 0,
 *     "", [], {}), so how long a read takes says nothing about another
 *     caller's names, paths or numbers;
 *   - every member's key equal, in order, and no other member: the
 *     object's index, which depends on the keys alone (it was built from
 *     the same keys, so they hold no duplicate either).
 * From the first member whose bytes differ, the object is read as
 * before; it then becomes the shape (replacing the one it departed
 * from, else the least recently used).  A shape is learned only from
 * an object read without error, and only when all its keys are plain
 * (no escape, nothing but printable ASCII) and each remembered value is
 * written with no space around it.  The document is the same either way:
 * it never points into a shape (everything is copied), and the tests read
 * every input both cold (a new thread) and warm and compare.
 */
#define JV_SHAPE_MIN	8	/* smaller objects (LogConfig, RestartPolicy) do not take a slot */
#define JV_SKEY_MAX	64	/* longer keys are not remembered */

/*
 * A run: members in a row whose values are remembered, each written
 * right after the ',' that ends the one before.  The store keeps a run's
 * bytes (commas included) and its texts contiguous, so a run is compared
 * in one pass and its texts copied in one move.
 */
struct jv_smember {
	uint16_t	 raw;	/* its bytes in store: `"key":`, a remembered value, ',' if a run goes on */
	uint16_t	 text;	/* in tstore: the key's text, NUL, fold, NUL, then "0" or "" and NUL */
	uint16_t	 span;	/* remembered value: bytes from raw to the end of its run's last value */
	uint16_t	 tspan;	/* ... and of tstore from text to the end of that run's texts */
	uint8_t		 klen;	/* bytes of `"key":` (the key's + 3) */
	uint8_t		 vlen;	/* bytes of its remembered value, 0 for none */
	uint8_t		 vtype;	/* that value's type */
	uint8_t		 rn;	/* members of the run from here (0: value not remembered) */
	uint32_t	 hash;	/* the key's hash (of its fold) */
};

/*
 * A shape's parts live in one allocation of the size it needs (block):
 * a thread that has read a docker run body keeps a few KiB, not the caps.
 */
struct jv_shape {
	uint64_t		 first;		/* the first member's first 8 bytes (masked) */
	uint64_t		 fmask;		/* which of those are its own */
	uint64_t		 used;		/* last read or learned (least recently used goes) */
	uint32_t		 gen;		/* learned anew: objects reading it stop */
	uint32_t		 n;		/* members; 0: an empty slot */
	void			*block;		/* owns m, ix, store, tstore; NULL when empty */
	struct jv_smember	*m;		/* n members */
	uint32_t		*ix;		/* its index (and name table), as jv_close built it */
	uint32_t		 nix;
	bool			 viewed;	/* JV_VIEW */
	char			*store;		/* members' bytes (DW_JV_SHAPE_BYTES at most) */
	char			*tstore;	/* their texts (as much), + 16: copied 16 bytes at a time */
};

struct jv_memo {
	uint64_t		 tick;
	struct jv_shape		 s[DW_JV_SHAPES];
};

/* This thread's memo, freed when the thread ends. */
static _Thread_local struct jv_memo *jv_memo_tls;
static pthread_key_t	jv_memo_key;
static pthread_once_t	jv_memo_once = PTHREAD_ONCE_INIT;
static bool		jv_memo_keyed;

/* The thread's key destructor: a parse after it (another destructor's) starts a new memo. */
static void
jv_memo_free(void *m)
{
	struct jv_memo	*mm = m;
	size_t		 i;

	jv_memo_tls = NULL;
	for (i = 0; i < DW_JV_SHAPES; i++)
		free(mm->s[i].block);
	free(mm);
}

static void
jv_memo_key_init(void)
{
	jv_memo_keyed = pthread_key_create(&jv_memo_key, jv_memo_free) == 0;
}

/* This thread's memo, made on first use; NULL (nothing remembered) if it cannot be. */
static struct jv_memo *
jv_memo_get(void)
{
	struct jv_memo	*m = jv_memo_tls;

	if (m != NULL)
		return m;
	if (pthread_once(&jv_memo_once, jv_memo_key_init) != 0 || !jv_memo_keyed ||
	    (m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if (pthread_setspecific(jv_memo_key, m) != 0) {
		free(m);
		return NULL;
	}
	jv_memo_tls = m;
	return m;
}

/* The shape whose first member starts as in[0, avail) does (a guess: members are compared). */
static struct jv_shape *
jv_shape_find(struct jv_memo *mm, const unsigned char *in, size_t avail)
{
	uint64_t	x;
	size_t		i;

	/* Eight members take more than eight bytes. */
	if (mm == NULL || avail < 8)
		return NULL;
	memcpy(&x, in, 8);
	for (i = 0; i < DW_JV_SHAPES; i++)
		if (mm->s[i].n != 0 && (x & mm->s[i].fmask) == mm->s[i].first)
			return &mm->s[i];
	return NULL;
}

/* A byte that may follow a value inside an object. */
static inline bool
jv_ends_member(unsigned char c)
{
	return c == ',' || c == '}' || jv_space(c);
}

struct jv_open {
	size_t			 start;	/* its first waiting value */
	enum authz_jv_type	 type;
	struct jv_shape		*found;	/* an object's shape when it opened, or NULL */
	struct jv_shape		*shape;	/* found, while every member so far was its next */
	uint32_t		 gen;	/* found's when it opened */
	uint32_t		 sj;	/* members read from the shape */
};

/* The 8 bytes at s, as a word (memory order). */
static inline uint64_t
jv_word(const void *s)
{
	uint64_t	x;

	memcpy(&x, s, 8);
	return x;
}

/*
 * Whether a[0, n) equals b[0, n), n >= 1: whole words, the last one
 * overlapping the one before it (so nothing past n is read); under 8
 * bytes, memcmp.
 */
static inline bool
jv_eq(const unsigned char *a, const char *b, size_t n)
{
	size_t	i;

	if (n < 8)
		return memcmp(a, b, n) == 0;
	for (i = 0; i + 8 < n; i += 8)
		if (jv_word(a + i) != jv_word(b + i))
			return false;
	return jv_word(a + n - 8) == jv_word(b + n - 8);
}

/*
 * Copy s[0, n) to o, n >= 1, in 16-byte moves, the last one overlapping
 * the one before it: under 16 bytes, one move of 16 (o has room for 16:
 * the text area's spare; s is a shape's tstore, padded).
 */
static inline void
jv_copy16(char *o, const char *s, size_t n)
{
	size_t	i;

	if (n <= 16) {
		memcpy(o, s, 16);
		return;
	}
	for (i = 0; i + 16 < n; i += 16)
		memcpy(o + i, s + i, 16);
	memcpy(o + n - 16, s + n - 16, 16);
}

/*
 * Members of o from its shape, from in[p] (where a member's key should
 * start): as many in a row as the input repeats, key and value, each
 * followed by ','.  Then:
 *   - 2: the last one's value too, ps->p after it (at '}' or a space);
 *   - 1: a key alone, ps->p after its colon: its value is to be read;
 *   - 0: ps->p where the next member starts, to be read without the
 *     shape (o->shape is NULL from then on);
 *   - -EINVAL: cannot happen (the bounds above).
 */
static int
jv_memo_run(struct jv_parser *ps, struct jv_open *o, size_t p)
{
	const struct jv_shape	*sh = o->shape;
	const struct jv_smember	*sm;
	const unsigned char	*in = ps->in;
	const char		*raw, *src;
	struct authz_jv		*nodes = ps->nodes, *k, *v;
	uint32_t		*kpos = ps->kpos;
	/* Locals, written back once: stores through t would reload fields. */
	size_t			 len = ps->len, sp = ps->sp, tp = ps->tp, fp = ps->fp,
				 sj = o->sj, full, kn, q, qe, norun = 0;
	char			*text = ps->text, *t;
	unsigned char		 c = 0;
	bool			 both;
	int			 rc = 0;

	if (sh->gen != o->gen)
		goto differ;
	for (; sj < sh->n; sj++) {
		sm = &sh->m[sj];
		raw = sh->store + sm->raw;
		/* A run from here, in one compare (once: if it differs, member by member). */
		if (sm->rn > 1 && sj >= norun) {
			if (len - p > sm->span && jv_eq(in + p, raw, sm->span) &&
			    jv_ends_member(c = in[p + sm->span])) {
				if (fp - sp < 2 * (size_t)sm->rn) {
					dw_err_set(ps->err, "internal error: more values than "
					    "%zu bytes can hold at byte %zu", ps->len, p);
					rc = -EINVAL;
					goto out;
				}
				t = text + tp;
				memcpy(t, sh->tstore + sm->text, sm->tspan);
				tp += sm->tspan;
				for (q = sj, qe = sj + sm->rn; q < qe; q++) {
					const struct jv_smember	*mq = &sh->m[q];

					kn = (size_t)mq->klen - 3;
					kpos[sp] = (uint32_t)(p + (mq->raw - sm->raw));
					k = &nodes[sp++];
					k->type = AUTHZ_JV_STRING;
					k->flags = JV_FOLDS;
					k->n = (uint32_t)kn;
					k->u.s = t + (mq->text - sm->text);
					k->w.k.hash = mq->hash;
					k->w.k.flen = (uint32_t)kn;
					v = &nodes[sp++];
					v->type = mq->vtype;
					v->flags = 0;
					v->n = mq->vtype == AUTHZ_JV_NUMBER;
					v->u.s = mq->vtype == AUTHZ_JV_NUMBER ||
					    mq->vtype == AUTHZ_JV_STRING ? k->u.s + 2 * kn + 2 : NULL;
					v->w.kids = mq->vtype == AUTHZ_JV_OBJECT ||
					    mq->vtype == AUTHZ_JV_ARRAY ? &nodes[fp] : NULL;
				}
				p += sm->span;
				sj = qe - 1;
				if (c != ',') {
					sj++;
					rc = 2;
					goto out;
				}
				p++;
				continue;
			}
			norun = sj + sm->rn;
		}
		full = (size_t)sm->klen + sm->vlen;
		both = sm->vlen != 0 && len - p > full &&
		    jv_eq(in + p, raw, full) && jv_ends_member(c = in[p + full]);
		if (!both && (len - p < sm->klen || !jv_eq(in + p, raw, sm->klen)))
			goto differ;
		/* Two nodes: the key and (both) its value. */
		if (fp - sp < 2) {
			dw_err_set(ps->err, "internal error: more values than %zu bytes "
			    "can hold at byte %zu", ps->len, p);
			rc = -EINVAL;
			goto out;
		}
		kpos[sp] = (uint32_t)p;
		k = &nodes[sp++];
		kn = (size_t)sm->klen - 3;
		/* Its text, NUL, fold, NUL (the text area has 16 bytes to spare). */
		t = text + tp;
		src = sh->tstore + sm->text;
		jv_copy16(t, src, 2 * kn + 2);
		tp += 2 * kn + 2;
		k->type = AUTHZ_JV_STRING;
		k->flags = JV_FOLDS;
		k->n = (uint32_t)kn;
		k->u.s = t;
		k->w.k.hash = sm->hash;
		k->w.k.flen = (uint32_t)kn;
		if (!both) {
			p += sm->klen;
			sj++;
			rc = 1;
			goto out;
		}
		v = &nodes[sp++];
		v->type = sm->vtype;
		v->flags = 0;
		v->n = 0;
		v->u.s = NULL;
		v->w.kids = NULL;
		if (sm->vtype == AUTHZ_JV_NUMBER || sm->vtype == AUTHZ_JV_STRING) {
			/* "0" or "": the text as the reader copies it. */
			t = text + tp;
			t[0] = sm->vtype == AUTHZ_JV_NUMBER ? '0' : '\0';
			t[1] = '\0';
			v->n = sm->vtype == AUTHZ_JV_NUMBER;
			v->u.s = t;
			tp += v->n + 1;
		} else if (sm->vtype == AUTHZ_JV_OBJECT || sm->vtype == AUTHZ_JV_ARRAY)
			v->w.kids = &nodes[fp];	/* empty, as jv_close leaves one */
		p += full;
		if (c != ',') {
			sj++;
			rc = 2;
			goto out;
		}
		p++;
	}
differ:
	o->shape = NULL;
out:
	ps->sp = sp;
	ps->tp = tp;
	ps->p = p;
	o->sj = (uint32_t)sj;
	return rc;
}

/* Whether in[0, n) are all plain bytes (a key that is its own text). */
static bool
jv_all_plain(const unsigned char *in, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!jv_plain[in[i]])
			return false;
	return true;
}

/*
 * The bytes of a value remembered with its key (at in[vp]), for value v,
 * or 0 when v is not one of those (see above) or not written compactly.
 */
static size_t
jv_memo_value_len(const unsigned char *in, size_t len, size_t vp,
    const struct authz_jv *v)
{
	static const char *const word[] = {
		[AUTHZ_JV_NULL] = "null", [AUTHZ_JV_FALSE] = "false",
		[AUTHZ_JV_TRUE] = "true", [AUTHZ_JV_NUMBER] = "0",
		[AUTHZ_JV_STRING] = "\"\"", [AUTHZ_JV_ARRAY] = "[]",
		[AUTHZ_JV_OBJECT] = "{}",
	};
	const char	*w;
	size_t		 n;

	if (v->type > AUTHZ_JV_OBJECT || (w = word[v->type]) == NULL)
		return 0;
	if (v->type >= AUTHZ_JV_NUMBER && v->n != (v->type == AUTHZ_JV_NUMBER))
		return 0;	/* only 0, "", [] and {} */
	n = strlen(w);
	if (len - vp < n || memcmp(in + vp, w, n) != 0)
		return 0;
	return n;
}

/* What jv_learn() keeps of member i of the object just closed. */
struct jv_lmember {
	size_t	kp, kn;		/* its key's quote at in[kp], its length */
	size_t	vl, vt;		/* a remembered value's bytes, and its text's (with NUL) */
	bool	comma;		/* its run goes on: the next member right after its ',' */
};

/*
 * Member i (of m, waiting from nodes[start]; kids where they closed) as
 * a shape can hold it, into *lm: false when it cannot (a key not plain
 * or not compact, or longer than JV_SKEY_MAX).
 */
static bool
jv_learn_member(const struct jv_parser *ps, size_t start, const struct authz_jv *kids,
    size_t m, size_t i, struct jv_lmember *lm)
{
	const struct authz_jv	*k = &kids[2 * i], *v = &kids[2 * i + 1];
	const unsigned char	*in = ps->in;
	size_t			 len = ps->len, vp;

	lm->kp = ps->kpos[start + 2 * i];
	lm->kn = k->n;
	if (!(k->flags & JV_FOLDS) || k->w.k.flen != lm->kn || lm->kn > JV_SKEY_MAX ||
	    len - lm->kp < lm->kn + 3 || in[lm->kp] != '"' ||
	    !jv_all_plain(in + lm->kp + 1, lm->kn) || in[lm->kp + 1 + lm->kn] != '"' ||
	    in[lm->kp + 2 + lm->kn] != ':')
		return false;
	vp = lm->kp + lm->kn + 3;
	lm->vl = jv_memo_value_len(in, len, vp, v);
	lm->comma = lm->vl != 0 && i + 1 < m && len - vp > lm->vl && in[vp + lm->vl] == ',' &&
	    ps->kpos[start + 2 * i + 2] == vp + lm->vl + 1;
	lm->vt = lm->vl == 0 ? 0 : v->type == AUTHZ_JV_NUMBER ? 2 :
	    v->type == AUTHZ_JV_STRING ? 1 : 0;
	return true;
}

/*
 * Remember the object just closed (its members at kids, m of them, which
 * waited from nodes[start]; its index ix of nix entries, with a name
 * table if viewed) as a shape, in place of `found` or of the least
 * recently used.  Gives up, leaving the slot empty, on anything a shape
 * cannot hold (or no memory).
 */
static void
jv_learn(struct jv_parser *ps, size_t start, const struct authz_jv *kids,
    size_t m, const uint32_t *ix, size_t nix, bool viewed, struct jv_shape *found)
{
	struct jv_memo		*mm = ps->memo;
	struct jv_shape		*sh = found;
	struct jv_smember	*sm;
	struct jv_lmember	 lm;
	const unsigned char	*in = ps->in;
	size_t			 i, need, nraw = 0, ntext = 0, at = 0, tat = 0;
	char			*block;

	if (sh == NULL) {
		sh = &mm->s[0];
		for (i = 1; i < DW_JV_SHAPES; i++)
			if (mm->s[i].used < sh->used)
				sh = &mm->s[i];
	}
	/* From here on, objects still reading it see another generation. */
	sh->gen++;
	sh->n = 0;
	free(sh->block);
	sh->block = NULL;
	/* The sizes first: one allocation, as large as this object needs. */
	for (i = 0; i < m; i++) {
		if (!jv_learn_member(ps, start, kids, m, i, &lm))
			return;
		nraw += lm.kn + 3 + lm.vl + lm.comma;
		ntext += 2 * lm.kn + 2 + lm.vt;
	}
	if (nraw > DW_JV_SHAPE_BYTES || ntext > DW_JV_SHAPE_BYTES)
		return;
	if ((block = malloc(m * sizeof(*sh->m) + nix * sizeof(*sh->ix) + nraw +
	    ntext + 16)) == NULL)
		return;
	sh->block = block;
	sh->m = (struct jv_smember *)(void *)block;
	sh->ix = (uint32_t *)(void *)(block + m * sizeof(*sh->m));
	sh->store = block + m * sizeof(*sh->m) + nix * sizeof(*sh->ix);
	sh->tstore = sh->store + nraw;
	for (i = 0; i < m; i++) {
		(void)jv_learn_member(ps, start, kids, m, i, &lm);
		need = lm.kn + 3 + lm.vl + lm.comma;
		sm = &sh->m[i];
		sm->raw = (uint16_t)at;
		memcpy(sh->store + at, in + lm.kp, need);
		at += need;
		sm->text = (uint16_t)tat;
		memcpy(sh->tstore + tat, kids[2 * i].u.s, 2 * lm.kn + 2);
		if (lm.vt != 0)
			memcpy(sh->tstore + tat + 2 * lm.kn + 2, lm.vt == 2 ? "0" : "", lm.vt);
		tat += 2 * lm.kn + 2 + lm.vt;
		sm->klen = (uint8_t)(lm.kn + 3);
		sm->vlen = (uint8_t)lm.vl;
		sm->vtype = kids[2 * i + 1].type;
		sm->hash = kids[2 * i].w.k.hash;
		sm->rn = lm.comma;	/* for now: whether its run goes on */
	}
	/* Runs, from the last member back. */
	for (i = m; i-- > 0;) {
		sm = &sh->m[i];
		if (sm->vlen == 0) {
			sm->rn = 0;
			continue;
		}
		if (sm->rn != 0 && sh->m[i + 1].vlen != 0 && sh->m[i + 1].rn < 255) {
			sm->span = (uint16_t)(sh->m[i + 1].raw - sm->raw + sh->m[i + 1].span);
			sm->tspan = (uint16_t)(sh->m[i + 1].text - sm->text + sh->m[i + 1].tspan);
			sm->rn = (uint8_t)(1 + sh->m[i + 1].rn);
		} else {
			sm->span = (uint16_t)(sm->klen + sm->vlen);
			sm->tspan = (uint16_t)(2 * (sm->klen - 3) + 2 +
			    (sm->vtype == AUTHZ_JV_NUMBER ? 2 : sm->vtype == AUTHZ_JV_STRING));
			sm->rn = 1;
		}
	}
	memcpy(sh->ix, ix, nix * sizeof(*ix));
	sh->nix = (uint32_t)nix;
	sh->viewed = viewed;
	/* The first member's first bytes, for jv_shape_find (klen >= 4). */
	need = (size_t)sh->m[0].klen + sh->m[0].vlen;
	sh->fmask = need >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * need)) - 1;
	sh->first = 0;
	memcpy(&sh->first, sh->store, need < 8 ? need : 8);
	sh->first &= sh->fmask;
	sh->used = ++mm->tick;
	sh->n = (uint32_t)m;
}

/*
 * Close the container o whose values wait at nodes[o->start, sp): move
 * them to the placed part and leave the container itself waiting at
 * o->start.
 */
static int
jv_close(struct jv_parser *ps, struct jv_open *o)
{
	struct authz_jv		*kids, *c;
	size_t			 start = o->start, k = ps->sp - start, m, i, j, slots = 0,
				 nfold = 0;
	enum authz_jv_type	 type = o->type;
	uint32_t		*ix = NULL;
	const struct authz_jv	*a, *b;
	bool			 hashed = false, viewed = false;
	char			 q[64];

	if (start + 1 > ps->fp - k) {
		dw_err_set(ps->err, "internal error: more values than %zu bytes can hold at byte %zu",
		    ps->len, ps->p);
		return -EINVAL;
	}
	ps->fp -= k;
	kids = &ps->nodes[ps->fp];
	memmove(kids, &ps->nodes[start], k * sizeof(*kids));
	m = type == AUTHZ_JV_OBJECT ? k / 2 : k;
	if (type == AUTHZ_JV_OBJECT && m > 0 && m <= JV_HASH_MAX) {
		const struct jv_shape	*sh = o->shape;

		size_t			 nix;

		/* Every key its shape's, in order: the index it was built with. */
		if (sh != NULL && sh->gen == o->gen && o->sj == m && sh->n == m) {
			nix = sh->nix;
			viewed = sh->viewed;
		} else {
			sh = NULL;
			for (slots = 2; slots < 2 * m; slots *= 2)
				;
			viewed = m >= JV_VIEW_MIN && jv_view_words() != 0 &&
			    jv_view_words() <= 4 * m;
			nix = 1 + slots + (viewed ? jv_view_words() : 0);
		}
		if (ps->icap - ps->ip < nix) {
			dw_err_set(ps->err, "internal error: index overflow at byte %zu", ps->p);
			return -EINVAL;
		}
		ix = &ps->idx[ps->ip];
		ps->ip += nix;
		hashed = true;
		if (sh != NULL) {
			memcpy(ix, sh->ix, nix * sizeof(*ix));
			goto done;
		}
		ix[0] = (uint32_t)slots;
		memset(ix + 1, 0, slots * sizeof(*ix));
		for (i = 0; i < m; i++) {
			a = &kids[2 * i];
			/* Exact duplicates hash alike: they meet on the probe. */
			for (j = a->w.k.hash & (slots - 1); ix[1 + j] != 0; j = (j + 1) & (slots - 1)) {
				b = &kids[2 * (size_t)(ix[1 + j] - 1)];
				if (b->w.k.hash == a->w.k.hash && a->n == b->n &&
				    memcmp(a->u.s, b->u.s, a->n) == 0)
					goto dup;
			}
			ix[1 + j] = (uint32_t)i + 1;
		}
		if (viewed)
			jv_view_build(kids, m, (uint16_t *)(void *)(ix + 1 + slots));
		if (m >= JV_SHAPE_MIN && ps->memo != NULL)
			jv_learn(ps, start, kids, m, ix, nix, viewed, o->found);
	} else if (type == AUTHZ_JV_OBJECT && m > 0) {
		if (ps->icap - ps->ip < m + 1) {
			dw_err_set(ps->err, "internal error: index overflow at byte %zu", ps->p);
			return -EINVAL;
		}
		ix = &ps->idx[ps->ip];
		ps->ip += m + 1;
		for (i = 0; i < m; i++) {
			ix[i + 1] = (uint32_t)i;
			a = &kids[2 * i];
			if (a->flags & JV_FOLDS) {
				nfold++;
				kids[2 * i].w.prefix = jv_prefix(a->u.s + a->n + 1, a->w.k.flen);
			} else
				kids[2 * i].w.prefix = jv_prefix(a->u.s, a->n);
		}
		ix[0] = (uint32_t)nfold;
		jv_sort(kids, ix + 1, m);
		for (i = 1; i < m; i++) {
			a = &kids[2 * (size_t)ix[i]];
			b = &kids[2 * (size_t)ix[i + 1]];
			if (a->n == b->n && memcmp(a->u.s, b->u.s, a->n) == 0)
				goto dup;
		}
	}
done:
	c = &ps->nodes[start];
	memset(c, 0, sizeof(*c));
	c->type = (uint8_t)type;
	c->flags = (hashed ? JV_HASHED : 0) | (viewed ? JV_VIEW : 0);
	c->n = (uint32_t)m;
	c->u.idx = ix;
	c->w.kids = kids;
	ps->sp = start + 1;
	return 0;
dup:
	jv_key_quote(q, sizeof(q), a);
	dw_err_set(ps->err, "duplicate key \"%s\": given twice in the object that "
	    "ends at byte %zu: refused, Go would keep only the last", q, ps->p - 1);
	return -EINVAL;
}

/*
 * The document from ps->p, nested values kept on `open` rather than by
 * recursion.  The input, its length and the position are locals, synced
 * to ps->p around the calls that read it: as fields of ps, every store of
 * a byte (text, a node's type) made the compiler load them again.
 */
static int
jv_run(struct jv_parser *ps)
{
	struct jv_open		 open[DW_JSON_DEPTH_MAX + 2];
	struct jv_open		*o;
	struct authz_jv		*v;
	const unsigned char	*in = ps->in;
	size_t			 len = ps->len, p = ps->p, depth = 0;
	bool			 done, have = false;
	unsigned char		 c;
	int			 rc;

	for (;;) {
		done = true;
		/* A value is expected (after whitespace, a key's colon, a ',' or '['), unless a shape gave it. */
		if (!have) {
			p = jv_skip_space(in, len, p);
			if (depth > DW_JSON_DEPTH_MAX) {
				dw_err_set(ps->err, "JSON nests deeper than %d levels at byte %zu",
				    DW_JSON_DEPTH_MAX, p);
				return -E2BIG;
			}
			if (p >= len)
				return jv_bad(ps, p, "looking for beginning of value");
			c = in[p];
			if (c == '{' || c == '[') {
				o = &open[depth];
				o->start = ps->sp;
				o->type = c == '{' ? AUTHZ_JV_OBJECT : AUTHZ_JV_ARRAY;
				o->found = o->shape = NULL;
				o->sj = 0;
				depth++;
				p = jv_skip_space(in, len, p + 1);
				if (p < len && in[p] == (c == '{' ? '}' : ']')) {
					ps->p = ++p;
					depth--;
					if ((rc = jv_close(ps, o)) < 0)
						return rc;
				} else
					done = false;
				if (!done && c == '[')
					continue;
				/*
				 * Members may come from a shape; not where a
				 * member's value would be nested too deep.
				 */
				if (!done && depth <= DW_JSON_DEPTH_MAX &&
				    (o->found = jv_shape_find(ps->memo, in + p, len - p)) != NULL) {
					o->shape = o->found;
					o->gen = o->found->gen;
				}
			} else {
				ps->p = p;
				if ((v = jv_push(ps)) == NULL)
					return -EINVAL;
				if (c == '"')
					rc = jv_string(ps, v, false);
				else if (c == '-' || (c >= '0' && c <= '9'))
					rc = jv_number(ps, v);
				else if (c == 't')
					rc = jv_literal(ps, v, "true", AUTHZ_JV_TRUE);
				else if (c == 'f')
					rc = jv_literal(ps, v, "false", AUTHZ_JV_FALSE);
				else if (c == 'n')
					rc = jv_literal(ps, v, "null", AUTHZ_JV_NULL);
				else
					rc = jv_bad(ps, p, "looking for beginning of value");
				if (rc < 0)
					return rc;
				p = ps->p;
			}
		}
		have = false;
		/* After a value: close what ends here, up to the next value. */
		while (done) {
			p = jv_skip_space(in, len, p);
			if (depth == 0) {
				if (p != len)
					return jv_bad(ps, p, "after top-level value");
				return 0;
			}
			if (p >= len)
				return jv_bad(ps, p, open[depth - 1].type == AUTHZ_JV_OBJECT ?
				    "after object key:value pair" : "after array element");
			c = in[p];
			if (c == ',') {
				p++;
				done = false;
			} else if (c == (open[depth - 1].type == AUTHZ_JV_OBJECT ? '}' : ']')) {
				ps->p = ++p;
				depth--;
				if ((rc = jv_close(ps, &open[depth])) < 0)
					return rc;
			} else
				return jv_bad(ps, p, open[depth - 1].type == AUTHZ_JV_OBJECT ?
				    "after object key:value pair" : "after array element");
		}
		o = &open[depth - 1];
		if (o->type != AUTHZ_JV_OBJECT)
			continue;
		/* A member: its key and colon, then its value. */
		p = jv_skip_space(in, len, p);
		if (o->shape != NULL) {
			if ((rc = jv_memo_run(ps, o, p)) < 0)
				return rc;
			p = ps->p;
			if (rc > 0) {
				have = rc == 2;
				continue;
			}
			p = jv_skip_space(in, len, p);
		}
		if (p >= len || in[p] != '"')
			return jv_bad(ps, p, "looking for beginning of object key string");
		ps->p = p;
		if ((v = jv_push(ps)) == NULL)
			return -EINVAL;
		ps->kpos[ps->sp - 1] = (uint32_t)p;
		if ((rc = jv_string(ps, v, true)) < 0)
			return rc;
		p = jv_skip_space(in, len, ps->p);
		if (p >= len || in[p] != ':')
			return jv_bad(ps, p, "after object key");
		p++;
	}
}

int
authz_jv_parse(const void *buf, size_t len, size_t max,
    struct authz_jv_doc **ret, struct dw_err *err)
{
	struct jv_parser	 ps;
	struct authz_jv_doc	*doc = NULL;
	size_t			 ncap, icap, tcap, size;
	char			*base;
	int			 rc;

	if (len > max) {
		dw_err_set(err, "JSON of %zu bytes is over the %zu byte limit", len, max);
		return -E2BIG;
	}
	if (buf == NULL || len == 0) {
		dw_err_set(err, "unexpected end of JSON input at byte 0");
		return -EINVAL;
	}
	if (len > JV_LEN_MAX) {
		dw_err_set(err, "JSON of %zu bytes is too large to read", len);
		return -ENOMEM;
	}
	ncap = len / 2 + 2;
	icap = 2 * len + 2;
	tcap = 4 * len + 16;	/* + 16: the spare bytes of whole-word stores (above) */
	size = sizeof(*doc) + ncap * sizeof(struct authz_jv) +
	    (icap + ncap) * sizeof(uint32_t) + tcap;
	if ((base = malloc(size)) == NULL) {
		dw_err_set(err, "out of memory for %zu bytes of JSON", len);
		return -ENOMEM;
	}
	doc = (struct authz_jv_doc *)(void *)base;
	memset(&ps, 0, sizeof(ps));
	ps.in = buf;
	ps.len = len;
	ps.nodes = (struct authz_jv *)(void *)(base + sizeof(*doc));
	ps.fp = ncap;
	ps.idx = (uint32_t *)(void *)(ps.nodes + ncap);
	ps.icap = icap;
	ps.kpos = ps.idx + icap;
	ps.text = (char *)(ps.kpos + ncap);
	ps.tcap = tcap;
	ps.memo = jv_memo_get();
	ps.err = err;
	if ((rc = jv_run(&ps)) < 0) {
		free(base);
		return rc;
	}
	doc->root = &ps.nodes[0];
	doc->flags = ps.flags;
	*ret = doc;
	return 0;
}

void
authz_jv_doc_free(struct authz_jv_doc *doc)
{
	free(doc);
}

const struct authz_jv *
authz_jv_doc_root(const struct authz_jv_doc *doc)
{
	return doc != NULL ? doc->root : NULL;
}

unsigned
authz_jv_doc_flags(const struct authz_jv_doc *doc)
{
	return doc != NULL ? doc->flags : 0;
}

enum authz_jv_type
authz_jv_type(const struct authz_jv *v)
{
	return v != NULL ? (enum authz_jv_type)v->type : AUTHZ_JV_NULL;
}

bool
authz_jv_is_null(const struct authz_jv *v)
{
	return v != NULL && v->type == AUTHZ_JV_NULL;
}

bool
authz_jv_is_bool(const struct authz_jv *v)
{
	return v != NULL && (v->type == AUTHZ_JV_TRUE || v->type == AUTHZ_JV_FALSE);
}

bool
authz_jv_is_true(const struct authz_jv *v)
{
	return v != NULL && v->type == AUTHZ_JV_TRUE;
}

bool
authz_jv_is_number(const struct authz_jv *v)
{
	return v != NULL && v->type == AUTHZ_JV_NUMBER;
}

bool
authz_jv_is_string(const struct authz_jv *v)
{
	return v != NULL && v->type == AUTHZ_JV_STRING;
}

bool
authz_jv_is_array(const struct authz_jv *v)
{
	return v != NULL && v->type == AUTHZ_JV_ARRAY;
}

bool
authz_jv_is_object(const struct authz_jv *v)
{
	return v != NULL && v->type == AUTHZ_JV_OBJECT;
}

const char *
authz_jv_string(const struct authz_jv *v)
{
	return authz_jv_is_string(v) ? v->u.s : NULL;
}

size_t
authz_jv_string_len(const struct authz_jv *v)
{
	return authz_jv_is_string(v) ? v->n : 0;
}

const char *
authz_jv_number_text(const struct authz_jv *v)
{
	return authz_jv_is_number(v) ? v->u.s : NULL;
}

int
authz_jv_int64(const struct authz_jv *v, int64_t *ret)
{
	const char	*s;
	uint64_t	 u = 0, lim;
	bool		 neg;
	size_t		 i;

	if (!authz_jv_is_number(v))
		return -EPROTO;
	s = v->u.s;
	if (strpbrk(s, ".eE") != NULL)
		return -EINVAL;
	neg = s[0] == '-';
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (i = neg ? 1 : 0; s[i] != '\0'; i++) {
		if (u > (lim - (uint64_t)(s[i] - '0')) / 10)
			return -ERANGE;
		u = u * 10 + (uint64_t)(s[i] - '0');
	}
	if (neg)
		*ret = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
	else
		*ret = (int64_t)u;
	return 0;
}

size_t
authz_jv_array_size(const struct authz_jv *v)
{
	return authz_jv_is_array(v) ? v->n : 0;
}

const struct authz_jv *
authz_jv_array_get(const struct authz_jv *v, size_t i)
{
	return authz_jv_is_array(v) && i < v->n ? &v->w.kids[i] : NULL;
}

size_t
authz_jv_object_size(const struct authz_jv *v)
{
	return authz_jv_is_object(v) ? v->n : 0;
}

const char *
authz_jv_object_key(const struct authz_jv *v, size_t i)
{
	return authz_jv_is_object(v) && i < v->n ? v->w.kids[2 * i].u.s : NULL;
}

const struct authz_jv *
authz_jv_object_value(const struct authz_jv *v, size_t i)
{
	return authz_jv_is_object(v) && i < v->n ? &v->w.kids[2 * i + 1] : NULL;
}

/* Sign of (member key's fold) - (the fold `want`, NUL-terminated, prefix pw). */
static int
jv_fold_cmp(const struct authz_jv *k, const char *want, uint64_t pw)
{
	if (k->w.prefix != pw)
		return k->w.prefix < pw ? -1 : 1;
	return strcmp(k->u.s + k->n + 1, want);
}

/* The first of ix[lo, hi) whose key's fold is not below want. */
static size_t
jv_fold_lower(const struct authz_jv *v, size_t lo, size_t hi, const char *want,
    uint64_t pw)
{
	const uint32_t	*ix = v->u.idx + 1;
	size_t		 mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (jv_fold_cmp(&v->w.kids[2 * (size_t)ix[mid]], want, pw) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

#define JV_PROBE_MAX	256	/* longer field names match no struct field */

/* Sign of (member key) - key[0, n), bytewise, the shorter first. */
static int
jv_raw_cmp(const struct authz_jv *k, const char *key, size_t n)
{
	int	c = memcmp(k->u.s, key, k->n < n ? k->n : n);

	if (c != 0)
		return c;
	return k->n < n ? -1 : k->n > n;
}

/* The member whose key is key[0, n), by looking at each. */
static const struct authz_jv *
jv_scan(const struct authz_jv *v, const char *key, size_t n)
{
	size_t	i;

	for (i = 0; i < v->n; i++)
		if (jv_raw_cmp(&v->w.kids[2 * i], key, n) == 0)
			return &v->w.kids[2 * i + 1];
	return NULL;
}

const struct authz_jv *
authz_jv_object_get(const struct authz_jv *v, const char *key)
{
	const struct authz_jv	*k;
	const uint32_t		*ix;
	char			 small[JV_PROBE_MAX], *want = small;
	const struct authz_jv	*found = NULL;
	size_t			 i, n, nfold, lo, hi, mid, mask;
	ssize_t			 fl;
	uint64_t		 pw;
	uint32_t		 h;
	int			 c;

	if (!authz_jv_is_object(v) || key == NULL || v->n == 0)
		return NULL;
	ix = v->u.idx + 1;
	n = strlen(key);
	nfold = v->u.idx[0];
	if ((v->flags & JV_HASHED) && n >= sizeof(small))
		return jv_scan(v, key, n);	/* at most JV_HASH_MAX members */
	if (v->flags & JV_HASHED) {
		/* The keys equal to `key` are among those of its fold (or its bytes). */
		fl = jv_fold(key, n, want);
		h = fl >= 0 ? jv_hash(want, (size_t)fl) : jv_hash(key, n);
		mask = v->u.idx[0] - 1;
		for (i = h & mask; ix[i] != 0; i = (i + 1) & mask) {
			k = &v->w.kids[2 * (size_t)(ix[i] - 1)];
			if (k->w.k.hash == h && jv_raw_cmp(k, key, n) == 0)
				return k + 1;
		}
		return NULL;
	}
	/* No room to fold a long probe: scan (same answer, slower). */
	if (n >= sizeof(small) && (want = malloc(n + 1)) == NULL)
		return jv_scan(v, key, n);
	if ((fl = jv_fold(key, n, want)) >= 0) {
		/* The keys of one fold are sorted by their bytes: scan the group. */
		pw = jv_prefix(want, (size_t)fl);
		for (i = jv_fold_lower(v, 0, nfold, want, pw); i < nfold; i++) {
			k = &v->w.kids[2 * (size_t)ix[i]];
			if (jv_fold_cmp(k, want, pw) != 0)
				break;
			if ((c = jv_raw_cmp(k, key, n)) >= 0) {
				if (c == 0)
					found = k + 1;
				break;
			}
		}
	} else {
		/* Keys that fold to nothing ASCII follow, sorted by their bytes. */
		pw = jv_prefix(key, n);
		lo = nfold;
		hi = v->n;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			k = &v->w.kids[2 * (size_t)ix[mid]];
			if (k->w.prefix != pw ? k->w.prefix < pw : jv_raw_cmp(k, key, n) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < v->n && jv_raw_cmp(&v->w.kids[2 * (size_t)ix[lo]], key, n) == 0)
			found = &v->w.kids[2 * (size_t)ix[lo] + 1];
	}
	if (want != small)
		free(want);
	return found;
}

/*
 * The member whose key folds to want[0, n) (an ASCII fold, NUL-terminated
 * and zero-padded to a whole word), h its jv_hash(): what
 * authz_jv_object_field() answers.  v is an object with members.
 */
static int
jv_field_find(const struct authz_jv *v, const char *want, size_t n, uint32_t h,
    const struct authz_jv **ret)
{
	const struct authz_jv	*k, *found = NULL;
	const uint32_t		*ix;
	size_t			 i, nfold, mask;
	uint64_t		 pw;

	if (v->flags & JV_HASHED) {
		/* Every key of this fold is on the probe: two or more is -EEXIST. */
		ix = v->u.idx + 1;
		mask = v->u.idx[0] - 1;
		for (i = h & mask; ix[i] != 0; i = (i + 1) & mask) {
			k = &v->w.kids[2 * (size_t)(ix[i] - 1)];
			if ((k->flags & JV_FOLDS) && k->w.k.hash == h && k->w.k.flen == n &&
			    memcmp(k->u.s + k->n + 1, want, n) == 0) {
				if (found != NULL)
					return -EEXIST;
				found = k + 1;
			}
		}
		if (found == NULL)
			return -ENOENT;
		*ret = found;
		return 0;
	}
	nfold = v->u.idx[0];
	pw = jv_prefix(want, n);
	i = jv_fold_lower(v, 0, nfold, want, pw);
	if (i >= nfold ||
	    jv_fold_cmp(&v->w.kids[2 * (size_t)v->u.idx[1 + i]], want, pw) != 0)
		return -ENOENT;
	if (i + 1 < nfold &&
	    jv_fold_cmp(&v->w.kids[2 * (size_t)v->u.idx[2 + i]], want, pw) == 0)
		return -EEXIST;
	*ret = &v->w.kids[2 * (size_t)v->u.idx[1 + i] + 1];
	return 0;
}

/*
 * s[0, n) upper-cased into want (room for n rounded up to a word), the
 * rest of its last word zeroed: false when s is not ASCII (no key folds
 * to such a name: struct fields are ASCII).
 */
static bool
jv_name_fold(const char *s, size_t n, char *want)
{
	size_t		i;
	uint64_t	x;

	memcpy(want, s, n);
	memset(want + n, 0, 8);
	/* Eight bytes at a time, as jv_fold: refuse non-ASCII, upper-case a..z. */
	for (i = 0; i < n; i += 8) {
		memcpy(&x, want + i, 8);
		if (x & JV_HIGHS)
			return false;
		x = jv_upper8(x);
		memcpy(want + i, &x, 8);
	}
	return true;
}

int
authz_jv_object_field(const struct authz_jv *v, const char *field,
    const struct authz_jv **ret)
{
	char	want[JV_PROBE_MAX + 8];	/* + 8: jv_name_fold, jv_hash_padded */
	size_t	n;

	if (v == NULL)
		return -ENOENT;
	if (!authz_jv_is_object(v))
		return -EPROTO;
	if (v->n == 0 || field == NULL)
		return -ENOENT;
	/*
	 * Struct fields are ASCII: a name that is not, or is longer than any
	 * Go struct field, matches no key.
	 */
	if ((n = strlen(field)) + 1 >= JV_PROBE_MAX || !jv_name_fold(field, n, want))
		return -ENOENT;
	return jv_field_find(v, want, n,
	    (v->flags & JV_HASHED) ? jv_hash_padded(want, n) : 0, ret);
}

int
authz_jv_name_prepare(struct authz_jv_name *nm, const char *s)
{
	size_t	n = strlen(s);

	memset(nm, 0, sizeof(*nm));
	if (n >= AUTHZ_JV_NAME_MAX)
		return -E2BIG;
	jv_seed_once();
	nm->s = s;
	nm->n = (uint32_t)n;
	nm->ascii = jv_name_fold(s, n, nm->fold);
	if (nm->ascii)
		nm->hash = jv_hash_padded(nm->fold, n);
	return 0;
}

int
authz_jv_names_register(struct authz_jv_name *names, size_t n)
{
	size_t		i, j, k;
	uint16_t	e;

	if (jv_names.n != 0)
		return -EBUSY;
	if (n > AUTHZ_JV_NAMES_MAX)
		return -E2BIG;
	memset(jv_names.ix, 0, sizeof(jv_names.ix));
	for (i = 0; i < n; i++) {
		if (!names[i].ascii || names[i].s == NULL)
			goto bad;
		for (j = names[i].hash & (JV_NAMES_SLOTS - 1); (e = jv_names.ix[j]) != 0;
		    j = (j + 1) & (JV_NAMES_SLOTS - 1)) {
			k = (size_t)e - 1;
			if (names[k].n == names[i].n &&
			    memcmp(names[k].fold, names[i].fold, names[i].n) == 0)
				goto bad;	/* a key would find both */
		}
		jv_names.ix[j] = (uint16_t)(i + 1);
	}
	for (i = 0; i < n; i++)
		names[i].id = (uint16_t)(i + 1);
	jv_names.v = names;
	jv_names.n = n;
	return 0;
bad:
	memset(jv_names.ix, 0, sizeof(jv_names.ix));
	return -EINVAL;
}

/* The table of registered names of a JV_VIEW object (jv_close: after its slots). */
static inline const uint16_t *
jv_view(const struct authz_jv *v)
{
	return (const uint16_t *)(const void *)(v->u.idx + 1 + v->u.idx[0]);
}

int
authz_jv_object_field_name(const struct authz_jv *v,
    const struct authz_jv_name *nm, const struct authz_jv **ret)
{
	uintptr_t	 off = (uintptr_t)nm - (uintptr_t)jv_names.v;
	uint16_t	 e;

	if (v == NULL)
		return -ENOENT;
	if (v->type != AUTHZ_JV_OBJECT)
		return -EPROTO;
	/*
	 * A registered name (an element of jv_names.v: ASCII, id its place
	 * + 1): which member it finds was noted at close.  Its id is told
	 * from where it lies, not read from it, so a lookup does not touch
	 * the name's own cache line (some sixty names a decision).
	 */
	if ((v->flags & JV_VIEW) && off < jv_names.n * sizeof(*nm)) {
		if ((e = jv_view(v)[off / sizeof(*nm) + 1]) == 0)
			return -ENOENT;
		if (e == JV_VIEW_AMBIG)
			return -EEXIST;
		*ret = &v->w.kids[2 * (size_t)(e - 1) + 1];
		return 0;
	}
	if (v->n == 0 || !nm->ascii)
		return -ENOENT;
	return jv_field_find(v, nm->fold, nm->n, nm->hash, ret);
}

bool
authz_jv_object_only(const struct authz_jv *v, const uint16_t *ids, size_t n)
{
	const uint16_t	*view;
	size_t		 i, found = 0;
	uint16_t	 e;

	if (v == NULL || v->type != AUTHZ_JV_OBJECT || !(v->flags & JV_VIEW))
		return false;
	view = jv_view(v);
	for (i = 0; i < n; i++) {
		if (ids[i] == 0 || ids[i] > jv_names.n)
			return false;
		if ((e = view[ids[i]]) == JV_VIEW_AMBIG)
			return false;
		/*
		 * Distinct registered names have distinct folds, so no
		 * member is counted twice: the count is of members.
		 */
		found += e != 0;
	}
	return found == v->n;
}
