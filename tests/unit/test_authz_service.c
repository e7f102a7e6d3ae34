/*
 * Unit tests for authz_service.c: a swarm service's container spec, its
 * networks, log driver and runtime meet the container rules (tasks created
 * from it never pass through authorization again).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "authz/authz_uri.h"
#include "authz/authz_decide.h"
#include "authz/authz_settings.h"
#include "fake_facts.h"

#define C(n, u, b, r)	FAKE_POST(n, u, b, r)
#define D64		FAKE_D64
#define SV(x)		"{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/x\",\"VolumeOptions\":{\"DriverConfig\":{\"Name\":\"local\",\"Options\":{" x "}}}}]}}}"

static const struct fake_case cases[] = {
	/* networks */
	C("service on host network by id", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"},\"Networks\":[{\"Target\":\"hostnet\"}]}}", "container.namespace"),

	/* sysctls */
	C("service IPC sysctl", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Sysctls\":{\"kernel.shmmax\":\"1\",\"kernel.msgmax\":\"1\"}}}}", "allow"),
	C("service kernel sysctl", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Sysctls\":{\"kernel.core_pattern\":\"x\"}}}}", "container.sysctls"),
	C("service network container:hostpid", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"},\"Networks\":[{\"Target\":\"container:hostpid\"}]}}", "container.namespace"),

	/* log drivers that make dockerd dial a unix socket */
	C("service syslog unix address", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"},\"LogDriver\":{\"Name\":\"syslog\",\"Options\":{\"syslog-address\":\"unix:///run/docker.sock\"}}}}", "container.logDriver"),
	C("service tcp fluentd", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"},\"LogDriver\":{\"Name\":\"fluentd\",\"Options\":{\"fluentd-address\":\"tcp://127.0.0.1:24224\"}}}}", "allow"),

	/* local volume options of the container spec's mounts */
	C("service volume proc", "/v1.41/services/create", SV("\"type\":\"proc\",\"device\":\"proc\""), "volume.options"),
	C("service volume relative", "/v1.41/services/abc/update?version=3", SV("\"type\":\"none\",\"o\":\"bind\",\"device\":\"../../etc\""), "volume.options"),
	C("service volume sysfs", "/v1.41/services/create", SV("\"type\":\"sysfs\",\"device\":\"sysfs\""), "volume.options"),
	C("service volume tmpfs", "/v1.41/services/create", SV("\"type\":\"tmpfs\",\"device\":\"tmpfs\""), "allow"),
	C("service named proc volume", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"procvol\",\"Target\":\"/x\"}]}}}", "volume.options"),

	/* the container spec: mounts, capabilities, privileges; runtimes */
	C("service plain", "/v1.41/services/create", "{\"Name\":\"s\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"}}}", "allow"),
	C("service bind etc", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/etc\",\"Target\":\"/x\"}]}}}", "mount.protectedPath"),
	C("service socket", "/v1.41/services/abc/update?version=3", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"@T@/docker.sock\",\"Target\":\"/s\"}]}}}", "mount.dockerSocket"),
	C("service socket allowed", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"docker:cli@" D64 "\",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"@T@/docker.sock\",\"Target\":\"/s\"}]}}}", "allow"),
	C("service cap", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"CapabilityAdd\":[\"CAP_SYS_ADMIN\"]}}}", "container.capabilities"),
	C("service seccomp", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Privileges\":{\"Seccomp\":{\"Mode\":\"unconfined\"}}}}}", "container.securityOpt"),
	C("service host network", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"},\"Networks\":[{\"Target\":\"host\"}]}}", "container.namespace"),
	C("service plugin runtime", "/v1.41/services/create", "{\"TaskTemplate\":{\"Runtime\":\"plugin\",\"PluginSpec\":{\"Name\":\"x\"}}}", "plugin.manage"),
};

int
main(void)
{
	enum { NCASES = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest	tests[NCASES];

	/* One named cmocka test per table row, so failures and counts are per case. */
	fake_case_tests(tests, cases, NCASES, fake_rules_test_case);
	return _cmocka_run_group_tests("authz_service", tests, NCASES,
	    fake_rules_setup, fake_rules_teardown);
}
