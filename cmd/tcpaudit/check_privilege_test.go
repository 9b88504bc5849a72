package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCheckUnreadableProcesses runs the binary as an unprivileged user on a
// copy of close-wait-leak whose java process (pid 2214, 150 CLOSE_WAIT
// sockets) has an fd directory only root may read: the report says those
// and the one socket no process holds (151) are not attributed and to run
// as root, and still exits 1 for the finding rather than failing.
func TestCheckUnreadableProcesses(t *testing.T) {
	dir, bin := nobodyBinary(t)
	root := filepath.Join(dir, "proc")
	if out, err := exec.Command("cp", "-a", filepath.Join(hostsDir, "close-wait-leak"), root).CombinedOutput(); err != nil {
		t.Fatalf("copy the fixture: %v\n%s", err, out)
	}
	if err := os.Chmod(filepath.Join(root, "2214", "fd"), 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "check", "--format", "json", "--proc-root", root)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want 1; stderr %s", err, stderrOf(err))
	}
	var r struct {
		Findings []struct {
			Rule string `json:"rule"`
			Fix  struct {
				Processes []struct {
					PID int `json:"pid"`
				} `json:"processes"`
			} `json:"fix"`
		} `json:"findings"`
		Notes []string `json:"notes"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(r.Notes, "\n"), "151 CLOSE_WAIT sockets not attributed: run as root (1 process could not be read)") {
		t.Errorf("notes %q: want 151 (150 of java, 1 held by no process) not attributed, run as root", r.Notes)
	}
	for _, f := range r.Findings {
		if f.Rule == "close-wait-accumulation" {
			if len(f.Fix.Processes) != 1 || f.Fix.Processes[0].PID != 3377 {
				t.Errorf("owners %+v: want only the readable python3 (pid 3377)", f.Fix.Processes)
			}
		}
	}
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
