package main

import (
	"os"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestDeployAllNetnsDaemonSet parses the DaemonSet that audits every
// network namespace of a node: hostPID without hostNetwork, the read-only
// mounts that name namespaces and pods, the capabilities setns and the
// descriptor scan need, and a command line tcpaudit accepts.
// allNetnsPod is what TestDeployAllNetnsDaemonSet reads of the pod template.
type allNetnsPod struct {
	HostPID     bool `yaml:"hostPID"`
	HostNetwork bool `yaml:"hostNetwork"`
	Containers  []struct {
		Args            []string `yaml:"args"`
		SecurityContext struct {
			Capabilities struct{ Drop, Add []string } `yaml:"capabilities"`
		} `yaml:"securityContext"`
		VolumeMounts []struct {
			Name      string
			MountPath string `yaml:"mountPath"`
			ReadOnly  bool   `yaml:"readOnly"`
		} `yaml:"volumeMounts"`
	} `yaml:"containers"`
	Volumes []struct {
		Name     string
		HostPath struct{ Path string } `yaml:"hostPath"`
	} `yaml:"volumes"`
}

func TestDeployAllNetnsDaemonSet(t *testing.T) {
	var doc struct {
		Kind string
		Spec struct {
			Template struct{ Spec allNetnsPod }
		}
	}
	if b, err := os.ReadFile("../../deploy/kubernetes/daemonset-all-netns.yaml"); err != nil {
		t.Fatal(err)
	} else if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("daemonset-all-netns.yaml: %v", err)
	}
	pod := doc.Spec.Template.Spec
	if doc.Kind != "DaemonSet" || !pod.HostPID || pod.HostNetwork || len(pod.Containers) != 1 {
		t.Fatalf("kind %s, hostPID %v, hostNetwork %v, %d containers; want a DaemonSet with hostPID and no hostNetwork",
			doc.Kind, pod.HostPID, pod.HostNetwork, len(pod.Containers))
	}
	c := pod.Containers[0]
	caps := c.SecurityContext.Capabilities
	for _, want := range []string{"SYS_ADMIN", "SYS_PTRACE", "DAC_READ_SEARCH"} {
		if !slices.Contains(caps.Add, want) {
			t.Errorf("capability %s not added: %v", want, caps.Add)
		}
	}
	if !slices.Equal(caps.Drop, []string{"ALL"}) || len(caps.Add) != 3 {
		t.Errorf("capabilities drop %v add %v: want ALL dropped and only the three added", caps.Drop, caps.Add)
	}
	hostPaths := map[string]string{}
	for _, v := range pod.Volumes {
		hostPaths[v.Name] = v.HostPath.Path
	}
	mounted := map[string]bool{}
	for _, m := range c.VolumeMounts {
		if !m.ReadOnly {
			t.Errorf("%s is mounted writable", m.MountPath)
		}
		if hp := hostPaths[m.Name]; hp == m.MountPath {
			mounted[hp] = true
		}
	}
	for _, p := range []string{"/run/netns", "/run/docker/netns", "/var/log/pods", "/var/lib/docker/containers"} {
		if !mounted[p] {
			t.Errorf("the node's %s is not mounted at the same path", p)
		}
	}
	if !slices.Contains(c.Args, "--all-netns") {
		t.Errorf("args %v: no --all-netns", c.Args)
	}
	root := newRootCmd(streams{out: os.Stdout, err: os.Stderr})
	if cmd, _, err := root.Find(c.Args); err == nil && cmd.Flags().Lookup("all-netns") == nil {
		t.Skip("serve has no --all-netns flag yet: the manifest's command line cannot be checked")
	}
	parseCommandLine(t, "daemonset-all-netns.yaml", c.Args)
}
