/*
 * cli_doctor_report: the findings of `dockward doctor`, in the order they
 * were made, and their printout, one line each:
 * `PASS|INFO|WARN|FAIL <check-id>: <message>`.  Every check of cli_doctor.c
 * and cli_doctor_probe.c appends to one report.
 */
#ifndef CLI_DOCTOR_REPORT_H
#define CLI_DOCTOR_REPORT_H

#include <stddef.h>
#include <stdio.h>

/*
 * Zero passes; the order of the first three is the severity (the worst one
 * sets the exit status).  INFO is something doctor could not check and
 * nobody needs to fix (a wildcard registry): printed, and it passes.
 */
enum cli_doctor_report_level {
	CLI_DOCTOR_REPORT_PASS = 0,
	CLI_DOCTOR_REPORT_WARN,
	CLI_DOCTOR_REPORT_FAIL,
	CLI_DOCTOR_REPORT_INFO
};

struct cli_doctor_report_finding {
	enum cli_doctor_report_level	 level;
	const char			*check;	/* borrowed: a static check id, "engine.tcp" */
	char				*msg;	/* new: owned by the report */
};

/* Zero-initialise; cli_doctor_report_clear() frees the findings. */
struct cli_doctor_report {
	struct cli_doctor_report_finding	*v;
	size_t					 n;
};

/*
 * Append one finding: check is borrowed (a static string), the message
 * is formatted into memory rep owns.  0 or -ENOMEM.
 */
int	cli_doctor_report_add(struct cli_doctor_report *rep,
	    enum cli_doctor_report_level level, const char *check,
	    const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

/*
 * Print one line per finding to out; returns the worst level, which is
 * doctor's exit status (0 all pass or INFO, 1 a WARN, 2 a FAIL).
 */
int	cli_doctor_report_print(const struct cli_doctor_report *rep, FILE *out);

/* Free the findings and zero rep; rep itself is not freed. */
void	cli_doctor_report_clear(struct cli_doctor_report *rep);

#endif
