/*
 * Differential fuzzing of authz_json against recorded dockerd behaviour.
 *
 * The input picks a container-create body that dockerd accepted (from
 * tests/data/gojson/recorded.json, embedded at build time so the target runs
 * from any directory) and drives a printer that writes the same JSON in
 * another way Go's encoding/json reads identically: ASCII case of struct
 * field keys flipped, s/S and k/K in those keys replaced by U+017F and
 * U+212A, characters of keys and strings \u-escaped, whitespace between
 * tokens, members reordered, unknown keys added.  dockerd is known to read
 * the result exactly as the original, so:
 *   - our decoder must read exactly the recorded values (gojson_model), and
 *     refusing such a body is also a bug (it is plain, valid JSON);
 *   - the engine's decision (verdict and rule) must not change.
 * With the ambiguity bit set, a second spelling of one field key (any
 * spelling, exact included) with a different value is added: dockerd would
 * take one of the two, and our decoder must refuse the body (-EEXIST).
 * Any violation abort()s with the body on stderr.
 *
 * Input: byte 0 selects the case, byte 1 bit 0 asks for the ambiguity,
 * the rest is a bit stream for the printer (zero bits when exhausted: the
 * body printed as it is).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "authz/authz_uri.h"
#include "authz/authz_decide.h"
#include "authz/authz_settings.h"
#include "tests/fuzz/gojson_recorded.h"
#include "tests/unit/gojson_model.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BODY_MAX	65536
#define CASES_MAX	128

/* What an object's keys mean to Go: struct fields (folded) or not. */
enum kind { K_TOP, K_HOST, K_MOUNT, K_DEVICE, K_BINDING, K_MAP, K_OTHER };

static const char *const host_fields[] = {
	"Privileged", "NetworkMode", "PidMode", "IpcMode", "UTSMode",
	"UsernsMode", "CapAdd", "Binds", "Mounts", "Devices", "SecurityOpt",
	"ReadonlyRootfs", "PublishAllPorts", "PortBindings", NULL
};
static const char *const top_fields[] = {
	"Image", "Cmd", "User", "Env", "HostConfig", NULL
};
static const char *const mount_fields[] = { "Type", "Source", "Target", NULL };
static const char *const device_fields[] = {
	"PathOnHost", "PathInContainer", "CgroupPermissions", NULL
};
static const char *const binding_fields[] = { "HostIp", "HostPort", NULL };

struct dcase {
	const char		*name;
	json_t			*tree;		/* the body, parsed */
	const json_t		*fields;	/* what dockerd recorded */
	enum authz_verdict	 verdict;	/* the engine on the original body */
	const char		*rule;
};

static json_t		*recorded;	/* kept: cases point into it */
static struct dcase	 cases[CASES_MAX];
static size_t		 ncases;
static const json_t	*baseline;

/* The printer's bits. */
struct rd {
	const uint8_t	*p;
	size_t		 n;
	unsigned	 acc;
	int		 nb;
};

static unsigned
bit(struct rd *r)
{
	if (r->nb == 0) {
		if (r->n == 0)
			return 0;
		r->acc = *r->p++;
		r->n--;
		r->nb = 8;
	}
	r->nb--;
	return (r->acc >> r->nb) & 1;
}

static unsigned
bits(struct rd *r, int k)
{
	unsigned	v = 0;

	while (k-- > 0)
		v = (v << 1) | bit(r);
	return v;
}

