package containers

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tcpaudit/tcpaudit/internal/input"
)

// Kind says what owns a network namespace.
type Kind string

// The kinds of owner.
const (
	// KindPod is a Kubernetes pod: its containers share the sandbox's
	// network namespace.
	KindPod Kind = "pod"
	// KindContainer is a container outside Kubernetes (or a machine).
	KindContainer Kind = "container"
	// KindProcess is a process no runtime is known to own.
	KindProcess Kind = "process"
)

// The runtimes Identify recognises.
const (
	RuntimeDocker     = "docker"
	RuntimeContainerd = "containerd"
	RuntimeCRIO       = "cri-o"
	RuntimePodman     = "podman"
	RuntimeNspawn     = "nspawn"
	RuntimeLXC        = "lxc"
	// RuntimeK3s is the containerd that k3s embeds (state under /run/k3s).
	RuntimeK3s = "k3s"
)

// Identity says who a process, and so its network namespace, belongs to.
type Identity struct {
	// Kind is pod, container or process.
	Kind Kind
	// Runtime names the container runtime; "" when the cgroup path does
	// not say and the host root shows no state of the container.
	Runtime string
	// ContainerID is the container's ID, 64 lower-case hexadecimal digits.
	ContainerID string
	// PodUID is the Kubernetes pod's UID, with dashes.
	PodUID string
	// PodNamespace and PodName come from the kubelet's log directory.
	PodNamespace, PodName string
	// ContainerName is the name the runtime gave the container: Docker's
	// or Podman's name, the nspawn machine's, the LXC container's.
	ContainerName string
	// Monitor marks a runtime's monitor process (conmon, lxc monitor)
	// that watches the container from outside: it is named after the
	// container but its network namespace is usually the host's.
	Monitor bool
	// PID and Command are the process asked about; Command is quoted when
	// it holds anything but printable characters.
	PID     int
	Command string
	// Name is the owner's name for people: namespace/pod, a container's
	// name, or COMM[PID].
	Name string
}

// Limits of what Identify reads.
const (
	maxCgroup = 64 << 10 // /proc/PID/cgroup
	maxConfig = 1 << 20  // Docker's config.v2.json
	maxStore  = 8 << 20  // Podman's containers.json lists every container
)

// Identify says who process pid belongs to, from procRoot/PID/cgroup, and
// names it from the files under hostRoot (the node's root directory; ""
// when there is none, such as a snapshot of /proc alone). It never fails:
// what cannot be read or does not parse leaves the identity at what is
// known, at worst the process's command.
func Identify(procRoot, hostRoot string, pid int) Identity {
	dir := filepath.Join(procRoot, strconv.Itoa(pid))
	id := Identity{Kind: KindProcess}
	if data, err := input.ReadFile(filepath.Join(dir, "cgroup"), maxCgroup); err == nil {
		id = ParseCgroup(data)
	}
	id.PID = pid
	id.Command = readCommand(filepath.Join(dir, "comm"))
	if hostRoot != "" {
		lookup(&id, hostRoot)
	}
	id.Name = id.name()
	return id
}

// readCommand returns the process's command, quoted when it is not
// printable text, or "?" when it cannot be read.
func readCommand(path string) string {
	b, err := input.ReadFile(path, 4096)
	if err != nil {
		return "?"
	}
	return printable(strings.TrimSuffix(string(b), "\n"))
}

// name is the owner's name for people.
func (id Identity) name() string {
	switch {
	case id.Monitor:
		return fmt.Sprintf("%s[%d]", id.Command, id.PID)
	case id.PodName != "":
		return id.PodNamespace + "/" + id.PodName
	case id.Kind == KindPod:
		return "pod " + id.PodUID
	case id.ContainerName != "":
		return id.ContainerName
	case id.ContainerID != "":
		return id.runtimeWord() + " " + id.ContainerID[:12]
	}
	return fmt.Sprintf("%s[%d]", id.Command, id.PID)
}

// shortName is the owner's name for a header that already says its kind
// ("Pod …", "Container … (docker)"): name without the word it puts before
// a bare pod UID or container ID.
func (id Identity) shortName() string {
	switch {
	case id.Monitor || id.PodName != "":
	case id.Kind == KindPod:
		return id.PodUID
	case id.ContainerName == "" && id.ContainerID != "":
		return id.ContainerID[:12]
	}
	return id.Name
}

func (id Identity) runtimeWord() string {
	if id.Runtime == "" {
		return "container"
	}
	return id.Runtime
}
