package lint

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

// TestOutOfBoundsOracle holds what lint-out-of-bounds says about a value to
// what the kernel does with it, written by the real sysctl -p and
// systemd-sysctl in a namespace made for the test: text after the integer
// past whitespace is ignored (exit 0, the integer set); a value out of
// bounds or an integer glued to text is rejected (exit 1, the key kept).
func TestOutOfBoundsOracle(t *testing.T) {
	if _, err := exec.LookPath("sysctl"); err != nil {
		t.Skip("sysctl(8) not installed")
	}
	ns := nstest.New(t)
	const key, file = "net.core.somaxconn", "/proc/sys/net/core/somaxconn"
	for _, value := range []string{"512  # inline comment", "513 1024", "0x202", "  515", "514abc", "-1", "# 516"} {
		err := sysctlconf.Check(key, value)
		var te *sysctlconf.TrailingError
		trailing := errors.As(err, &te)
		conf := filepath.Join(t.TempDir(), "v.conf")
		if err := os.WriteFile(conf, []byte(key+" = "+value+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range oracleWriters(conf) {
			setSysctl(t, ns, file, "4096")
			runErr := exec.Command("ip", append([]string{"netns", "exec", ns}, cmd...)...).Run()
			got := readSysctl(t, ns, file)
			switch {
			case trailing && (runErr != nil || got != te.Value()):
				t.Errorf("%q with %s: exit %v, now %s; lint says the kernel sets %s and the write succeeds", value, cmd[0], runErr, got, te.Value())
			case err != nil && !trailing && (runErr == nil || got != "4096"):
				t.Errorf("%q with %s: exit %v, now %s; lint says it is rejected (%v) and the key kept", value, cmd[0], runErr, got, err)
			case err == nil && runErr != nil:
				t.Errorf("%q with %s: exit %v; lint finds nothing wrong", value, cmd[0], runErr)
			}
		}
		has := false
		for _, f := range lintPaths(t, "/proc", conf).Findings {
			has = has || f.Rule == "lint-out-of-bounds"
		}
		if has != (err != nil) {
			t.Errorf("%q: lint-out-of-bounds reported %v, Check says %v", value, has, err)
		}
	}
}

// oracleWriters are the commands that apply a file: procps sysctl -p and,
// when installed, systemd-sysctl.
func oracleWriters(conf string) [][]string {
	out := [][]string{{"sysctl", "-q", "-p", conf}}
	for _, bin := range []string{"/usr/lib/systemd/systemd-sysctl", "/lib/systemd/systemd-sysctl"} {
		if _, err := os.Stat(bin); err == nil {
			return append(out, []string{bin, conf})
		}
	}
	return out
}

func setSysctl(t *testing.T, ns, file, v string) {
	t.Helper()
	if out, err := exec.Command("ip", "netns", "exec", ns, "sh", "-c", "echo "+v+" > "+file).CombinedOutput(); err != nil {
		t.Fatalf("set %s: %v: %s", file, err, out)
	}
}

func readSysctl(t *testing.T, ns, file string) string {
	t.Helper()
	out, err := exec.Command("ip", "netns", "exec", ns, "cat", file).Output()
	if err != nil {
		t.Fatalf("read %s: %v", file, err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}