struct out {
	char	buf[BODY_MAX];
	size_t	len;
	int	over;
	/* The ambiguity: the eligible member to double, counted as printed. */
	long	amb_target;	/* -1: none */
	long	amb_seen;
	int	amb_done;
	unsigned unknown;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->len + n > sizeof(o->buf)) {
		o->over = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void
ws(struct out *o, struct rd *r)
{
	static const char sp[] = " \t\n\r";

	while (bit(r))
		put(o, &sp[bits(r, 2)], 1);
}

/* Independent of authz_json: Go's fold of one key against an ASCII field name. */
static int
fold_eq(const char *key, const char *field)
{
	const unsigned char	*k = (const unsigned char *)key;
	int			 c, f;

	for (; *field != '\0'; field++) {
		f = *field & ~0x20;
		if (k[0] == 0xc5 && k[1] == 0xbf) {		/* U+017F */
			c = 'S';
			k += 2;
		} else if (k[0] == 0xe2 && k[1] == 0x84 && k[2] == 0xaa) { /* U+212A */
			c = 'K';
			k += 3;
		} else if (*k >= 'a' && *k <= 'z') {
			c = *k++ - 'a' + 'A';
		} else
			c = *k++;
		if (c != (((*field >= 'a' && *field <= 'z')) ? f : *field))
			return 0;
	}
	return *k == '\0';
}

static const char *
field_of(const char *const *fields, const char *key)
{
	size_t	i;

	for (i = 0; fields[i] != NULL; i++)
		if (fold_eq(key, fields[i]))
			return fields[i];
	return NULL;
}

/* The field a key names in an object of this kind, or NULL. */
static const char *
known_field(enum kind k, const char *key)
{
	const char	*f;

	switch (k) {
	case K_TOP:
		/* Config fields, and the legacy host fields at the top level. */
		if ((f = field_of(top_fields, key)) != NULL)
			return f;
		return field_of(host_fields, key);
	case K_HOST:
		return field_of(host_fields, key);
	case K_MOUNT:
		return field_of(mount_fields, key);
	case K_DEVICE:
		return field_of(device_fields, key);
	case K_BINDING:
		return field_of(binding_fields, key);
	default:
		return NULL;
	}
}

/* Kind of a member's value (objects) or of its elements (arrays). */
static enum kind
child_kind(enum kind k, const char *key, int elements)
{
	const char	*f = known_field(k, key);

	if (k == K_MAP)
		return elements ? K_BINDING : K_OTHER;
	if (f == NULL)
		return K_OTHER;
	if (strcmp(f, "HostConfig") == 0 && k == K_TOP)
		return K_HOST;
	if (strcmp(f, "Mounts") == 0 && elements)
		return K_MOUNT;
	if (strcmp(f, "Devices") == 0 && elements)
		return K_DEVICE;
	if (strcmp(f, "PortBindings") == 0 && !elements)
		return K_MAP;
	return K_OTHER;
}

static int
is_struct(enum kind k)
{
	return k <= K_BINDING;
}

/* One UTF-8 sequence (valid: jansson checked it). */
static uint32_t
utf8_next(const unsigned char *s, size_t *n)
{
	if (s[0] < 0x80) {
		*n = 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		*n = 2;
		return ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
	}
	if ((s[0] & 0xf0) == 0xe0) {
		*n = 3;
		return ((uint32_t)(s[0] & 0x0f) << 12) |
		    ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
	}
	*n = 4;
	return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
	    ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
}

static void
put_u(struct out *o, uint32_t c)
{
	char	e[16];

	if (c >= 0x10000) {
		c -= 0x10000;
		snprintf(e, sizeof(e), "\\u%04x\\u%04x",
		    0xd800 + (unsigned)(c >> 10), 0xdc00 + (unsigned)(c & 0x3ff));
	} else
		snprintf(e, sizeof(e), "\\u%04X", (unsigned)c);
	puts_(o, e);
}

/*
 * A JSON string.  fold: a struct field key, whose ASCII case and s/k may
 * change.  Escapes keep every string as it is.
 */
static void
put_string(struct out *o, struct rd *r, const char *s, size_t len, int fold)
{
	const unsigned char	*p = (const unsigned char *)s, *end = p + len;
	int			 mutate = bit(r);
	uint32_t		 c;
	size_t			 n;
	char			 ch;

	put(o, "\"", 1);
	for (; p < end; p += n) {
		c = utf8_next(p, &n);
		if (mutate && fold && c < 0x80 && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
			if (bit(r))
				c ^= 0x20;
			if ((c | 0x20) == 's' && bit(r))
				c = 0x017f;
			else if ((c | 0x20) == 'k' && bit(r))
				c = 0x212a;
		}
		if ((mutate && bit(r)) || c < 0x20 || c == '"' || c == '\\')
			put_u(o, c);
		else if (c == 0x017f)
			put(o, "\xc5\xbf", 2);
		else if (c == 0x212a)
			put(o, "\xe2\x84\xaa", 3);
		else if (c < 0x80) {
			ch = (char)c;
			put(o, &ch, 1);
		} else
			put(o, (const char *)p, n);
	}
	put(o, "\"", 1);
}

static void put_value(struct out *o, struct rd *r, const json_t *v, enum kind k,
	    enum kind elems);

/* A value of the same JSON type that differs from v (for the ambiguity). */
static json_t *
other_value(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_TRUE:
		return json_false();
	case JSON_FALSE:
		return json_true();
	case JSON_STRING:
		return json_sprintf("%s-dup", json_string_value(v));
	case JSON_ARRAY:
		return json_array_size(v) > 0 ? json_array() : json_null();
	case JSON_OBJECT:
		return json_object_size(v) > 0 ? json_object() : json_null();
	default:
		return json_string("dup");
	}
}

