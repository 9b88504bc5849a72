package containers

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

var fixSettings = []Setting{
	{Key: "net.ipv4.ip_local_port_range", Value: "1024 65535", Comment: "ephemeral-port-range: 101 ports"},
	{Key: "net.ipv4.tcp_fin_timeout", Value: "30", Comment: "fin-timeout:\n\x1b[2J too long"},
	{Key: "net.core.somaxconn", Value: "4096"},
	{Key: "net.ipv4.tcp_mem", Value: "1 2 3", Comment: "tcp-memory-pressure"},
	{Key: "net.core.rmem_max", Value: "16777216"},
}

// perNamespace are the settings of fixSettings a namespace can hold.
var perNamespace = fixSettings[:3]

func TestSysctlFixPod(t *testing.T) {
	id := Identify("testdata/proc", "testdata/host", 120)
	fx := SysctlFix(id, "cni-1234", fixSettings)
	if fx.Form != FormPod {
		t.Fatalf("form %q, want pod", fx.Form)
	}
	var pod struct {
		Spec struct {
			SecurityContext struct {
				Sysctls []struct{ Name, Value string } `yaml:"sysctls"`
			} `yaml:"securityContext"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal([]byte(fx.Text), &pod); err != nil {
		t.Fatalf("the pod snippet is not YAML: %v\n%s", err, fx.Text)
	}
	var got []Setting
	for _, s := range pod.Spec.SecurityContext.Sysctls {
		got = append(got, Setting{Key: s.Name, Value: s.Value})
	}
	if d := cmp.Diff(withoutComments(perNamespace), got); d != "" {
		t.Errorf("securityContext.sysctls (-want +got):\n%s\n%s", d, fx.Text)
	}
	if d := cmp.Diff([]string{"net.core.somaxconn"}, fx.Unsafe); d != "" {
		t.Errorf("unsafe keys (-want +got):\n%s", d)
	}
	if !strings.Contains(fx.Text, "--allowed-unsafe-sysctls=net.core.somaxconn") {
		t.Errorf("no kubelet allowance for somaxconn:\n%s", fx.Text)
	}
	checkHost(t, fx)
}

func TestSysctlFixDocker(t *testing.T) {
	for pid, tool := range map[int]string{100: "docker", 140: "podman"} {
		id := Identify("testdata/proc", "testdata/host", pid)
		fx := SysctlFix(id, "", fixSettings)
		if fx.Form != FormContainer {
			t.Fatalf("%d: form %q, want container", pid, fx.Form)
		}
		run, compose, ok := strings.Cut(fx.Text, "# or in its compose file:\n")
		if !ok {
			t.Fatalf("no compose form:\n%s", fx.Text)
		}
		// The shell splits the run line into the flags wanted.
		line := lastLine(run)
		out, err := exec.Command("sh", "-c", "set -- "+strings.TrimPrefix(line, tool+" run ")+`; for a; do printf '%s\n' "$a"; done`).Output()
		if err != nil {
			t.Fatalf("sh: %v", err)
		}
		var want []string
		for _, s := range perNamespace {
			want = append(want, "--sysctl", s.Key+"="+s.Value)
		}
		want = append(want, "[OPTIONS]", "IMAGE")
		if d := cmp.Diff(want, strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")); d != "" {
			t.Errorf("%s: arguments of %q (-want +got):\n%s", tool, line, d)
		}
		var c struct {
			Services map[string]struct {
				Sysctls map[string]string `yaml:"sysctls"`
			} `yaml:"services"`
		}
		if err := yaml.Unmarshal([]byte(compose), &c); err != nil {
			t.Fatalf("compose form is not YAML: %v\n%s", err, compose)
		}
		wantMap := map[string]string{}
		for _, s := range perNamespace {
			wantMap[s.Key] = s.Value
		}
		if d := cmp.Diff(wantMap, c.Services[id.ContainerName].Sysctls); d != "" {
			t.Errorf("%s: compose sysctls of %q (-want +got):\n%s\n%s", tool, id.ContainerName, d, compose)
		}
		checkHost(t, fx)
	}
}

// TestSysctlFixRemovedKey: a key no kernel has is left out with a note,
// neither offered nor given to the host.
func TestSysctlFixRemovedKey(t *testing.T) {
	fx := SysctlFix(Identity{Kind: KindProcess, PID: 7, Name: "x[7]"}, "", []Setting{{Key: "net.ipv4.tcp_tw_recycle", Value: "0"}})
	if len(fx.Settings)+len(fx.Host) != 0 || !strings.Contains(fx.Text, "net.ipv4.tcp_tw_recycle: no current kernel has this key") {
		t.Errorf("%+v", fx)
	}
}

// TestSysctlFixNoOwner: with no process to enter, the lines are to be run
// in the namespace itself, so they come commented out: pasted into a shell
// of the host they would change the host.
func TestSysctlFixNoOwner(t *testing.T) {
	fx := SysctlFix(Identity{Kind: KindProcess}, "", perNamespace[:1])
	if fx.Form != FormSysctl || lastLine(fx.Text) != "# sysctl -w 'net.ipv4.ip_local_port_range=1024 65535'" {
		t.Errorf("form %q:\n%s", fx.Form, fx.Text)
	}
}

// TestSysctlFixHostileText: a key, value or namespace name with control
// characters never reaches the commands.
func TestSysctlFixHostileText(t *testing.T) {
	settings := []Setting{
		{Key: "net.ipv4.conf.e\x1b[31m.rp_filter", Value: "1"},
		{Key: "net.ipv4.tcp_fin_timeout", Value: "30\n; reboot"},
		{Key: "net.ipv4.tcp_keepalive_time", Value: "600"},
	}
	fx := SysctlFix(Identity{Kind: KindProcess}, "bad\x1bname", settings)
	if fx.Form != FormSysctl || len(fx.Settings) != 1 || strings.ContainsAny(fx.Text, "\x1b") || strings.Contains(fx.Text, "\n; reboot") {
		t.Errorf("form %q, settings %v:\n%q", fx.Form, fx.Settings, fx.Text)
	}
	for _, line := range strings.Split(strings.TrimSpace(fx.Text), "\n") {
		if !strings.HasPrefix(line, "#") {
			t.Errorf("line %q would run in a shell of the host", line)
		}
	}
}

func TestSysctlFixLXC(t *testing.T) {
	fx := SysctlFix(Identify("testdata/proc", "", 161), "", perNamespace)
	if fx.Form != FormLXC || !strings.Contains(fx.Text, "lxc.sysctl.net.ipv4.ip_local_port_range = 1024 65535\n") {
		t.Errorf("form %q:\n%s", fx.Form, fx.Text)
	}
}

// TestSysctlFixMonitor: a runtime's monitor is not the container; its
// namespace is fixed as a process's.
func TestSysctlFixMonitor(t *testing.T) {
	if fx := SysctlFix(Identify("testdata/proc", "testdata/host", 142), "", perNamespace); fx.Form != FormNsenter {
		t.Errorf("form %q, want nsenter", fx.Form)
	}
}

// checkHost: the global keys are never in a per-namespace form, and the
// text says they belong to the host; no control character passes.
func checkHost(t *testing.T, fx Fix) {
	t.Helper()
	if d := cmp.Diff([]string{"net.ipv4.tcp_mem", "net.core.rmem_max"}, keys(fx.Host)); d != "" {
		t.Errorf("host keys (-want +got):\n%s", d)
	}
	for _, k := range []string{"net.ipv4.tcp_mem", "net.core.rmem_max"} {
		for line := range strings.Lines(fx.Text) {
			if strings.Contains(line, k) && !strings.Contains(line, "belongs to the host") {
				t.Errorf("%s offered per namespace: %q", k, line)
			}
		}
	}
	if strings.ContainsAny(fx.Text, "\x1b\x07") {
		t.Errorf("control characters in the text:\n%q", fx.Text)
	}
}

func keys(settings []Setting) []string {
	var out []string
	for _, s := range settings {
		out = append(out, s.Key)
	}
	return out
}

func withoutComments(settings []Setting) []Setting {
	out := slices.Clone(settings)
	for i := range out {
		out[i].Comment = ""
	}
	return out
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestSysctlFixHeaderWords: the header of a fix says each word of its
// owner once: a pod whose name the node does not show is "Pod UID", not
// "Pod pod UID"; a container with no name is "Container ID (docker)", not
// "Container docker ID (docker)".
func TestSysctlFixHeaderWords(t *testing.T) {
	for _, pid := range []int{120, 133, 100, 101, 102, 140, 144, 160, 161, 162, 164} {
		id := Identify("testdata/proc", "testdata/host", pid)
		text := SysctlFix(id, "", perNamespace).Text
		header, _, _ := strings.Cut(text, "\n")
		owner, _, _ := strings.Cut(header, ":")
		seen := map[string]bool{}
		for _, w := range strings.Fields(strings.NewReplacer("(", " ", ")", " ").Replace(strings.ToLower(owner))) {
			if seen[w] {
				t.Errorf("pid %d: %q repeats %q", pid, header, w)
			}
			seen[w] = true
		}
		t.Logf("pid %d: %s", pid, header)
	}
}
