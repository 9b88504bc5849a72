package main

import (
	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/containers"
	"github.com/tcpaudit/tcpaudit/netns"
)

// containerNamer names namespaces after the container or pod of a process
// inside (containers.Identify), reading the node's files (kubelet log
// directories, Docker's and Podman's state) under hostRoot. A process no
// runtime owns, or a runtime's monitor watching from outside, names
// nothing: the namespace keeps its ip netns name or its first process.
func containerNamer(hostRoot string) netns.Namer {
	return func(procRoot string, pid int) netns.Identity {
		id := containers.Identify(procRoot, hostRoot, pid)
		if id.Monitor || id.Kind == containers.KindProcess {
			return netns.Identity{}
		}
		kind := netns.KindContainer
		if id.Kind == containers.KindPod {
			kind = netns.KindPod
		}
		return netns.Identity{Kind: kind, Name: id.Name, Runtime: id.Runtime, ContainerID: id.ContainerID,
			PodNamespace: id.PodNamespace, PodName: id.PodName, PodUID: id.PodUID}
	}
}

// namerRoot is the node's root directory the namer reads names under: /
// on the live host, else the sysctl root given with the proc root ("" for
// none: names then come from the cgroup paths alone).
func namerRoot(procRoot, sysctlRoot string) string {
	if audit.IsLive(procRoot) {
		return "/"
	}
	return sysctlRoot
}
