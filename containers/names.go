package containers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"syscall"

	"github.com/tcpaudit/tcpaudit/internal/input"
)

// Where the node keeps what names a container or pod, relative to the
// host root.
const (
	podLogs       = "var/log/pods"
	dockerConfigs = "var/lib/docker/containers"
	podmanStore   = "var/lib/containers/storage/overlay-containers"
)

// maxPodDirs bounds how many entries of /var/log/pods are looked at.
const maxPodDirs = 100000

// runtimeState are the directories whose entry named after a container ID
// shows which runtime runs it, for the cgroup paths that do not say
// (kubepods with the cgroupfs driver). k3s comes before containerd: it
// runs its own containerd with its own state directory.
var runtimeState = []struct{ dir, runtime string }{
	{dockerConfigs, RuntimeDocker},
	{"run/k3s/containerd/io.containerd.runtime.v2.task/k8s.io", RuntimeK3s},
	{"run/containerd/io.containerd.runtime.v2.task/k8s.io", RuntimeContainerd},
	{podmanStore, RuntimeCRIO},
}

// lookup completes id from the files under hostRoot. Every file is opened
// through an os.Root, so no symbolic link leads out of hostRoot.
func lookup(id *Identity, hostRoot string) {
	root, err := os.OpenRoot(hostRoot)
	if err != nil {
		return
	}
	defer root.Close()
	if id.ContainerID != "" && (id.Runtime == "" || id.Runtime == RuntimeContainerd) {
		if r := stateRuntime(root, id.ContainerID); r == RuntimeK3s || id.Runtime == "" {
			id.Runtime = r // k3s's containerd names its scopes as containerd does
		}
	}
	if id.PodUID != "" {
		id.PodNamespace, id.PodName = podName(root, id.PodUID)
		return
	}
	if id.ContainerID == "" || id.Monitor {
		return
	}
	switch id.Runtime {
	case RuntimeDocker:
		id.ContainerName = dockerName(root, id.ContainerID)
	case RuntimePodman:
		id.ContainerName = podmanName(root, id.ContainerID)
	}
}

func stateRuntime(root *os.Root, cid string) string {
	for _, s := range runtimeState {
		if _, err := root.Lstat(path.Join(s.dir, cid)); err == nil {
			return s.runtime
		}
	}
	return ""
}

// podName finds the kubelet's log directory <namespace>_<pod>_<uid> of
// the pod. Namespaces and pod names are DNS labels and subdomains, which
// hold no '_', so the name splits in exactly three.
func podName(root *os.Root, uid string) (namespace, name string) {
	dir, err := root.Open(podLogs)
	if err != nil {
		return "", ""
	}
	defer dir.Close()
	for seen := 0; seen < maxPodDirs; {
		names, err := dir.Readdirnames(1024)
		for _, n := range names {
			f := strings.Split(n, "_")
			if len(f) == 3 && f[2] == uid && validLabel(f[0]) && validLabel(f[1]) {
				return f[0], f[1]
			}
		}
		seen += len(names)
		if err != nil {
			return "", ""
		}
	}
	return "", ""
}

// dockerName reads the field "Name" of the container's config.v2.json,
// without its leading '/'.
func dockerName(root *os.Root, cid string) string {
	var c struct{ Name string }
	if err := decodeFile(root, path.Join(dockerConfigs, cid, "config.v2.json"), maxConfig, &c); err != nil {
		return ""
	}
	if n := strings.TrimPrefix(c.Name, "/"); validName(n) {
		return n
	}
	return ""
}

// podmanName reads the container's first name from the list of
// containers/storage, which Podman (and CRI-O) keep for every container
// ("id", "names"); containers run with --rm are in volatile-containers.json.
func podmanName(root *os.Root, cid string) string {
	for _, file := range []string{"containers.json", "volatile-containers.json"} {
		var list []struct {
			ID    string   `json:"id"`
			Names []string `json:"names"`
		}
		if err := decodeFile(root, path.Join(podmanStore, file), maxStore, &list); err != nil {
			continue
		}
		for _, c := range list {
			if c.ID == cid && len(c.Names) > 0 && validName(c.Names[0]) {
				return c.Names[0]
			}
		}
	}
	return ""
}

// errNotRegular marks a file under the host root that is not a regular
// file (a FIFO would block the read).
var errNotRegular = errors.New("not a regular file")

// decodeFile decodes the JSON of a regular file of at most max bytes under
// root into v, keeping only the fields v has.
func decodeFile(root *os.Root, name string, max int64, v any) error {
	f, err := root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return fmt.Errorf("%s: %w", name, errNotRegular)
	}
	b, err := io.ReadAll(input.Limit(f, name, max))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
