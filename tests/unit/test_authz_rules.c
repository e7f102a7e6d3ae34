/*
 * Unit tests for the policy engine: each rule with allowed and denied
 * cases, and the request-model refusals (URI, body, ambiguous JSON).
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

#define D64 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char policy_json[] =
    "{\"configurationFileVersion\":2,"
    " \"enhancedContainerIsolation\":{\"value\":true,\"locked\":true,"
    "  \"dockerSocketMount\":{\"imageList\":{\"images\":["
    "   \"docker:cli\",\"localhost:5000/tools/*:*\",\"registry.example/pinned@" D64 "\"]}}},"
    " \"dockward\":{\"allowedCapabilities\":[\"NET_ADMIN\"],"
    "  \"allowedDevices\":[\"/dev/fuse\"],\"allowedSysctls\":[\"kernel.shmmax\"]}}";

static struct authz_facts	facts;
static struct authz_settings	*policy;

struct rcase {
	const char	*name;
	const char	*method;
	const char	*uri;
	const char	*body;		/* template with @T@, NULL = no body */
	long long	 clen;		/* Content-Length header, -1 = absent; -2 = body length */
	const char	*rule;		/* expected rule id, "allow" for allowed */
	const char	*ctype;		/* Content-Type; NULL: application/json with a body */
};

#define C(n, u, b, r)	{ n, "POST", u, b, -2, r, NULL }
#define F(n, u, b, t, r) { n, "POST", u, b, -2, r, t }
#define CREATE		"/v1.41/containers/create"
#define HC(x)		"{\"Image\":\"busybox\",\"HostConfig\":{" x "}}"
#define SOCKHC(img, x)	"{\"Image\":\"" img "\",\"HostConfig\":{" x "}}"
#define VC		"/v1.41/volumes/create"
#define V(x)		"{\"Name\":\"v\",\"DriverOpts\":{" x "}}"
#define MV(x)		HC("\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/x\",\"VolumeOptions\":{\"DriverConfig\":{\"Options\":{" x "}}}}]")
#define SV(x)		"{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/x\",\"VolumeOptions\":{\"DriverConfig\":{\"Name\":\"local\",\"Options\":{" x "}}}}]}}}"

