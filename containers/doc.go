// Package containers owns the answer to "whose network namespace is this?"
// and "how are its sysctls fixed there?". Identify reads /proc/PID/cgroup
// and names the container runtime, the container ID and the Kubernetes pod
// of a process from its cgroup path (Docker, containerd and CRI,
// CRI-O, Podman, systemd-nspawn, LXC and LXD, k3s; cgroup v1, v2 and
// hybrid), then finds a name for people in files the node keeps (the
// kubelet's /var/log/pods directories, Docker's config.v2.json, Podman's
// containers.json) without any API call. SysctlFix renders the fix of a
// namespace's sysctls in the form its owner uses: a pod's
// securityContext.sysctls, docker run --sysctl flags and compose sysctls:,
// ip netns exec lines, or nsenter for a bare process. Guest tells whether
// the namespace a proc root shows is the host's, so that the host's
// sysctl.d is never offered for another namespace.
//
// Everything read here is hostile: reads are bounded, IDs validated as
// hexadecimal, names validated or quoted so no control character passes,
// files under the host root are opened without leaving it, and a malformed
// file never fails: the identity falls back to the process's command.
package containers
