/* cli_doctor_report: doctor's findings and their printout. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli_doctor_report.h"

static const char *const level_names[] = { "PASS", "WARN", "FAIL", "INFO" };

int
cli_doctor_report_add(struct cli_doctor_report *rep,
    enum cli_doctor_report_level level, const char *check, const char *fmt, ...)
{
	struct cli_doctor_report_finding	*nv;
	va_list					 ap;
	char					*msg;
	int					 n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	if ((nv = realloc(rep->v, (rep->n + 1) * sizeof(*nv))) == NULL) {
		free(msg);
		return -ENOMEM;
	}
	nv[rep->n].level = level;
	nv[rep->n].check = check;
	nv[rep->n].msg = msg;
	rep->v = nv;
	rep->n++;
	return 0;
}

int
cli_doctor_report_print(const struct cli_doctor_report *rep, FILE *out)
{
	enum cli_doctor_report_level	worst = CLI_DOCTOR_REPORT_PASS;
	size_t				i;

	for (i = 0; i < rep->n; i++) {
		fprintf(out, "%s %s: %s\n", level_names[rep->v[i].level],
		    rep->v[i].check, rep->v[i].msg);
		if (rep->v[i].level != CLI_DOCTOR_REPORT_INFO &&
		    rep->v[i].level > worst)
			worst = rep->v[i].level;
	}
	return (int)worst;
}

void
cli_doctor_report_clear(struct cli_doctor_report *rep)
{
	size_t	i;

	for (i = 0; i < rep->n; i++)
		free(rep->v[i].msg);
	free(rep->v);
	rep->v = NULL;
	rep->n = 0;
}
