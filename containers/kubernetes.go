package containers

import (
	"fmt"
	"slices"
	"strings"
)

// safeSysctls are the sysctls a pod may set with no allowance from the
// kubelet: Kubernetes' safe set ("Using sysctls in a Kubernetes Cluster";
// pkg/kubelet/sysctl/safe_sysctls.go), as of Kubernetes 1.32. The kubelet
// takes "/" for "." in names, so keys are compared in the dotted form.
var safeSysctls = []string{
	"kernel.shm_rmid_forced",
	"net.ipv4.ip_local_port_range",
	"net.ipv4.tcp_syncookies",
	"net.ipv4.ping_group_range",           // 1.18
	"net.ipv4.ip_unprivileged_port_start", // 1.22
	"net.ipv4.ip_local_reserved_ports",    // 1.27
	"net.ipv4.tcp_keepalive_time",         // 1.29
	"net.ipv4.tcp_fin_timeout",            // 1.29
	"net.ipv4.tcp_keepalive_intvl",        // 1.29
	"net.ipv4.tcp_keepalive_probes",       // 1.29
	"net.ipv4.tcp_rmem",                   // 1.32
	"net.ipv4.tcp_wmem",                   // 1.32
}

// SafeInKubernetes reports whether a pod may set key without the kubelet's
// --allowed-unsafe-sysctls.
func SafeInKubernetes(key string) bool {
	return slices.Contains(safeSysctls, strings.ReplaceAll(key, "/", "."))
}

// podYAML writes the pod's securityContext.sysctls and returns the keys
// the kubelet must allow.
func podYAML(b *strings.Builder, id Identity, settings []Setting) []string {
	fmt.Fprintf(b, "# Pod %s: set in the pod's spec (a Deployment's spec.template.spec);\n", id.shortName())
	b.WriteString("# the pod is recreated with them. All its containers share this namespace.\n")
	var unsafe []string
	for _, s := range settings {
		if !SafeInKubernetes(s.Key) {
			unsafe = append(unsafe, s.Key)
		}
	}
	if len(unsafe) > 0 {
		list := printable(strings.Join(unsafe, ","))
		fmt.Fprintf(b, "# Not in Kubernetes' safe set: %s. The node's kubelet must allow them\n", list)
		fmt.Fprintf(b, "# (--allowed-unsafe-sysctls=%s, or allowedUnsafeSysctls in its\n", list)
		b.WriteString("# configuration file), or the pod is rejected with SysctlForbidden.\n")
	}
	b.WriteString("spec:\n  securityContext:\n    sysctls:\n")
	for _, s := range settings {
		comment(b, "      ", s.Comment)
		fmt.Fprintf(b, "      - name: %s\n        value: %s\n", yamlScalar(s.Key, false), yamlScalar(s.Value, true))
	}
	return unsafe
}

// containerFlags writes the docker run (or podman run) flags and the
// compose form. A container's sysctls are fixed when it is created.
func containerFlags(b *strings.Builder, id Identity, settings []Setting) {
	tool := "docker"
	if id.Runtime == RuntimePodman {
		tool = "podman"
	}
	fmt.Fprintf(b, "# Container %s (%s): sysctls are set when a container is created; recreate it with\n", id.shortName(), id.Runtime)
	fmt.Fprintf(b, "%s run", tool)
	for _, s := range settings {
		fmt.Fprintf(b, " --sysctl %s", shellQuote(s.Key+"="+s.Value))
	}
	b.WriteString(" [OPTIONS] IMAGE\n# or in its compose file:\nservices:\n")
	service := id.ContainerName
	if service == "" {
		service = "SERVICE"
	}
	fmt.Fprintf(b, "  %s:\n    sysctls:\n", yamlScalar(service, false))
	for _, s := range settings {
		comment(b, "      ", s.Comment)
		fmt.Fprintf(b, "      %s: %s\n", yamlScalar(s.Key, false), yamlScalar(s.Value, true))
	}
}
