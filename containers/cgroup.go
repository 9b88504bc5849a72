package containers

import (
	"strings"
)

// ParseCgroup says who a process belongs to from the text of its
// /proc/PID/cgroup: cgroup v1 (one "N:controllers:/path" line per
// hierarchy), v2 ("0::/path") or both (hybrid). The line whose path says
// the most wins: a pod over a container over a runtime's monitor over
// nothing. Lines that do not parse are skipped; Kind is process when no
// path names a runtime. PID, Command and Name are left empty.
func ParseCgroup(data []byte) Identity {
	best := Identity{Kind: KindProcess}
	for line := range strings.Lines(string(data)) {
		p, relative, ok := cgroupPath(strings.TrimRight(line, "\n"))
		if !ok {
			continue
		}
		if id := parsePath(p, relative); rank(id) > rank(best) {
			best = id
		}
	}
	return best
}

// cgroupPath returns the path of one line "hierarchy-ID:controllers:path"
// (docs/kernel-facts.md §23), without the " (deleted)" the kernel appends
// for a removed cgroup and without the "/.." steps that lead out of the
// reader's cgroup namespace; relative reports that there were such steps.
func cgroupPath(line string) (p string, relative, ok bool) {
	hier, rest, ok := strings.Cut(line, ":")
	if !ok || hier == "" || strings.Trim(hier, "0123456789") != "" {
		return "", false, false
	}
	_, p, ok = strings.Cut(rest, ":")
	if !ok || !strings.HasPrefix(p, "/") {
		return "", false, false
	}
	p = strings.TrimSuffix(p, " (deleted)")
	for strings.HasPrefix(p, "/../") || p == "/.." {
		p, relative = strings.TrimPrefix(p, "/.."), true
	}
	return p, relative, true
}

func rank(id Identity) int {
	switch {
	case id.PodUID != "" && id.ContainerID != "":
		return 4
	case id.PodUID != "":
		return 3
	case id.Monitor:
		return 1
	case id.ContainerID != "" || id.ContainerName != "":
		return 2
	}
	return 0
}

// parsePath reads one cgroup path from the root down. The innermost
// container wins (a container of a pod inside a Docker container, as kind
// and k3d run them); a pod found resets what was found outside it. A
// relative path (seen from another cgroup namespace) starts below the
// common ancestor, which may have been kubepods or docker: a pod<uid>
// directory or a bare ID at its top is then taken as such.
func parsePath(p string, relative bool) Identity {
	id := Identity{Kind: KindProcess}
	var parent string
	kubepods, podDir := relative, relative
	for depth, c := range strings.Split(strings.Trim(p, "/"), "/") {
		if strings.Contains(c, "kubepods") {
			kubepods = true
		}
		inPod := podDir // the parent is a pod's directory
		podDir = false
		if uid, ok := podUID(c, kubepods); ok {
			id = Identity{Kind: KindPod, PodUID: uid}
			podDir = true
		} else if m, ok := matchComponent(c, parent, depth, inPod); ok {
			id.Runtime, id.ContainerID, id.ContainerName, id.Monitor = m.Runtime, m.ContainerID, m.ContainerName, m.Monitor
		}
		parent = c
	}
	switch {
	case id.Monitor:
		id.Kind = KindProcess
	case id.PodUID != "":
		id.Kind = KindPod
	case id.ContainerID != "" || id.ContainerName != "":
		id.Kind = KindContainer
	}
	return id
}