static const struct rcase cases[] = {
	/* plain workloads */
	C("plain create", CREATE, "{\"Image\":\"busybox\",\"Cmd\":[\"echo\",\"hi\"]}", "allow"),
	C("create with empty HostConfig", CREATE, HC(""), "allow"),
	C("project bind", CREATE, HC("\"Binds\":[\"@T@/project:/src:ro\"]"), "allow"),
	C("missing dir bind under tmp", CREATE, HC("\"Binds\":[\"@T@/new/dir:/x\"]"), "allow"),
	C("anonymous volume", CREATE, HC("\"Binds\":[\"/data\"]"), "allow"),
	C("named new volume", CREATE, HC("\"Binds\":[\"newvol:/data\"]"), "allow"),
	C("named plain volume", CREATE, HC("\"Binds\":[\"plainvol:/data\"]"), "allow"),
	C("tmpfs mount", CREATE, HC("\"Mounts\":[{\"Type\":\"tmpfs\",\"Target\":\"/t\"}]"), "allow"),
	C("default cap add", CREATE, HC("\"CapAdd\":[\"chown\",\"CAP_NET_RAW\"]"), "allow"),
	C("allowed cap add", CREATE, HC("\"CapAdd\":\"net_admin\""), "allow"),
	C("allowed device", CREATE, HC("\"Devices\":[{\"PathOnHost\":\"/dev/fuse\",\"PathInContainer\":\"/dev/fuse\",\"CgroupPermissions\":\"rwm\"}]"), "allow"),
	C("net sysctl", CREATE, HC("\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\"}"), "allow"),
	C("allowed kernel sysctl", CREATE, HC("\"Sysctls\":{\"kernel.shmmax\":\"1\"}"), "allow"),
	C("runc runtime", CREATE, HC("\"Runtime\":\"runc\""), "allow"),
	C("no-new-privileges", CREATE, HC("\"SecurityOpt\":[\"no-new-privileges\",\"apparmor=docker-default\",\"seccomp=builtin\"]"), "allow"),
	C("bridge network", CREATE, HC("\"NetworkMode\":\"bridge\",\"PidMode\":\"container:nsctr\""), "allow"),
	C("privileged false", CREATE, HC("\"Privileged\":false"), "allow"),
	C("volumes-from plain container", CREATE, HC("\"VolumesFrom\":[\"plainctr:ro\"]"), "allow"),
	C("volumes-from socket holder, allowed image", CREATE, SOCKHC("docker:cli", "\"VolumesFrom\":[\"sockctr\"]"), "allow"),

	/* privileged, namespaces, capabilities, devices, security, runtime, sysctls */
	C("privileged", CREATE, HC("\"Privileged\":true"), "container.privileged"),
	C("privileged lowercase key", CREATE, HC("\"privileged\":true"), "container.privileged"),
	C("privileged at top level (old wrapper)", CREATE, "{\"Image\":\"busybox\",\"Privileged\":true}", "container.privileged"),
	C("privileged top level beside HostConfig", CREATE, "{\"Image\":\"busybox\",\"Privileged\":true,\"HostConfig\":{}}", "container.privileged"),
	C("privileged via %2F path", "/v1.41/containers%2Fcreate", HC("\"Privileged\":true"), "container.privileged"),
	C("privileged unversioned", "/containers/create", HC("\"Privileged\":true"), "container.privileged"),
	C("privileged v1.12", "/v1.12/containers/create", HC("\"Privileged\":true"), "container.privileged"),
	C("privileged absolute-form URI", "http://docker/v1.41/containers/create?name=x", HC("\"Privileged\":true"), "container.privileged"),
	C("host pid", CREATE, HC("\"PidMode\":\"host\""), "container.namespace"),
	C("host network", CREATE, HC("\"NetworkMode\":\"host\""), "container.namespace"),
	C("host network Kelvin key", CREATE, HC("\"Networ\xe2\x84\xaaMode\":\"host\""), "container.namespace"),
	C("host network by id", CREATE, HC("\"NetworkMode\":\"hostnet\""), "container.namespace"),
	C("user network", CREATE, HC("\"NetworkMode\":\"appnet\""), "allow"),
	C("network lookup fails", CREATE, HC("\"NetworkMode\":\"brokennet\""), "engine.lookup"),
	C("host network in EndpointsConfig", CREATE, "{\"Image\":\"busybox\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"hostnet\":{}}}}", "container.namespace"),
	C("network connect to host", "/v1.41/networks/hostnet/connect", "{\"Container\":\"x\"}", "container.namespace"),
	C("network connect to app", "/v1.41/networks/appnet/connect", "{\"Container\":\"x\"}", "allow"),
	C("service on host network by id", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"},\"Networks\":[{\"Target\":\"hostnet\"}]}}", "container.namespace"),
	C("build on the host network", "/v1.41/build?t=x&networkmode=host", NULL, "container.namespace"),
	C("build on host network by id", "/v1.41/build?networkmode=hostnet", NULL, "container.namespace"),
	C("build networkmode twice", "/v1.41/build?networkmode=default&networkmode=host", NULL, "request.uri"),
	C("build default network", "/v1.41/build?t=x&networkmode=default", NULL, "allow"),
	C("host ipc", CREATE, HC("\"IpcMode\":\"host\""), "container.namespace"),
	C("host uts", CREATE, HC("\"UTSMode\":\"host\""), "container.namespace"),
	C("host userns", CREATE, HC("\"UsernsMode\":\"host\""), "container.namespace"),
	C("host cgroupns", CREATE, HC("\"CgroupnsMode\":\"HOST\""), "container.namespace"),
	C("cap SYS_ADMIN", CREATE, HC("\"CapAdd\":[\"SYS_ADMIN\"]"), "container.capabilities"),
	C("cap ALL as string", CREATE, HC("\"CapAdd\":\"ALL\""), "container.capabilities"),
	C("cap cap_sys_module", CREATE, HC("\"CapAdd\":[\"cap_sys_module\"]"), "container.capabilities"),
	C("device mem", CREATE, HC("\"Devices\":[{\"PathOnHost\":\"/dev/mem\",\"PathInContainer\":\"/dev/mem\"}]"), "container.devices"),
	C("device cgroup rule", CREATE, HC("\"DeviceCgroupRules\":[\"c 1:1 rwm\"]"), "container.devices"),
	C("device requests", CREATE, HC("\"DeviceRequests\":[{\"Driver\":\"nvidia\",\"Count\":-1}]"), "container.devices"),
	C("seccomp unconfined", CREATE, HC("\"SecurityOpt\":[\"seccomp=unconfined\"]"), "container.securityOpt"),
	C("seccomp colon form", CREATE, HC("\"SecurityOpt\":[\"seccomp:unconfined\"]"), "container.securityOpt"),
	C("custom seccomp profile", CREATE, HC("\"SecurityOpt\":[\"seccomp={\\\"defaultAction\\\":\\\"SCMP_ACT_ALLOW\\\"}\"]"), "container.securityOpt"),
	C("apparmor unconfined", CREATE, HC("\"SecurityOpt\":[\"apparmor=unconfined\"]"), "container.securityOpt"),
	C("label disable", CREATE, HC("\"SecurityOpt\":[\"label=disable\"]"), "container.securityOpt"),
	C("bare disable", CREATE, HC("\"SecurityOpt\":[\"disable\"]"), "container.securityOpt"),
	C("label spc_t", CREATE, HC("\"SecurityOpt\":[\"label=type:spc_t\"]"), "container.securityOpt"),
	C("unknown security opt", CREATE, HC("\"SecurityOpt\":[\"bogus=1\"]"), "container.securityOpt"),
	C("systempaths unconfined", CREATE, HC("\"MaskedPaths\":[],\"ReadonlyPaths\":[]"), "container.securityOpt"),
	C("other runtime", CREATE, HC("\"Runtime\":\"io.containerd.runtime.v1.linux\""), "container.runtime"),
	C("kernel sysctl", CREATE, HC("\"Sysctls\":{\"kernel.core_pattern\":\"|/x\"}"), "container.sysctls"),
	C("kernel sysctl near an IPC one", CREATE, HC("\"Sysctls\":{\"kernel.shmmax2\":\"1\"}"), "container.sysctls"),
	C("IPC sysctl, other case", CREATE, HC("\"Sysctls\":{\"Kernel.msgmax\":\"1\"}"), "container.sysctls"),
	C("kernel.domainname sysctl", CREATE, HC("\"Sysctls\":{\"kernel.domainname\":\"x\"}"), "container.sysctls"),

	/* IPC and network sysctls in the namespace actually joined (issue 12) */
	C("IPC sysctl kernel.msgmax, private ipc", CREATE, HC("\"Sysctls\":{\"kernel.msgmax\":\"65536\"}"), "allow"),
	C("IPC sysctls shm/sem, --ipc private", CREATE, HC("\"IpcMode\":\"private\",\"Sysctls\":{\"kernel.shmall\":\"1\",\"kernel.sem\":\"1 2 3 4\",\"kernel.shm_rmid_forced\":\"1\",\"kernel.msgmnb\":\"1\",\"kernel.msgmni\":\"1\",\"kernel.shmmni\":\"1\"}"), "allow"),
	C("mqueue sysctl, --ipc shareable", CREATE, HC("\"IpcMode\":\"shareable\",\"Sysctls\":{\"fs.mqueue.msg_max\":\"64\"}"), "allow"),
	C("mqueue sysctl, --ipc container:ordinary", CREATE, HC("\"IpcMode\":\"container:nsctr\",\"Sysctls\":{\"fs.mqueue.msg_max\":\"64\"}"), "allow"),
	C("mqueue sysctl, --ipc host", CREATE, HC("\"IpcMode\":\"host\",\"Sysctls\":{\"fs.mqueue.msg_max\":\"64\"}"), "container.namespace"),
	C("mqueue sysctl, --ipc container:hostpid", CREATE, HC("\"IpcMode\":\"container:hostpid\",\"Sysctls\":{\"fs.mqueue.msg_max\":\"64\"}"), "container.namespace"),
	C("net sysctl, --net container:ordinary", CREATE, HC("\"NetworkMode\":\"container:nsctr\",\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\"}"), "allow"),
	C("net sysctl, --net container:hostpid", CREATE, HC("\"NetworkMode\":\"container:hostpid\",\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\"}"), "container.namespace"),
	C("service IPC sysctl", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Sysctls\":{\"kernel.shmmax\":\"1\",\"kernel.msgmax\":\"1\"}}}}", "allow"),
	C("service kernel sysctl", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Sysctls\":{\"kernel.core_pattern\":\"x\"}}}}", "container.sysctls"),

	/* container:X modes followed to X (issue 12, root cause 3) */
	C("pid container:hostpid", CREATE, HC("\"PidMode\":\"container:hostpid\""), "container.namespace"),
	C("net container:hostpid", CREATE, HC("\"NetworkMode\":\"container:hostpid\""), "container.namespace"),
	C("ipc container:hostpid", CREATE, HC("\"IpcMode\":\"container:hostpid\""), "container.namespace"),
	C("pid container:hostpid, top level", CREATE, "{\"Image\":\"busybox\",\"PidMode\":\"container:hostpid\"}", "container.namespace"),
	C("pid chain X->Y->host", CREATE, HC("\"PidMode\":\"container:viavia\""), "container.namespace"),
	C("net chain X->Y->host", CREATE, HC("\"NetworkMode\":\"container:viavia\""), "container.namespace"),
	C("ipc chain X->Y->host", CREATE, HC("\"IpcMode\":\"container:viavia\""), "container.namespace"),
	C("pid by id prefix", CREATE, HC("\"PidMode\":\"container:0123abc\""), "container.namespace"),
	C("net to container on host net by id", CREATE, HC("\"NetworkMode\":\"container:hostnetid\""), "container.namespace"),
	C("pid to a host-userns container", CREATE, HC("\"PidMode\":\"container:hostuserns\""), "container.namespace"),
	C("pid loop", CREATE, HC("\"PidMode\":\"container:loopa\""), "container.namespace"),
	C("pid chain too long", CREATE, HC("\"PidMode\":\"container:deep0\""), "container.namespace"),
	C("pid chain long but short enough", CREATE, HC("\"PidMode\":\"container:deep6\""), "container.namespace"),
	C("pid container missing", CREATE, HC("\"PidMode\":\"container:nosuch\""), "container.namespace"),
	C("pid container name too long", CREATE, HC("\"PidMode\":\"container:hostpid"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\""), "container.namespace"),
	C("pid container empty name", CREATE, HC("\"PidMode\":\"container:\""), "container.namespace"),
	C("pid container lookup fails", CREATE, HC("\"PidMode\":\"container:brokenctr\""), "engine.lookup"),
	C("pid chain lookup fails", CREATE, HC("\"PidMode\":\"container:brokenchain\""), "engine.lookup"),
	C("pid container:ordinary", CREATE, HC("\"PidMode\":\"container:nsctr\""), "allow"),
	C("net container:ordinary", CREATE, HC("\"NetworkMode\":\"container:nsctr\""), "allow"),
	C("ipc container:ordinary", CREATE, HC("\"IpcMode\":\"container:nsctr\""), "allow"),
	C("chain to ordinary", CREATE, HC("\"PidMode\":\"container:viapriv\",\"NetworkMode\":\"container:viapriv\",\"IpcMode\":\"container:viapriv\""), "allow"),
	C("build networkmode container:hostpid", "/v1.41/build?networkmode=container:hostpid", NULL, "container.namespace"),
	C("build networkmode container chain", "/v1.41/build?networkmode=container%3Aviavia", NULL, "container.namespace"),
	C("build networkmode container:ordinary", "/v1.41/build?networkmode=container:nsctr", NULL, "allow"),
	C("endpoint named container:hostpid", CREATE, "{\"Image\":\"busybox\",\"NetworkingConfig\":{\"EndpointsConfig\":{\"container:hostpid\":{}}}}", "container.namespace"),
	C("service network container:hostpid", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"},\"Networks\":[{\"Target\":\"container:hostpid\"}]}}", "container.namespace"),
	C("start of a container joining hostpid", "/v1.41/containers/viahost/start", NULL, "container.existing"),
	C("restart of a container joining hostpid", "/v1.41/containers/viahost/restart", NULL, "container.existing"),
	C("start of an admin's host container", "/v1.41/containers/hostpid/start", NULL, "container.existing"),
	C("start of a container joining an ordinary one", "/v1.41/containers/viapriv/start", NULL, "allow"),
	C("rename of a host-namespace container", "/v1.41/containers/hostpid/rename?name=nsctr", NULL, "container.namespace"),
	C("rename of a host-userns container", "/v1.41/containers/hostuserns/rename?name=x", NULL, "container.namespace"),
	C("rename of an ordinary container", "/v1.41/containers/nsctr/rename?name=x", NULL, "allow"),
	C("rename lookup fails", "/v1.41/containers/brokenctr/rename?name=x", NULL, "engine.lookup"),
	C("rename of a container joining the host's", "/v1.41/containers/viavia/rename?name=x", NULL, "container.namespace"),
	C("exec into a host-namespace container", "/v1.41/containers/hostpid/exec", "{\"Cmd\":[\"sh\"]}", "container.existing"),
	C("exec into a container joining the host's", "/v1.41/containers/viahost/exec", "{\"Cmd\":[\"sh\"]}", "container.existing"),
	C("exec into a host-network-by-id container", "/v1.41/containers/hostnetid/exec", "{\"Cmd\":[\"sh\"]}", "container.existing"),
	C("exec into a host-userns container", "/v1.41/containers/hostuserns/exec", "{\"Cmd\":[\"sh\"]}", "container.existing"),
	C("exec into an ordinary container", "/v1.41/containers/nsctr/exec", "{\"Cmd\":[\"sh\"]}", "allow"),
	C("exec into a container joining an ordinary one", "/v1.41/containers/viapriv/exec", "{\"Cmd\":[\"sh\"]}", "allow"),
	C("exec lookup fails", "/v1.41/containers/brokenctr/exec", "{\"Cmd\":[\"sh\"]}", "engine.lookup"),
	C("cgroupns host on cgroup v1", CREATE, HC("\"CgroupnsMode\":\"host\""), "allow"),
	C("cgroupns private", CREATE, HC("\"CgroupnsMode\":\"private\""), "allow"),

	/* log drivers that make dockerd dial a unix socket (issue 12, root cause 9) */
	C("syslog unix address", CREATE, HC("\"LogConfig\":{\"Type\":\"syslog\",\"Config\":{\"syslog-address\":\"unix:///run/containerd/containerd.sock\"}}"), "container.logDriver"),
	C("syslog unixgram address", CREATE, HC("\"LogConfig\":{\"Type\":\"syslog\",\"Config\":{\"syslog-address\":\"unixgram:///dev/log\"}}"), "container.logDriver"),
	C("syslog UNIX address", CREATE, HC("\"LogConfig\":{\"Type\":\"syslog\",\"Config\":{\"syslog-address\":\" UNIX:///run/x.sock\"}}"), "container.logDriver"),
	C("fluentd unix address", CREATE, HC("\"logconfig\":{\"type\":\"fluentd\",\"config\":{\"fluentd-address\":\"unix:///var/run/docker.sock\"}}"), "container.logDriver"),
	C("log config at top level", CREATE, "{\"Image\":\"busybox\",\"LogConfig\":{\"Type\":\"syslog\",\"Config\":{\"syslog-address\":\"unix:///x\"}}}", "container.logDriver"),
	C("log config non-string option", CREATE, HC("\"LogConfig\":{\"Type\":\"syslog\",\"Config\":{\"syslog-address\":1}}"), "request.json"),
	C("service syslog unix address", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"},\"LogDriver\":{\"Name\":\"syslog\",\"Options\":{\"syslog-address\":\"unix:///run/docker.sock\"}}}}", "container.logDriver"),
	C("syslog udp address", CREATE, HC("\"LogConfig\":{\"Type\":\"syslog\",\"Config\":{\"syslog-address\":\"udp://127.0.0.1:514\"}}"), "allow"),
	C("json-file options", CREATE, HC("\"LogConfig\":{\"Type\":\"json-file\",\"Config\":{\"max-size\":\"10m\"}}"), "allow"),
	C("service tcp fluentd", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"},\"LogDriver\":{\"Name\":\"fluentd\",\"Options\":{\"fluentd-address\":\"tcp://127.0.0.1:24224\"}}}}", "allow"),

	/* networks bound to host interfaces (issue 12, root cause 9) */
	C("bridge.name of a host interface", "/v1.41/networks/create", "{\"Name\":\"n\",\"Driver\":\"bridge\",\"Options\":{\"com.docker.network.bridge.name\":\"br0\"}}", "network.hostInterface"),
	C("bridge.name eth0, key in other case", "/v1.41/networks/create", "{\"Name\":\"n\",\"Options\":{\"COM.docker.network.bridge.name\":\"eth0\"}}", "network.hostInterface"),
	C("bridge.name docker0", "/v1.41/networks/create", "{\"Name\":\"n\",\"Options\":{\"com.docker.network.bridge.name\":\"docker0\"}}", "network.hostInterface"),
	C("bridge.name in Labels", "/v1.41/networks/create", "{\"Name\":\"n\",\"Labels\":{\"com.docker.network.bridge.name\":\"lo\"}}", "network.hostInterface"),
	C("default_bridge option", "/v1.41/networks/create", "{\"Name\":\"n\",\"Options\":{\"com.docker.network.bridge.default_bridge\":\"true\"}}", "network.hostInterface"),
	C("macvlan parent", "/v1.41/networks/create", "{\"Name\":\"n\",\"Driver\":\"macvlan\",\"Options\":{\"parent\":\"eth0\"}}", "network.hostInterface"),
	C("ipvlan parent vlan", "/v1.41/networks/create", "{\"Name\":\"n\",\"Driver\":\"ipvlan\",\"Options\":{\"parent\":\"eth0.10\"}}", "network.hostInterface"),
	C("network options not strings", "/v1.41/networks/create", "{\"Name\":\"n\",\"Options\":{\"parent\":1}}", "request.json"),
	C("bridge.name new", "/v1.41/networks/create", "{\"Name\":\"n\",\"Driver\":\"bridge\",\"Options\":{\"com.docker.network.bridge.name\":\"br-mine\",\"com.docker.network.driver.mtu\":\"1400\"}}", "allow"),
	C("plain network create", "/v1.41/networks/create", "{\"Name\":\"n\",\"Driver\":\"bridge\"}", "allow"),
	C("vm sysctl", CREATE, HC("\"Sysctls\":{\"vm.swappiness\":\"1\"}"), "container.sysctls"),

	/* mounts */
	C("root bind", CREATE, HC("\"Binds\":[\"/:/host\"]"), "mount.protectedPath"),
	C("etc bind", CREATE, HC("\"Binds\":[\"/etc:/x:ro\"]"), "mount.protectedPath"),
	C("file under etc", CREATE, HC("\"Binds\":[\"/etc/shadow:/x\"]"), "mount.protectedPath"),
	C("dotdot to etc", CREATE, HC("\"Binds\":[\"@T@/../../etc:/x\"]"), "mount.protectedPath"),
	C("symlink to etc", CREATE, HC("\"Binds\":[\"@T@/etclink:/x\"]"), "mount.protectedPath"),
	C("parent of run (var)", CREATE, HC("\"Binds\":[\"/var:/x\"]"), "mount.protectedPath"),
	C("own state dir", CREATE, HC("\"Binds\":[\"@O@:/x\"]"), "mount.protectedPath"),
	C("inside own state dir", CREATE, HC("\"Binds\":[\"@O@/cache:/x\"]"), "mount.protectedPath"),
	C("mount bind etc", CREATE, HC("\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/etc\",\"Target\":\"/x\"}]"), "mount.protectedPath"),
	C("mount bind etc lowercase keys", CREATE, HC("\"mounts\":[{\"type\":\"bind\",\"source\":\"/etc\",\"target\":\"/x\"}]"), "mount.protectedPath"),
	C("mount volume with bind opts", CREATE, HC("\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/x\",\"VolumeOptions\":{\"DriverConfig\":{\"Name\":\"local\",\"Options\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}}}]"), "mount.protectedPath"),
	C("named volume bound to etc", CREATE, HC("\"Binds\":[\"etcvol:/x\"]"), "mount.protectedPath"),
	/* default protected paths: writes there run code as root or steal credentials */
	C("default protected dpkg", CREATE, HC("\"Binds\":[\"/var/lib/dpkg/info:/x\"]"), "mount.protectedPath"),
	C("default protected cron spool", CREATE, HC("\"Binds\":[\"/var/spool/cron/crontabs:/x\"]"), "mount.protectedPath"),
	C("default protected opt", CREATE, HC("\"Binds\":[\"/opt/cni/bin:/x\"]"), "mount.protectedPath"),
	C("default protected systemd state", CREATE, HC("\"Binds\":[\"/var/lib/systemd:/x\"]"), "mount.protectedPath"),
	C("default protected apt cache", CREATE, HC("\"Binds\":[\"/var/cache/apt/archives:/x\"]"), "mount.protectedPath"),
	C("default protected log", CREATE, HC("\"Binds\":[\"/var/log:/x:ro\"]"), "mount.protectedPath"),
	C("default protected lib64", CREATE, HC("\"Binds\":[\"/lib64:/x\"]"), "mount.protectedPath"),
	C("default protected kubelet", CREATE, HC("\"Binds\":[\"/var/lib/kubelet/pods:/x\"]"), "mount.protectedPath"),
	C("parent of protected (var/lib)", CREATE, HC("\"Binds\":[\"/var/lib:/x\"]"), "mount.protectedPath"),
	C("volume bind dpkg", VC, V("\"type\":\"none\",\"o\":\"bind\",\"device\":\"/var/lib/dpkg\""), "mount.protectedPath"),
	C("home project still allowed", CREATE, HC("\"Binds\":[\"/home/dw-unit-nobody/project:/src\"]"), "allow"),
	C("mount type npipe", CREATE, HC("\"Mounts\":[{\"Type\":\"npipe\",\"Source\":\"x\",\"Target\":\"/x\"}]"), "mount.type"),
	C("root-owned socket", CREATE, HC("\"Binds\":[\"@T@/containerd.sock:/c.sock\"]"), "mount.rootSocket"),
	C("engine socket", CREATE, HC("\"Binds\":[\"@T@/docker.sock:/var/run/docker.sock\"]"), "mount.dockerSocket"),
	C("engine socket hard link", CREATE, HC("\"Binds\":[\"@T@/hardlink.sock:/s\"]"), "mount.dockerSocket"),
	C("engine socket symlink", CREATE, HC("\"Binds\":[\"@T@/symlink.sock:/s\"]"), "mount.dockerSocket"),
	C("engine socket via dotdot", CREATE, HC("\"Binds\":[\"@T@/project/../docker.sock:/s\"]"), "mount.dockerSocket"),
	C("engine socket dir", CREATE, HC("\"Binds\":[\"@T@:/t\"]"), "mount.dockerSocket"),
	C("engine socket via Mounts", CREATE, HC("\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"@T@/docker.sock\",\"Target\":\"/s\"}]"), "mount.dockerSocket"),
	C("engine socket via volume", CREATE, HC("\"Binds\":[\"sockvol:/s\"]"), "mount.dockerSocket"),
	C("engine socket via volumes-from", CREATE, HC("\"VolumesFrom\":[\"sockctr\"]"), "mount.dockerSocket"),
	C("engine socket at top level", CREATE, "{\"Image\":\"busybox\",\"Binds\":[\"@T@/docker.sock:/s\"]}", "mount.dockerSocket"),
	C("socket for docker:cli", CREATE, SOCKHC("docker:cli", "\"Binds\":[\"@T@/docker.sock:/s\"]"), "allow"),
	C("socket for docker.io/library/docker:cli", CREATE, SOCKHC("docker.io/library/docker:cli", "\"Binds\":[\"@T@/hardlink.sock:/s\"]"), "allow"),
	C("socket for docker:latest", CREATE, SOCKHC("docker", "\"Binds\":[\"@T@/docker.sock:/s\"]"), "mount.dockerSocket"),
	C("socket for tools wildcard", CREATE, SOCKHC("localhost:5000/tools/ci:7", "\"Binds\":[\"@T@/docker.sock:/s\"]"), "allow"),
	C("socket for tools nested (no match)", CREATE, SOCKHC("localhost:5000/tools/a/b:7", "\"Binds\":[\"@T@/docker.sock:/s\"]"), "mount.dockerSocket"),
	C("socket for pinned digest", CREATE, SOCKHC("registry.example/pinned@" D64, "\"Binds\":[\"@T@/docker.sock:/s\"]"), "allow"),
	C("socket for pinned by tag", CREATE, SOCKHC("registry.example/pinned:latest", "\"Binds\":[\"@T@/docker.sock:/s\"]"), "mount.dockerSocket"),
	C("socket dir for allowed image", CREATE, SOCKHC("docker:cli", "\"Binds\":[\"@T@:/t\"]"), "allow"),
	C("socket for a forged local tag", CREATE, SOCKHC("docker:forged", "\"Binds\":[\"@T@/docker.sock:/s\"]"), "mount.dockerSocket"),
	C("socket when registry unreachable", CREATE, SOCKHC("localhost:5000/tools/unreachable:1", "\"Binds\":[\"@T@/docker.sock:/s\"]"), "mount.dockerSocket"),
	C("allowed image still not privileged", CREATE, SOCKHC("docker:cli", "\"Privileged\":true"), "container.privileged"),
	C("volumes-from unknown container", CREATE, HC("\"VolumesFrom\":[\"nosuch\"]"), "engine.lookup"),
	C("volume inspect fails", CREATE, HC("\"Binds\":[\"brokenvol:/x\"]"), "engine.lookup"),
	C("bad bind spec", CREATE, HC("\"Binds\":[\"a:b:c:d\"]"), "request.json"),

	/* request model */
	C("duplicate exact key", CREATE, "{\"Image\":\"busybox\",\"HostConfig\":{\"Privileged\":false,\"Privileged\":true}}", "request.json"),
	C("duplicate folded key", CREATE, HC("\"Privileged\":false,\"privileged\":true"), "request.json"),
	C("duplicate long-s key", CREATE, HC("\"Binds\":[],\"Bind\xc5\xbf\":[\"/:/h\"]"), "request.json"),
	C("duplicate HostConfig", CREATE, "{\"Image\":\"busybox\",\"HostConfig\":{},\"hostconfig\":{\"Privileged\":true}}", "request.json"),
	C("privileged as string", CREATE, HC("\"Privileged\":\"true\""), "request.json"),
	C("binds as string", CREATE, HC("\"Binds\":\"/:/h\""), "request.json"),
	C("trailing second object", CREATE, "{\"Image\":\"busybox\"}{\"HostConfig\":{\"Privileged\":true}}", "request.json"),
	C("body is array", CREATE, "[]", "request.json"),
	{ "no body on create", "POST", CREATE, NULL, -1, "request.body", NULL },
	C("unknown route", "/v1.41/containers/create/x", "{}", "request.uri"),
	C("unclean path", "/v1.41//containers/create", HC("\"Privileged\":true"), "request.uri"),
	C("dot segment", "/v1.41/./containers/create", HC("\"Privileged\":true"), "request.uri"),
	/* Go's ParseForm lets a form body override query values dockward read. */
	F("form body on build", "/v1.41/build?remote=x", "networkmode=host", "application/x-www-form-urlencoded", "request.form"),
	F("form body, mixed case", "/v1.41/images/create?fromImage=a", "fromImage=b", "Application/X-WWW-Form-Urlencoded; charset=utf-8", "request.form"),
	F("multipart form body", "/v1.41/build", "x", "multipart/form-data; boundary=z", "request.form"),
	F("tar body on build", "/v1.41/build", "x", "application/x-tar", "allow"),

	/* start with a host config (API < 1.24) */
	{ "start v1.23 with body", "POST", "/v1.23/containers/abc/start", "{\"Privileged\":true}", -2, "container.startConfig", NULL },
	{ "start v1.23 chunked", "POST", "/v1.23/containers/abc/start", NULL, -1, "container.startConfig", NULL },
	{ "start v1.23 empty", "POST", "/v1.23/containers/abc/start", NULL, 0, "allow", NULL },
	{ "start v1.41 empty", "POST", "/v1.41/containers/abc/start", NULL, -1, "allow", NULL },
	{ "start socket holder, image proven", "POST", "/v1.41/containers/sockctr/start", NULL, -1, "allow", NULL },
	{ "start socket holder, image moved", "POST", "/v1.41/containers/evilsockctr/start", NULL, -1, "mount.dockerSocket", NULL },
	{ "start, engine down", "POST", "/v1.41/containers/brokenctr/start", NULL, -1, "engine.lookup", NULL },

	/* exec, update, volumes, services, plugins, swarm */
	C("exec plain", "/v1.41/containers/abc/exec", "{\"Cmd\":[\"sh\"]}", "allow"),
	C("exec privileged", "/v1.41/containers/abc/exec", "{\"Cmd\":[\"sh\"],\"Privileged\":true}", "exec.privileged"),
	C("update memory", "/v1.41/containers/abc/update", "{\"Memory\":1048576}", "allow"),
	C("update devices", "/v1.41/containers/abc/update", "{\"Devices\":[{\"PathOnHost\":\"/dev/sda\"}]}", "container.devices"),
	C("volume plain", "/v1.41/volumes/create", "{\"Name\":\"v\"}", "allow"),
	C("volume nfs", "/v1.41/volumes/create", "{\"Name\":\"v\",\"DriverOpts\":{\"type\":\"nfs\",\"o\":\"addr=1.2.3.4\",\"device\":\":/export\"}}", "volume.options"),
	C("volume bind etc", "/v1.41/volumes/create", "{\"Name\":\"v\",\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}", "mount.protectedPath"),
	C("volume block device", "/v1.41/volumes/create", "{\"Name\":\"v\",\"DriverOpts\":{\"type\":\"ext4\",\"device\":\"/dev/sda1\"}}", "volume.options"),
	C("volume bind socket", "/v1.41/volumes/create", "{\"Name\":\"v\",\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"@T@/docker.sock\"}}", "mount.dockerSocket"),

	/* local volume options: an allowlist of the mounts they make */
	C("volume empty options", VC, V(""), "allow"),
	C("volume size only", VC, V("\"size\":\"10G\""), "allow"),
	C("volume null values", VC, V("\"type\":null,\"device\":null"), "allow"),
	C("volume tmpfs", VC, V("\"type\":\"tmpfs\",\"device\":\"tmpfs\",\"o\":\"size=100m,uid=1000,mode=1777,nosuid,nodev\""), "allow"),
	C("volume bind project", VC, V("\"type\":\"none\",\"o\":\"bind\",\"device\":\"@T@/project\""), "allow"),
	C("volume rbind project, flags", VC, V("\"type\":\"\",\"o\":\"rbind,ro,nosuid,nodev,noexec,rprivate\",\"device\":\"@T@/project\""), "allow"),
	C("volume relative device", VC, V("\"type\":\"none\",\"o\":\"bind\",\"device\":\"../../etc\""), "volume.options"),
	C("volume device without slash", VC, V("\"type\":\"none\",\"o\":\"bind\",\"device\":\"etc\""), "volume.options"),
	C("volume relative to socket", VC, V("\"type\":\"none\",\"o\":\"bind\",\"device\":\"../../run/docker.sock\""), "volume.options"),
	C("volume proc", VC, V("\"type\":\"proc\",\"device\":\"proc\""), "volume.options"),
	C("volume sysfs", VC, V("\"type\":\"sysfs\",\"device\":\"sysfs\""), "volume.options"),
	C("volume overlay lowerdir etc", VC, V("\"type\":\"overlay\",\"device\":\"overlay\",\"o\":\"lowerdir=/etc\""), "volume.options"),
	C("volume cgroup2", VC, V("\"type\":\"cgroup2\",\"device\":\"cgroup2\""), "volume.options"),
	C("volume devpts", VC, V("\"type\":\"devpts\",\"device\":\"devpts\""), "volume.options"),
	C("volume bpf", VC, V("\"type\":\"bpf\",\"device\":\"bpf\""), "volume.options"),
	C("volume type none without bind", VC, V("\"type\":\"none\",\"device\":\"@T@/project\""), "volume.options"),
	C("volume bind with type proc", VC, V("\"type\":\"proc\",\"o\":\"bind\",\"device\":\"@T@/project\""), "volume.options"),
	C("volume bind remount", VC, V("\"type\":\"none\",\"o\":\"bind,remount\",\"device\":\"@T@/project\""), "volume.options"),
	C("volume bind rshared", VC, V("\"type\":\"none\",\"o\":\"bind,rshared\",\"device\":\"@T@/project\""), "volume.options"),
	C("volume bind data key", VC, V("\"type\":\"none\",\"o\":\"bind,size=1m\",\"device\":\"@T@/project\""), "volume.options"),
	C("volume bind upper-case RO", VC, V("\"type\":\"none\",\"o\":\"bind,RO\",\"device\":\"@T@/project\""), "volume.options"),
	C("volume tmpfs lowerdir", VC, V("\"type\":\"tmpfs\",\"device\":\"tmpfs\",\"o\":\"size=1m,lowerdir=/etc\""), "volume.options"),
	C("volume tmpfs with bind", VC, V("\"type\":\"tmpfs\",\"device\":\"/etc\",\"o\":\"bind\""), "volume.options"),
	C("volume unknown key", VC, V("\"Device\":\"/etc\",\"type\":\"none\",\"o\":\"bind\""), "volume.options"),
	C("volume number value", VC, V("\"type\":\"tmpfs\",\"device\":\"tmpfs\",\"o\":1"), "request.json"),
	C("volume options not an object", VC, "{\"Name\":\"v\",\"DriverOpts\":[\"type=proc\"]}", "request.json"),
	C("volume other driver", VC, "{\"Name\":\"v\",\"Driver\":\"nfsplugin\",\"DriverOpts\":{\"type\":\"proc\"}}", "allow"),
	C("inline mount proc", CREATE, MV("\"type\":\"proc\",\"device\":\"proc\""), "volume.options"),
	C("inline mount relative device", CREATE, MV("\"type\":\"none\",\"o\":\"bind\",\"device\":\"../../etc\""), "volume.options"),
	C("inline mount overlay", CREATE, MV("\"type\":\"overlay\",\"device\":\"overlay\",\"o\":\"lowerdir=/etc,upperdir=@T@/u,workdir=@T@/w\""), "volume.options"),
	C("inline mount tmpfs", CREATE, MV("\"type\":\"tmpfs\",\"device\":\"tmpfs\",\"o\":\"size=1m\""), "allow"),
	C("inline mount bind project", CREATE, MV("\"type\":\"none\",\"o\":\"bind\",\"device\":\"@T@/project\""), "allow"),
	C("named volume of type proc", CREATE, HC("\"Binds\":[\"procvol:/x\"]"), "volume.options"),
	C("named volume relative device", CREATE, HC("\"Binds\":[\"relvol:/x\"]"), "volume.options"),
	C("named volume relative via Mounts", CREATE, HC("\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"relvol\",\"Target\":\"/x\"}]"), "volume.options"),
	C("named tmpfs volume", CREATE, HC("\"Binds\":[\"tmpvol:/x\"]"), "allow"),
	C("service volume proc", "/v1.41/services/create", SV("\"type\":\"proc\",\"device\":\"proc\""), "volume.options"),
	C("service volume relative", "/v1.41/services/abc/update?version=3", SV("\"type\":\"none\",\"o\":\"bind\",\"device\":\"../../etc\""), "volume.options"),
	C("service volume sysfs", "/v1.41/services/create", SV("\"type\":\"sysfs\",\"device\":\"sysfs\""), "volume.options"),
	C("service volume tmpfs", "/v1.41/services/create", SV("\"type\":\"tmpfs\",\"device\":\"tmpfs\""), "allow"),
	C("service named proc volume", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"procvol\",\"Target\":\"/x\"}]}}}", "volume.options"),

	/* BuildKit: steps dockward cannot see, refused under ECI */
	C("buildkit grpc", "/v1.41/grpc", NULL, "build.buildkit"),
	C("buildkit session", "/session", NULL, "build.buildkit"),
	C("buildkit build version=2", "/v1.41/build?version=2&session=x&remote=client-session", NULL, "build.buildkit"),
	C("buildkit version twice", "/v1.41/build?version=1&version=2", NULL, "request.uri"),
	C("classic build version=1", "/v1.41/build?version=1", NULL, "allow"),
	C("classic build", "/v1.41/build?t=x", NULL, "allow"),
	C("service plain", "/v1.41/services/create", "{\"Name\":\"s\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"}}}", "allow"),
	C("service bind etc", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/etc\",\"Target\":\"/x\"}]}}}", "mount.protectedPath"),
	C("service socket", "/v1.41/services/abc/update?version=3", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"@T@/docker.sock\",\"Target\":\"/s\"}]}}}", "mount.dockerSocket"),
	C("service socket allowed", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"docker:cli@" D64 "\",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"@T@/docker.sock\",\"Target\":\"/s\"}]}}}", "allow"),
	C("service cap", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"CapabilityAdd\":[\"CAP_SYS_ADMIN\"]}}}", "container.capabilities"),
	C("service seccomp", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Privileges\":{\"Seccomp\":{\"Mode\":\"unconfined\"}}}}}", "container.securityOpt"),
	C("service host network", "/v1.41/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"},\"Networks\":[{\"Target\":\"host\"}]}}", "container.namespace"),
	C("service plugin runtime", "/v1.41/services/create", "{\"TaskTemplate\":{\"Runtime\":\"plugin\",\"PluginSpec\":{\"Name\":\"x\"}}}", "plugin.manage"),
	C("plugin pull", "/v1.41/plugins/pull?remote=evil", "[]", "plugin.manage"),
	C("plugin disable", "/v1.41/plugins/dockward/disable", NULL, "plugin.manage"),
	C("plugin enable", "/v1.41/plugins/x/enable?timeout=0", NULL, "plugin.manage"),
	C("plugin set", "/v1.41/plugins/x/set", "[\"DEBUG=1\"]", "plugin.manage"),
	{ "plugin remove", "DELETE", "/v1.41/plugins/x", NULL, -1, "plugin.manage", NULL },
	{ "plugin list", "GET", "/v1.41/plugins", NULL, -1, "allow", NULL },
	C("swarm join", "/v1.41/swarm/join", "{\"RemoteAddrs\":[\"10.0.0.1:2377\"]}", "swarm.join"),
	{ "ps", "GET", "/v1.41/containers/json?all=1", NULL, -1, "allow", NULL },
	{ "info", "GET", "/info", NULL, -1, "allow", NULL },
	{ "ping head", "HEAD", "/_ping", NULL, -1, "allow", NULL },
};

