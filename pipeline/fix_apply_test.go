package pipeline_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/pipeline"
)

// sprawlTree writes a tree whose keys are set in three files, one of them
// /etc/sysctl.conf through the 99-sysctl.conf link, so a diff edits them
// where they are.
func sprawlTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "etc/sysctl.conf"), "# legacy\nnet.ipv4.tcp_fin_timeout = 120\n")
	writeFile(t, filepath.Join(root, "etc/sysctl.d/50-shadowed.conf"), "net.core.somaxconn = 128\n")
	writeFile(t, filepath.Join(root, "etc/sysctl.d/60-local.conf"), "net.ipv4.ip_local_port_range = 50000 51000\n")
	if err := os.Symlink("../sysctl.conf", filepath.Join(root, "etc/sysctl.d/99-sysctl.conf")); err != nil {
		t.Fatal(err)
	}
	return root
}

// patchTree applies a diff to root with the real patch(1).
func patchTree(t *testing.T, root, diff string) {
	t.Helper()
	cmd := exec.Command("patch", "-s", "-p1", "-d", root)
	cmd.Stdin = strings.NewReader(diff)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch: %v\n%s\n%s", err, out, diff)
	}
}

// TestFixDiffIdempotent: a diff applied to the tree, planned again before
// the runtime changes, has no hunk; a drop-in written twice is the same
// file, and its header never names itself.
func TestFixDiffIdempotent(t *testing.T) {
	if _, err := exec.LookPath("patch"); err != nil {
		t.Skip("patch(1) not installed")
	}
	proc := filepath.Join(hostsDir, "misconfigured")
	root := sprawlTree(t)
	a := run(t, pipeline.Options{ProcRoot: proc, SysctlRoot: root})
	fx := pipeline.PlanFix(a, a.Sysctl)
	diff, err := fx.Diff()
	if err != nil || !strings.Contains(diff, "+++ b/etc/sysctl.conf") || !strings.Contains(diff, "+++ b/etc/sysctl.d/"+fx.Name) {
		t.Fatalf("first diff %v:\n%s", err, diff)
	}
	patchTree(t, root, diff)
	a = run(t, pipeline.Options{ProcRoot: proc, SysctlRoot: root})
	again := pipeline.PlanFix(a, a.Sysctl)
	if again.Name != fx.Name {
		t.Errorf("second plan names the drop-in %s, the first %s", again.Name, fx.Name)
	}
	if d, err := again.Diff(); err != nil || d != "" {
		t.Errorf("second diff %v, want none:\n%s", err, d)
	}
	if len(again.Configured) != len(again.Changes) {
		t.Errorf("configured %d of %d changes: %+v", len(again.Configured), len(again.Changes), again.Configured)
	}
	if strings.Contains(again.DropIn(), "these keys: /etc/sysctl.d/"+fx.Name) || strings.Contains(again.DropIn(), ", /etc/sysctl.d/"+fx.Name) {
		t.Errorf("the header names the drop-in itself:\n%s", again.DropIn())
	}
	// --write under another name: the header follows the name.
	dest := filepath.Join(root, "etc/sysctl.d/90-tcpaudit.conf")
	for range 2 {
		a = run(t, pipeline.Options{ProcRoot: proc, SysctlRoot: root})
		writeFile(t, dest, pipeline.PlanFix(a, a.Sysctl).Named("90-tcpaudit.conf").DropIn())
	}
	b, _ := os.ReadFile(dest)
	if strings.Contains(string(b), "90-tcpaudit.conf,") || strings.Contains(string(b), "90-tcpaudit.conf\n#   sysctl") ||
		!strings.HasPrefix(string(b), "# tcpaudit fix, profile "+a.Profile+": save as /etc/sysctl.d/90-tcpaudit.conf\n") {
		t.Errorf("drop-in written twice:\n%s", b)
	}
}

// TestFixApplyOracle: in a namespace made for the test, the commands the
// fix gives to apply it now set every key the diff changes, in whichever
// file: afterwards the plan is empty and systemd-sysctl, applying the
// patched files as at boot, changes none of the keys.
func TestFixApplyOracle(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	if _, err := exec.LookPath("patch"); err != nil {
		t.Skip("patch(1) not installed")
	}
	bin := systemdSysctl(t)
	for k, v := range map[string]string{"net/core/somaxconn": "64", "net/ipv4/tcp_fin_timeout": "120", "net/ipv4/ip_local_port_range": "50000 51000"} {
		writeFile(t, "/proc/sys/"+k, v+"\n")
	}
	root := sprawlTree(t)
	a := run(t, pipeline.Options{ProcRoot: "/proc", SysctlRoot: root})
	fx := pipeline.PlanFix(a, a.Sysctl)
	diff, err := fx.Diff()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"net.ipv4.tcp_fin_timeout=", "net.core.somaxconn=", "net.ipv4.ip_local_port_range="} {
		if !strings.Contains(strings.Join(fx.Apply(), "\n"), want) {
			t.Errorf("apply commands lack %s: %q", want, fx.Apply())
		}
	}
	patchTree(t, root, diff)
	for _, c := range fx.Apply() {
		if out, err := exec.Command("sh", "-c", c).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", c, err, out)
		}
	}
	a = run(t, pipeline.Options{ProcRoot: "/proc", SysctlRoot: root})
	if left := pipeline.PlanFix(a, a.Sysctl); len(left.Changes) != 0 {
		t.Errorf("after the apply commands the fix still changes %+v", left.Changes)
	}
	var files []string
	for _, s := range a.Sysctl.Files {
		files = append(files, filepath.Join(root, s.Path))
	}
	before := map[string]string{}
	for _, c := range fx.Changes {
		before[c.Key] = sysctlValue(t, c.Key)
	}
	if out, err := exec.Command(bin, files...).CombinedOutput(); err != nil {
		t.Logf("systemd-sysctl: %v\n%s", err, out) // keys of the initial namespace only fail here
	}
	for k, v := range before {
		if now := sysctlValue(t, k); now != v {
			t.Errorf("systemd-sysctl sets %s from %s to %s: the apply commands left it as at boot it is not", k, v, now)
		}
	}
}

func sysctlValue(t *testing.T, key string) string {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/" + strings.ReplaceAll(key, ".", "/"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(b)), " ")
}