// podUID reads a pod's cgroup: [prefix-]kubepods-[qos-]pod<uid>.slice, where
// systemd's slice names write the UID's dashes as underscores, or
// pod<uid> under kubepods with the cgroupfs driver.
func podUID(c string, kubepods bool) (string, bool) {
	var raw string
	if slice, ok := strings.CutSuffix(c, ".slice"); ok {
		// kubepods-…, or kubelet-kubepods-… under a kubelet cgroup root
		// (kind), so a "-" must precede it.
		i := strings.Index(slice, "kubepods-")
		if i < 0 || i > 0 && slice[i-1] != '-' {
			return "", false
		}
		rest := slice[i+len("kubepods-"):]
		for _, qos := range []string{"burstable-", "besteffort-"} {
			rest = strings.TrimPrefix(rest, qos)
		}
		if raw, ok = strings.CutPrefix(rest, "pod"); !ok {
			return "", false
		}
		raw = strings.ReplaceAll(raw, "_", "-")
	} else if raw, ok = strings.CutPrefix(c, "pod"); !ok || !kubepods {
		return "", false
	}
	return raw, validUID(raw)
}

// matchComponent reads one cgroup directory name that names a container.
// parent is the directory above it, depth its depth (0 at the top), and
// podDir says the parent is a pod's directory.
func matchComponent(c, parent string, depth int, podDir bool) (Identity, bool) {
	if base, ok := strings.CutSuffix(c, ".scope"); ok {
		if name, ok := strings.CutPrefix(base, "machine-"); ok {
			name = unescapeUnit(name)
			return Identity{Runtime: RuntimeNspawn, ContainerName: name}, validName(name)
		}
		return scoped(base)
	}
	if inst, ok := strings.CutSuffix(c, ".service"); ok {
		// machinectl start: systemd-nspawn@NAME.service, the container in
		// its payload cgroup, systemd-nspawn itself in supervisor.
		if name, ok := strings.CutPrefix(inst, "systemd-nspawn@"); ok {
			name = unescapeUnit(name)
			return Identity{Runtime: RuntimeNspawn, ContainerName: name}, validName(name)
		}
	}
	switch {
	case c == "supervisor" && strings.HasPrefix(parent, "systemd-nspawn@"):
		name := unescapeUnit(strings.TrimSuffix(strings.TrimPrefix(parent, "systemd-nspawn@"), ".service"))
		return Identity{Runtime: RuntimeNspawn, ContainerName: name, Monitor: true}, validName(name)
	case validID(c) && parent == "docker":
		return Identity{Runtime: RuntimeDocker, ContainerID: c}, true
	case validID(c) && parent == "default" && depth == 1:
		return Identity{Runtime: RuntimeContainerd, ContainerID: c}, true
	case validID(c) && podDir:
		return Identity{ContainerID: c}, true // runtime from the host's state
	case parent == "lxc" && depth == 1 || parent == "lxc.payload" && depth == 1:
		return Identity{Runtime: RuntimeLXC, ContainerName: c}, validName(c)
	case strings.HasPrefix(c, "lxc.payload.") && depth == 0:
		name := c[len("lxc.payload."):]
		return Identity{Runtime: RuntimeLXC, ContainerName: name}, validName(name)
	case strings.HasPrefix(c, "lxc.monitor.") && depth == 0:
		name := c[len("lxc.monitor."):]
		return Identity{Runtime: RuntimeLXC, ContainerName: name, Monitor: true}, validName(name)
	}
	return scoped(c) // cgroupfs drivers name them as systemd scopes, without .scope
}

// scopePrefixes are the systemd scope names of container runtimes, longest
// first where one prefix starts another.
var scopePrefixes = []struct {
	prefix, runtime string
	monitor         bool
}{
	{"docker-", RuntimeDocker, false},
	{"cri-containerd-", RuntimeContainerd, false},
	{"nerdctl-", RuntimeContainerd, false},
	{"crio-conmon-", RuntimeCRIO, true},
	{"crio-", RuntimeCRIO, false},
	{"libpod-conmon-", RuntimePodman, true},
	{"libpod-", RuntimePodman, false},
}

// scoped reads "<runtime>-<id>" (a scope's name without .scope).
func scoped(base string) (Identity, bool) {
	for _, s := range scopePrefixes {
		if hex, ok := strings.CutPrefix(base, s.prefix); ok {
			return Identity{Runtime: s.runtime, ContainerID: hex, Monitor: s.monitor}, validID(hex)
		}
	}
	return Identity{}, false
}