static int
group_setup(void **state)
{
	struct dw_err	err;

	if (fake_setup(&facts) < 0)
		return -1;
	policy = authz_settings_parse(policy_json, strlen(policy_json), "<test>", &err);
	if (policy == NULL) {
		fprintf(stderr, "policy: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	authz_settings_free(policy);
	fake_teardown();
	return 0;
}

/* Run one case against s and return the decision. */
static void
run_case(const struct authz_settings *s, const struct rcase *c,
    struct authz_decision *d)
{
	struct authz_request	 req;
	struct authz_uri		*uri = NULL;
	struct dw_err		 err;
	char			*body = NULL;

	memset(&req, 0, sizeof(req));
	req.method = c->method;
	req.raw_uri = c->uri;
	if (authz_uri_parse(c->method, c->uri, &uri, &err) < 0) {
		uri = NULL;
		req.uri_error = err.msg;
	}
	req.uri = uri;
	if (c->body != NULL) {
		body = fake_expand(c->body);
		assert_non_null(body);
		req.body = (const unsigned char *)body;
		req.body_len = strlen(body);
		req.content_type = c->ctype ? c->ctype : "application/json";
	}
	req.content_length = c->clen == -2 ? (long long)req.body_len : c->clen;
	authz_decide(s, &facts, &req, d);
	free(body);
	authz_uri_free(uri);
}

/* One table case: the expected rule, and a self-explaining message. */
static void
test_rule_case(void **state)
{
	const struct rcase	*c = *state;
	struct authz_decision	 d;

	run_case(policy, c, &d);
	fake_expect_rule(c->name, c->rule, &d);
}

/* Messages name the offending field and the fix. */
static void
test_messages(void **state)
{
	static const struct rcase priv =
	    C("m", CREATE, HC("\"Privileged\":true"), "container.privileged");
	static const struct rcase sock =
	    C("m", CREATE, SOCKHC("alpine", "\"Binds\":[\"@T@/docker.sock:/s\"]"), "mount.dockerSocket");
	struct authz_decision	d;

	run_case(policy, &priv, &d);
	assert_string_equal(d.field, "HostConfig.Privileged");
	assert_non_null(strstr(d.msg, "dockward: container create denied (container.privileged)"));
	assert_non_null(strstr(d.msg, "--privileged"));
	run_case(policy, &sock, &d);
	assert_string_equal(d.field, "HostConfig.Binds[0]");
	assert_non_null(strstr(d.msg, "\"alpine\""));
	assert_non_null(strstr(d.msg, "imageList"));
}

/*
 * When dockerd cannot be asked, the way out is to retry, not to name
 * another container; a missing container is the user's to fix.
 */
static void
test_engine_messages(void **state)
{
	static const struct rcase broken =
	    C("m", CREATE, HC("\"VolumesFrom\":[\"brokenctr\"]"), "engine.lookup");
	static const struct rcase missing =
	    C("m", CREATE, HC("\"VolumesFrom\":[\"nosuch\"]"), "engine.lookup");
	static const struct rcase unverified =
	    C("m", CREATE, SOCKHC("localhost:5000/tools/unreachable:1",
	    "\"Binds\":[\"@T@/docker.sock:/s\"]"), "mount.dockerSocket");
	struct authz_decision	d;

	run_case(policy, &broken, &d);
	assert_string_equal(d.rule, "engine.lookup");
	assert_non_null(strstr(d.msg, "engine unreachable"));
	assert_non_null(strstr(d.msg, "Retry when dockward reaches dockerd"));
	assert_null(strstr(d.msg, "Name an existing container"));
	run_case(policy, &missing, &d);
	assert_non_null(strstr(d.msg, "no such container. Name an existing container"));
	/* The verifier's remedy is the message's, with no second one added. */
	run_case(policy, &unverified, &d);
	assert_non_null(strstr(d.msg, "connection refused. Retry when the registry is reachable"));
	assert_null(strstr(strstr(d.msg, "Retry when") + 1, "Retry when"));
}

/* A chain's denial names every link and the fix. */
static void
test_chain_messages(void **state)
{
	static const struct rcase chain =
	    C("m", CREATE, HC("\"PidMode\":\"container:viavia\""), "container.namespace");
	static const struct rcase mq =
	    C("m", CREATE, HC("\"IpcMode\":\"container:hostpid\",\"Sysctls\":{\"fs.mqueue.msg_max\":\"64\"}"), "container.namespace");
	static const struct rcase missing =
	    C("m", CREATE, HC("\"PidMode\":\"container:nosuch\""), "container.namespace");
	static const struct rcase loop =
	    C("m", CREATE, HC("\"PidMode\":\"container:loopa\""), "container.namespace");
	static const struct rcase deep =
	    C("m", CREATE, HC("\"PidMode\":\"container:deep0\""), "container.namespace");
	static const struct rcase userns =
	    C("m", CREATE, HC("\"NetworkMode\":\"container:hostuserns\""), "container.namespace");
	static const struct rcase toolong =
	    C("m", CREATE, HC("\"PidMode\":\"container:hostpid"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\""), "container.namespace");
	struct authz_decision	d;

	run_case(policy, &chain, &d);
	fake_expect_rule("chain", "container.namespace", &d);
	assert_string_equal(d.field, "HostConfig.PidMode");
	assert_non_null(strstr(d.msg, "container:viavia -> viavia (PidMode "
	    "container:viahost) -> viahost (PidMode container:hostpid) -> hostpid "
	    "(PidMode host)"));
	assert_non_null(strstr(d.msg, "host's PID namespace"));
	assert_non_null(strstr(d.msg, "Remove --pid container:viavia"));
	run_case(policy, &mq, &d);
	assert_string_equal(d.field, "HostConfig.IpcMode");
	assert_non_null(strstr(d.msg, "--ipc container:hostpid"));
	run_case(policy, &missing, &d);
	fake_expect_rule("missing", "container.namespace", &d);
	assert_non_null(strstr(d.msg, "does not exist"));
	assert_non_null(strstr(d.msg, "Create \"nosuch\" first"));
	run_case(policy, &loop, &d);
	assert_non_null(strstr(d.msg, "loop"));
	run_case(policy, &deep, &d);
	assert_non_null(strstr(d.msg, "more than 8 containers"));
	run_case(policy, &userns, &d);
	assert_non_null(strstr(d.msg, "host's user namespace"));
	run_case(policy, &toolong, &d);
	assert_non_null(strstr(d.msg, "longer than dockward follows"));
}

/*
 * --cgroupns host is dockerd's default only on cgroup v1: refused on v2,
 * and when the host's cgroup version is not known.
 */
static void
test_cgroupns_host(void **state)
{
	static const struct rcase cg =
	    C("c", CREATE, HC("\"CgroupnsMode\":\"host\""), "container.namespace");
	struct authz_decision	d;
	int			(*saved)(void *) = facts.cgroup_v1;

	fake_cgroup_v1_answer = 0;
	run_case(policy, &cg, &d);
	fake_expect_rule("cgroup v2", "container.namespace", &d);
	fake_cgroup_v1_answer = -EIO;
	run_case(policy, &cg, &d);
	fake_expect_rule("cgroup unknown", "container.namespace", &d);
	fake_cgroup_v1_answer = 1;
	facts.cgroup_v1 = NULL;
	run_case(policy, &cg, &d);
	fake_expect_rule("no cgroup fact", "container.namespace", &d);
	facts.cgroup_v1 = saved;
	run_case(policy, &cg, &d);
	fake_expect_rule("cgroup v1", "allow", &d);
}

/* Without the host-interface fact, a bridge name cannot be judged: refused. */
static void
test_bridge_name_unknown(void **state)
{
	static const struct rcase br =
	    C("b", "/v1.41/networks/create", "{\"Name\":\"n\",\"Options\":{\"com.docker.network.bridge.name\":\"br-new\"}}", "network.hostInterface");
	struct authz_decision	d;
	int			(*saved)(void *, const char *) = facts.host_interface;

	facts.host_interface = NULL;
	run_case(policy, &br, &d);
	facts.host_interface = saved;
	fake_expect_rule("no interface fact", "network.hostInterface", &d);
	run_case(policy, &br, &d);
	fake_expect_rule("new bridge name", "allow", &d);
}

/* With ECI off, container rules are off; plugin management stays denied. */
static void
test_eci_off(void **state)
{
	static const char off[] = "{\"configurationFileVersion\":2,"
	    "\"enhancedContainerIsolation\":{\"value\":false}}";
	static const struct rcase priv =
	    C("p", CREATE, HC("\"Privileged\":true"), "allow");
	static const struct rcase plug =
	    C("p", "/v1.41/plugins/x/disable", NULL, "plugin.manage");
	struct authz_settings	*s;
	struct authz_decision	 d;
	struct dw_err		 err;

	s = authz_settings_parse(off, strlen(off), "<off>", &err);
	assert_non_null(s);
	run_case(s, &priv, &d);
	assert_int_equal(d.verdict, AUTHZ_ALLOW);
	run_case(s, &plug, &d);
	assert_int_equal(d.verdict, AUTHZ_DENY);
	assert_string_equal(d.rule, "plugin.manage");
	authz_settings_free(s);
}

/* Run case c under the policy text json; returns nothing, checks the rule. */
static void
expect_under(const char *json, const struct rcase *c)
{
	struct authz_settings	*s;
	struct authz_decision	 d;
	struct dw_err		 err;

	s = authz_settings_parse(json, strlen(json), "<policy>", &err);
	if (s == NULL)
		fail_msg("policy: %s", err.msg);
	run_case(s, c, &d);
	fake_expect_rule(c->name, c->rule, &d);
	authz_settings_free(s);
}

#define ECI_POLICY(extra) "{\"configurationFileVersion\":2," \
	"\"enhancedContainerIsolation\":{\"value\":true,\"locked\":true}," \
	"\"dockward\":{" extra "}}"

/* Network filesystems only when the admin names them; still no remount or bind tricks. */
static void
test_volume_types(void **state)
{
	static const char nfs[] = ECI_POLICY("\"allowedVolumeTypes\":[\"nfs\",\"cifs\"]");
	static const struct rcase ok[] = {
		C("nfs allowed", VC, V("\"type\":\"nfs\",\"o\":\"addr=10.0.0.1,rw,nfsvers=4,hard\",\"device\":\":/export\""), "allow"),
		C("cifs allowed", VC, V("\"type\":\"cifs\",\"o\":\"addr=10.0.0.1,username=u\",\"device\":\"//10.0.0.1/s\""), "allow"),
		C("nfs4 not named", VC, V("\"type\":\"nfs4\",\"device\":\":/export\""), "volume.options"),
		C("nfs remount", VC, V("\"type\":\"nfs\",\"o\":\"addr=10.0.0.1,remount\",\"device\":\":/export\""), "volume.options"),
		C("nfs type with bind is a bind", VC, V("\"type\":\"nfs\",\"o\":\"bind\",\"device\":\"/etc\""), "volume.options"),
		C("proc still refused", VC, V("\"type\":\"proc\",\"device\":\"proc\""), "volume.options"),
		C("inline nfs allowed", CREATE, MV("\"type\":\"nfs\",\"o\":\"addr=10.0.0.1\",\"device\":\":/e\""), "allow"),
	};
	size_t	i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		expect_under(nfs, &ok[i]);
}

/* The volume deny says what and how to get out. */
static void
test_volume_messages(void **state)
{
	static const struct rcase proc = C("m", VC, V("\"type\":\"proc\",\"device\":\"proc\""), "volume.options");
	static const struct rcase rel = C("m", VC, V("\"type\":\"none\",\"o\":\"bind\",\"device\":\"../../etc\""), "volume.options");
	static const struct rcase inl = C("m", CREATE, MV("\"type\":\"proc\",\"device\":\"proc\""), "volume.options");
	struct authz_decision	d;

	run_case(policy, &proc, &d);
	assert_string_equal(d.field, "DriverOpts.type");
	assert_non_null(strstr(d.msg, "(volume.options): a local volume of type \"proc\""));
	assert_non_null(strstr(d.msg, "dockward.allowedVolumeTypes"));
	run_case(policy, &rel, &d);
	assert_string_equal(d.field, "DriverOpts.device");
	assert_non_null(strstr(d.msg, "not an absolute path"));
	run_case(policy, &inl, &d);
	assert_string_equal(d.field, "HostConfig.Mounts[0].VolumeOptions.DriverConfig.Options.type");
}

/* BuildKit: refused under ECI or access rules unless the admin allows it. */
static void
test_buildkit(void **state)
{
	static const char eci_allow[] = ECI_POLICY("\"allowBuildKit\":true");
	static const char eci_unchecked[] = ECI_POLICY("\"allowUncheckedBuilds\":true");
	static const char off[] = "{\"configurationFileVersion\":2}";
	static const char ram[] = "{\"configurationFileVersion\":2,\"dockward\":"
	    "{\"registryAccess\":{\"allowed\":[\"docker.io\"]}}}";
	static const char iam[] = "{\"configurationFileVersion\":2,\"dockward\":"
	    "{\"imageAccess\":{\"officialImages\":false}}}";
	static const char ram_unchecked[] = "{\"configurationFileVersion\":2,\"dockward\":"
	    "{\"allowUncheckedBuilds\":true,\"registryAccess\":{\"allowed\":[\"docker.io\"]}}}";
	static const char ram_allow[] = "{\"configurationFileVersion\":2,\"dockward\":"
	    "{\"allowBuildKit\":true,\"registryAccess\":{\"allowed\":[\"docker.io\"]}}}";
	static const struct rcase grpc = C("grpc", "/v1.41/grpc", NULL, "build.buildkit");
	static const struct rcase grpc_ok = C("grpc ok", "/v1.41/grpc", NULL, "allow");
	static const struct rcase sess = C("session", "/v1.41/session", NULL, "build.buildkit");
	static const struct rcase sess_ok = C("session ok", "/v1.41/session", NULL, "allow");
	static const struct rcase classic = C("classic", "/v1.41/build?t=x", NULL, "allow");
	struct authz_decision	d;

	expect_under(eci_allow, &grpc_ok);
	expect_under(eci_allow, &sess_ok);
	expect_under(eci_unchecked, &grpc);	/* under ECI, unchecked builds do not cover entitlements */
	expect_under(off, &grpc_ok);
	expect_under(off, &sess_ok);
	expect_under(ram, &grpc);
	expect_under(ram, &sess);
	expect_under(ram, &classic);
	expect_under(iam, &grpc);
	expect_under(ram_unchecked, &grpc_ok);
	expect_under(ram_allow, &sess_ok);
	/* The message names the way out, both of them. */
	run_case(policy, &grpc, &d);
	assert_non_null(strstr(d.msg, "(build.buildkit): BuildKit's gRPC API (POST /grpc)"));
	assert_non_null(strstr(d.msg, "DOCKER_BUILDKIT=0"));
	assert_non_null(strstr(d.msg, "dockward.allowBuildKit"));
}

int
main(void)
{
	enum { NCASES = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest	tests[NCASES + 9];
	size_t			i;

	/* One named cmocka test per table row, so failures and counts are per case. */
	for (i = 0; i < NCASES; i++) {
		struct CMUnitTest t = cmocka_unit_test_prestate(test_rule_case,
		    (void *)&cases[i]);

		t.name = cases[i].name;
		tests[i] = t;
	}
	tests[NCASES] = (struct CMUnitTest)cmocka_unit_test(test_messages);
	tests[NCASES + 1] = (struct CMUnitTest)cmocka_unit_test(test_eci_off);
	tests[NCASES + 2] = (struct CMUnitTest)cmocka_unit_test(test_engine_messages);
	tests[NCASES + 3] = (struct CMUnitTest)cmocka_unit_test(test_chain_messages);
	tests[NCASES + 4] = (struct CMUnitTest)cmocka_unit_test(test_cgroupns_host);
	tests[NCASES + 5] = (struct CMUnitTest)cmocka_unit_test(test_bridge_name_unknown);
	tests[NCASES + 6] = (struct CMUnitTest)cmocka_unit_test(test_volume_types);
	tests[NCASES + 7] = (struct CMUnitTest)cmocka_unit_test(test_volume_messages);
	tests[NCASES + 8] = (struct CMUnitTest)cmocka_unit_test(test_buildkit);
	return _cmocka_run_group_tests("authz_rules", tests, NCASES + 9,
	    group_setup, group_teardown);
}
