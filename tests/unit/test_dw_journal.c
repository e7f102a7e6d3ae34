/*
 * Unit tests for dw_journal and dw_log's journal target: the field
 * encoding (plain and binary forms), entries received on a fake journald
 * datagram socket and parsed as journald does, the stderr fallback when
 * the journal socket is absent, and the $JOURNAL_STREAM test of "auto".
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/dw_journal.h"
#include "common/dw_log.h"
#include "tests/unit/read_file.h"

static char	dir[] = "/tmp/dw-journal-XXXXXX";
static char	sock_path[100];
static int	sink = -1;

/* One parsed entry. */
struct entry {
	int	n;
	char	key[16][64];
	char	val[16][4096];
	size_t	len[16];
};

/* Parse a datagram the way journald reads one; false on malformed input. */
static bool
entry_parse(const char *buf, size_t len, struct entry *e)
{
	size_t	o = 0, k;

	memset(e, 0, sizeof(*e));
	while (o < len && e->n < 16) {
		const char	*eq = NULL, *nl;
		size_t		 i;

		for (i = o; i < len && buf[i] != '=' && buf[i] != '\n'; i++)
			;
		if (i >= len || i - o >= sizeof(e->key[0]))
			return false;
		memcpy(e->key[e->n], buf + o, i - o);
		if (buf[i] == '=') {
			eq = buf + i;
			if ((nl = memchr(eq, '\n', len - i)) == NULL)
				return false;
			k = (size_t)(nl - eq - 1);
			memcpy(e->val[e->n], eq + 1, k);
			e->len[e->n] = k;
			o = (size_t)(nl - buf) + 1;
		} else {
			uint64_t	l = 0;
			int		b;

			if (i + 9 > len)
				return false;
			for (b = 7; b >= 0; b--)
				l = (l << 8) | (unsigned char)buf[i + 1 + b];
			if (l >= sizeof(e->val[0]) || i + 9 + l + 1 > len ||
			    buf[i + 9 + l] != '\n')
				return false;
			memcpy(e->val[e->n], buf + i + 9, l);
			e->len[e->n] = l;
			o = i + 9 + l + 1;
		}
		e->n++;
	}
	return o == len;
}

static const char *
entry_get(const struct entry *e, const char *key)
{
	int	i;

	for (i = 0; i < e->n; i++)
		if (strcmp(e->key[i], key) == 0)
			return e->val[i];
	return NULL;
}

/* Receive one entry from the fake journal (waits up to 2 s). */
static void
recv_entry(struct entry *e)
{
	static char	buf[DW_JOURNAL_MAX];
	ssize_t		n;

	n = recv(sink, buf, sizeof(buf), 0);
	assert_true(n > 0);
	assert_true(entry_parse(buf, (size_t)n, e));
}