static void
put_member(struct out *o, struct rd *r, const char *key, const json_t *v,
    enum kind k, int *first)
{
	if (!*first)
		put(o, ",", 1);
	*first = 0;
	ws(o, r);
	put_string(o, r, key, strlen(key), is_struct(k));
	ws(o, r);
	put(o, ":", 1);
	ws(o, r);
	put_value(o, r, v, child_kind(k, key, 0), child_kind(k, key, 1));
	ws(o, r);
}

static void
put_object(struct out *o, struct rd *r, const json_t *obj, enum kind k)
{
	static const char *const junk[] = {
		"1", "\"x\"", "null", "{\"a\":[true,false]}", "[]", "-0.5e3"
	};
	const char	*keys[64], *key;
	json_t		*vals[64], *v, *dupv;
	size_t		 n = 0, i, j;
	unsigned	 extra;
	int		 first = 1;
	char		 name[32];

	json_object_foreach((json_t *)obj, key, v) {
		if (n == 64)
			break;
		keys[n] = key;
		vals[n++] = v;
	}
	/* Go keeps no order for distinct keys. */
	for (i = n; i > 1; i--) {
		j = bits(r, 6) % i;
		key = keys[i - 1], keys[i - 1] = keys[j], keys[j] = key;
		v = vals[i - 1], vals[i - 1] = vals[j], vals[j] = v;
	}
	put(o, "{", 1);
	for (i = 0; i < n; i++) {
		/* Unknown keys: Go ignores them (not in maps: they would be entries). */
		for (extra = is_struct(k) ? bits(r, 2) : 0; extra == 3; extra = bits(r, 2)) {
			snprintf(name, sizeof(name), "XDockwardFuzz%u", o->unknown++);
			if (!first)
				put(o, ",", 1);
			first = 0;
			put_string(o, r, name, strlen(name), 0);
			put(o, ":", 1);
			puts_(o, junk[bits(r, 3) % 6]);
		}
		if (o->amb_target >= 0 && known_field(k, keys[i]) != NULL &&
		    o->amb_seen++ == o->amb_target) {
			/* The same field again, in some spelling, with another value. */
			dupv = other_value(vals[i]);
			if (bit(r)) {
				put_member(o, r, keys[i], vals[i], k, &first);
				put_member(o, r, keys[i], dupv, k, &first);
			} else {
				put_member(o, r, keys[i], dupv, k, &first);
				put_member(o, r, keys[i], vals[i], k, &first);
			}
			json_decref(dupv);
			o->amb_done = 1;
			continue;
		}
		put_member(o, r, keys[i], vals[i], k, &first);
	}
	ws(o, r);
	put(o, "}", 1);
}

/* k: the value's kind when it is an object; elems: its elements' when an array. */
static void
put_value(struct out *o, struct rd *r, const json_t *v, enum kind k, enum kind elems)
{
	const json_t	*e;
	char		*s;
	size_t		 i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		put_object(o, r, v, k);
		break;
	case JSON_ARRAY:
		put(o, "[", 1);
		json_array_foreach(v, i, e) {
			if (i > 0)
				put(o, ",", 1);
			ws(o, r);
			put_value(o, r, e, elems, K_OTHER);
			ws(o, r);
		}
		put(o, "]", 1);
		break;
	case JSON_STRING:
		put_string(o, r, json_string_value(v), json_string_length(v), 0);
		break;
	default:
		if ((s = json_dumps(v, JSON_ENCODE_ANY)) != NULL) {
			puts_(o, s);
			free(s);
		}
		break;
	}
}

