/*
 * Unit tests for dw_esc: which bytes are kept, which become \xNN (control
 * characters, quotes, backslash, DEL, every byte of UTF-8 valid or not),
 * the NUL and len bounds, and the cut with "..." that never splits an
 * escape nor writes past the buffer.  Table driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/dw_esc.h"

struct esc_case {
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	const char	*out;
};

static const struct esc_case cases[] = {
	{ "", 0, "" },
	{ "plain text 123", 0, "plain text 123" },
	{ "~!@#$%^&*()_+{}|:<>?`-=[];',./", 0, "~!@#$%^&*()_+{}|:<>?`-=[];',./" },
	/* Quotes and backslash would end or change a quoted message. */
	{ "say \"hi\"", 0, "say \\x22hi\\x22" },
	{ "a\\b", 0, "a\\x5cb" },
	{ "\\x41", 0, "\\x5cx41" },
	/* Control characters: a forged log line, a terminal escape. */
	{ "line\nforged: ok", 0, "line\\x0aforged: ok" },
	{ "\r\t\v\f\b\a", 0, "\\x0d\\x09\\x0b\\x0c\\x08\\x07" },
	{ "\x1b[31mred\x1b[0m", 0, "\\x1b[31mred\\x1b[0m" },
	{ "\x01\x1f\x7f", 0, "\\x01\\x1f\\x7f" },
	/* Every byte past ASCII: valid UTF-8 too (no look-alikes reach a message). */
	{ "caf\xc3\xa9", 0, "caf\\xc3\\xa9" },
	{ "\xe2\x84\xaa", 0, "\\xe2\\x84\\xaa" },
	{ "\xff\xfe", 0, "\\xff\\xfe" },
	{ "\xc0\xaf", 0, "\\xc0\\xaf" },		/* overlong '/' */
	{ "\xed\xa0\x80", 0, "\\xed\\xa0\\x80" },	/* a surrogate */
	{ "\x80", 0, "\\x80" },			/* a lone continuation byte */
	/* len bounds the input; a NUL ends it first. */
	{ "abcdef", 3, "abc" },
	{ "ab\0cd", 5, "ab" },
	{ "\0abc", 4, "" },
	{ "abc", 0, "abc" },
};

static void
test_esc_table(void **state)
{
	char	out[256];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(out, 'X', sizeof(out));
		dw_esc(out, sizeof(out), cases[i].in,
		    cases[i].len != 0 ? cases[i].len : strlen(cases[i].in));
		if (strcmp(out, cases[i].out) != 0)
			fail_msg("case %zu: want \"%s\", got \"%s\"", i, cases[i].out, out);
	}
}

/* Every byte: printable ASCII but '"' and '\\' kept, the rest \xNN in lowercase. */
static void
test_esc_all_bytes(void **state)
{
	char	in[1], out[16], want[16];
	int	c;

	(void)state;
	for (c = 1; c < 256; c++) {
		in[0] = (char)c;
		dw_esc(out, sizeof(out), in, 1);
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			snprintf(want, sizeof(want), "%c", c);
		else
			snprintf(want, sizeof(want), "\\x%02x", c);
		assert_string_equal(out, want);
	}
}

/* The output holds nothing that could end a line or a quoted string. */
static void
test_esc_output_safe(void **state)
{
	char	in[256], out[2048];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (char)(255 - i);	/* every byte, NUL last */
	dw_esc(out, sizeof(out), in, sizeof(in));
	/* 93 bytes kept, the other 162 of 1..255 as four characters each. */
	assert_int_equal(strlen(out), 93 + 4 * 162);
	for (i = 0; out[i] != '\0'; i++) {
		assert_true((unsigned char)out[i] >= 0x20 && (unsigned char)out[i] < 0x7f);
		assert_true(out[i] != '"');
	}
}

/*
 * A small buffer: the output fits with its NUL, ends in "..." when input
 * was left out, and never ends inside an escape.
 */
static void
test_esc_cut(void **state)
{
	static const char	*ins[] = { "abcdefghij", "\n\n\n\n\n\n", "ab\"cd\"ef", "\xff" "a\xff" "b" };
	char			 out[64], full[256];
	size_t			 i, sz, n, k;

	(void)state;
	for (i = 0; i < sizeof(ins) / sizeof(ins[0]); i++) {
		dw_esc(full, sizeof(full), ins[i], strlen(ins[i]));
		for (sz = 1; sz < sizeof(out); sz++) {
			memset(out, 'X', sizeof(out));
			dw_esc(out, sz, ins[i], strlen(ins[i]));
			for (k = sz; k < sizeof(out); k++)
				assert_int_equal(out[k], 'X');
			n = strnlen(out, sz);
			assert_true(n < sz);
			if (strcmp(out, full) == 0)
				continue;
			/* Cut: a prefix of the whole, then "..." when there was room. */
			if (n >= 3 && strcmp(out + n - 3, "...") == 0)
				n -= 3;
			assert_memory_equal(out, full, n);
			/* Not inside an escape: the whole has an escape or a byte boundary here. */
			for (k = 0; k < n; k += full[k] == '\\' ? 4 : 1)
				;
			assert_int_equal(k, n);
		}
	}
	/* Specific cuts. */
	dw_esc(out, 8, "abcdefgh", 8);
	assert_string_equal(out, "abc...");
	dw_esc(out, 8, "abc", 3);
	assert_string_equal(out, "abc");
	dw_esc(out, 4, "abc", 3);
	assert_string_equal(out, "...");
	dw_esc(out, 3, "abc", 3);
	assert_string_equal(out, "");
	dw_esc(out, 1, "abc", 3);
	assert_string_equal(out, "");
	dw_esc(out, 9, "\n\n\n", 3);
	assert_string_equal(out, "\\x0a...");
	/* No room at all: nothing written. */
	out[0] = 'X';
	dw_esc(out, 0, "abc", 3);
	assert_int_equal(out[0], 'X');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_esc_table),
		cmocka_unit_test(test_esc_all_bytes),
		cmocka_unit_test(test_esc_output_safe),
		cmocka_unit_test(test_esc_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