/* Nothing (more) arrived. */
static void
assert_no_entry(void)
{
	char	buf[64];

	assert_int_equal(recv(sink, buf, sizeof(buf), MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
}

static int
group_setup(void **state)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	struct timeval		tv = { .tv_sec = 2 };

	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(sock_path, sizeof(sock_path), "%s/journal.sock", dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	sink = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (sink < 0 || bind(sink, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		return -1;
	setsockopt(sink, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return 0;
}

static int
group_teardown(void **state)
{
	dw_log_target_set(DW_LOG_STDERR);
	close(sink);
	unlink(sock_path);
	rmdir(dir);
	return 0;
}

static void
test_field_encoding(void **state)
{
	char	buf[64];
	size_t	off = 0;

	/* Filled, so that a comparison past what was written fails. */
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(dw_journal_field(buf, sizeof(buf), &off, "MESSAGE", "hi there", 8), 0);
	assert_int_equal(off, 17);
	assert_memory_equal(buf, "MESSAGE=hi there\n", 17);
	/* A newline in the value: KEY\n, 64-bit LE length, value, \n. */
	assert_int_equal(dw_journal_field(buf, sizeof(buf), &off, "M", "a\nb", 3), 0);
	assert_int_equal(off, 17 + 2 + 8 + 3 + 1);
	assert_memory_equal(buf + 17, "M\n\x03\0\0\0\0\0\0\0a\nb\n", 14);
	/* Too long: refused, nothing written. */
	assert_int_equal(dw_journal_field(buf, sizeof(buf), &off, "LONGKEY",
	    "0123456789012345678901234567890123", 34), -E2BIG);
	assert_int_equal(off, 31);
}

static void
test_journal_entries(void **state)
{
	const char *const fields[] = { "DOCKWARD_RULE", "container.privileged",
	    "DOCKWARD_VERDICT", "deny", "DOCKWARD_FIELD", NULL, NULL };
	struct entry	e;

	assert_int_equal(setenv("DOCKWARD_JOURNAL_SOCKET", sock_path, 1), 0);
	assert_int_equal(dw_log_target_set(DW_LOG_JOURNAL), DW_LOG_JOURNAL);
	dw_log_level_set(DW_LOG_INFO);

	dw_log_fields(DW_LOG_INFO, "serve_audit", fields, "deny %s: %s",
	    "container.privileged", "dockward: no");
	recv_entry(&e);
	assert_string_equal(entry_get(&e, "MESSAGE"), "deny container.privileged: dockward: no");
	assert_string_equal(entry_get(&e, "PRIORITY"), "6");
	assert_string_equal(entry_get(&e, "SYSLOG_IDENTIFIER"), "dockward");
	assert_string_equal(entry_get(&e, "CODE_FUNC"), "serve_audit");
	assert_string_equal(entry_get(&e, "DOCKWARD_RULE"), "container.privileged");
	assert_string_equal(entry_get(&e, "DOCKWARD_VERDICT"), "deny");
	/* A NULL value leaves its field out. */
	assert_null(entry_get(&e, "DOCKWARD_FIELD"));
	assert_int_equal(e.n, 6);

	/* log_err: priority 3, this function's name; a multi-line message whole. */
	log_err("line one\nline two");
	recv_entry(&e);
	assert_string_equal(entry_get(&e, "PRIORITY"), "3");
	assert_string_equal(entry_get(&e, "MESSAGE"), "line one\nline two");
	assert_string_equal(entry_get(&e, "CODE_FUNC"), "test_journal_entries");
	log_warn("w");
	recv_entry(&e);
	assert_string_equal(entry_get(&e, "PRIORITY"), "4");
	dw_log(DW_LOG_INFO, "plain");
	recv_entry(&e);
	assert_null(entry_get(&e, "CODE_FUNC"));
	assert_string_equal(entry_get(&e, "MESSAGE"), "plain");

	/* Levels still filter. */
	log_debug("not shown");
	assert_no_entry();
	dw_log_level_set(DW_LOG_DEBUG);
	log_debug("shown");
	recv_entry(&e);
	assert_string_equal(entry_get(&e, "PRIORITY"), "7");
	dw_log_level_set(DW_LOG_INFO);
}

/* Run fn with stderr going to a file; returns what was written. */
static char *
capture_stderr(void (*fn)(void))
{
	char	path[160], *out;
	int	fd, saved;

	snprintf(path, sizeof(path), "%s/stderr.txt", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	assert_non_null(out = test_file_read(path, NULL));
	unlink(path);
	return out;
}

static void
log_two(void)
{
	log_info("first %d", 1);
	log_err("second");
}

static void
test_fallback_to_stderr(void **state)
{
	char	missing[160], *out;

	/* No journal at the socket path: every line still shows, in the stderr form. */
	snprintf(missing, sizeof(missing), "%s/absent.sock", dir);
	assert_int_equal(setenv("DOCKWARD_JOURNAL_SOCKET", missing, 1), 0);
	assert_int_equal(dw_log_target_set(DW_LOG_JOURNAL), DW_LOG_JOURNAL);
	out = capture_stderr(log_two);
	assert_non_null(strstr(out, "Z dockward[info]: first 1\n"));
	assert_non_null(strstr(out, "Z dockward[error]: second\n"));
	free(out);
	assert_no_entry();
	/* Target stderr: nothing goes to the journal even when it is there. */
	assert_int_equal(setenv("DOCKWARD_JOURNAL_SOCKET", sock_path, 1), 0);
	assert_int_equal(dw_log_target_set(DW_LOG_STDERR), DW_LOG_STDERR);
	out = capture_stderr(log_two);
	assert_non_null(strstr(out, "dockward[info]: first 1\n"));
	free(out);
	assert_no_entry();
}

static int	auto_target;

static void
set_auto(void)
{
	auto_target = dw_log_target_set(DW_LOG_AUTO);
}

static void
test_auto(void **state)
{
	struct stat	st;
	char		v[64], *out;

	assert_int_equal(setenv("DOCKWARD_JOURNAL_SOCKET", sock_path, 1), 0);
	unsetenv("JOURNAL_STREAM");
	assert_int_equal(dw_log_target_set(DW_LOG_AUTO), DW_LOG_STDERR);
	/* Names another file than our stderr: stderr. */
	assert_int_equal(stat("/", &st), 0);
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", v, 1);
	assert_int_equal(dw_log_target_set(DW_LOG_AUTO), DW_LOG_STDERR);
	setenv("JOURNAL_STREAM", "garbage", 1);
	assert_int_equal(dw_log_target_set(DW_LOG_AUTO), DW_LOG_STDERR);
	/* Names our stderr (here the capture file): the journal. */
	{
		char	path[160];
		int	fd;

		snprintf(path, sizeof(path), "%s/stderr.txt", dir);
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		assert_int_equal(fstat(fd, &st), 0);
		close(fd);
		snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
		    (unsigned long long)st.st_ino);
		setenv("JOURNAL_STREAM", v, 1);
	}
	out = capture_stderr(set_auto);
	free(out);
	assert_int_equal(auto_target, DW_LOG_JOURNAL);
	unsetenv("JOURNAL_STREAM");
	assert_int_equal(dw_log_target_parse("auto"), DW_LOG_AUTO);
	assert_int_equal(dw_log_target_parse("journal"), DW_LOG_JOURNAL);
	assert_int_equal(dw_log_target_parse("stderr"), DW_LOG_STDERR);
	assert_int_equal(dw_log_target_parse("syslog"), -EINVAL);
	dw_log_target_set(DW_LOG_STDERR);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_encoding),
		cmocka_unit_test(test_journal_entries),
		cmocka_unit_test(test_fallback_to_stderr),
		cmocka_unit_test(test_auto),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