/* Eligible members for the ambiguity: field keys of struct objects. */
static long
count_fields(const json_t *v, enum kind k, enum kind elems)
{
	const char	*key;
	const json_t	*e;
	size_t		 i;
	long		 n = 0;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, e) {
			if (known_field(k, key) != NULL)
				n++;
			n += count_fields(e, child_kind(k, key, 0), child_kind(k, key, 1));
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			n += count_fields(e, elems, K_OTHER);
	}
	return n;
}

static void
decide(const char *body, size_t len, struct authz_decision *d)
{
	if (gojson_decide(body, len, d) < 0)
		abort();
}

static void
violation(const char *what, const struct dcase *c, const struct out *o)
{
	fprintf(stderr, "fuzz_authz_json_diff: case %s: %s\nbody: %.*s\n",
	    c->name, what, (int)o->len, o->buf);
	abort();
}

/* The accepted, key-unique recorded cases; each must hold unmutated. */
static void
load(void)
{
	struct authz_decision	 d;
	struct dw_err		 err;
	json_error_t		 jerr;
	json_t			*c, *ours;
	const char		*body, *name;
	size_t			 i;

	recorded = json_loads((const char *)gojson_recorded, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (recorded == NULL)
		abort();
	json_array_foreach(json_object_get(recorded, "cases"), i, c) {
		name = json_string_value(json_object_get(c, "name"));
		if (strcmp(name, "plain") == 0)
			baseline = json_object_get(c, "fields");
		if (json_integer_value(json_object_get(c, "status")) != 201 ||
		    json_is_true(json_object_get(c, "dup")) || ncases == CASES_MAX)
			continue;
		body = json_string_value(json_object_get(c, "body"));
		cases[ncases].name = name;
		cases[ncases].fields = json_object_get(c, "fields");
		cases[ncases].tree = json_loads(body, JSON_REJECT_DUPLICATES, &jerr);
		if (cases[ncases].tree == NULL)
			abort();
		decide(body, strlen(body), &d);
		cases[ncases].verdict = d.verdict;
		cases[ncases].rule = d.rule;
		ours = NULL;
		if (gojson_decode(body, strlen(body), &ours, &err) < 0 ||
		    !gojson_matches(ours, cases[ncases].fields, baseline, &err)) {
			fprintf(stderr, "recorded case %s does not hold: %s\n", name, err.msg);
			abort();
		}
		json_decref(ours);
		ncases++;
	}
	if (ncases == 0 || baseline == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct out	 o;
	struct authz_decision	 d;
	struct dw_err		 err;
	struct dcase		*c;
	struct rd		 r = { 0 };
	json_t			*ours = NULL;
	long			 eligible;
	int			 amb, rc;

	if (ncases == 0)
		load();
	if (size < 2)
		return 0;
	c = &cases[data[0] % ncases];
	amb = data[1] & 1;
	r.p = data + 2;
	r.n = size - 2;
	o.len = 0;
	o.over = 0;
	o.amb_target = -1;
	o.amb_seen = 0;
	o.amb_done = 0;
	o.unknown = 0;
	if (amb) {
		if ((eligible = count_fields(c->tree, K_TOP, K_OTHER)) == 0)
			return 0;
		o.amb_target = (long)(bits(&r, 8) % (unsigned)eligible);
	}
	ws(&o, &r);
	put_value(&o, &r, c->tree, K_TOP, K_OTHER);
	ws(&o, &r);
	if (o.over)
		return 0;
	if (amb && !o.amb_done)
		abort();	/* the printer lost the member it was to double */

	rc = gojson_decode(o.buf, o.len, &ours, &err);
	if (amb) {
		if (rc != -EEXIST) {
			json_decref(ours);
			violation(rc == 0 ? "a key given twice was read, not refused" :
			    "a key given twice was refused for another reason", c, &o);
		}
		return 0;
	}
	if (rc < 0) {
		fprintf(stderr, "refused: %s\n", err.msg);
		violation("refused a body dockerd reads as the recorded one", c, &o);
	}
	if (!gojson_matches(ours, c->fields, baseline, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		violation("read values dockerd did not", c, &o);
	}
	json_decref(ours);
	decide(o.buf, o.len, &d);
	if (d.verdict != c->verdict || strcmp(d.rule, c->rule) != 0) {
		fprintf(stderr, "engine: %s (%s), on the original: %s\n",
		    d.rule, d.msg, c->rule);
		violation("the engine decided differently", c, &o);
	}
	return 0;
}
