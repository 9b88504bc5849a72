package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// owners returns the PIDs the close-wait-accumulation finding names.
func owners(r jsonReport) []int {
	var pids []int
	for _, f := range r.findings("close-wait-accumulation") {
		for _, p := range f.Fix.Processes {
			pids = append(pids, p.PID)
		}
	}
	slices.Sort(pids)
	return pids
}

// TestCheckAttribution runs check on close-wait-leak with each
// --attribution: fd-scan reads the fixture's <pid>/fd links and names java
// (pid 2214) and python3 (pid 3377); bpf cannot run on a proc root other
// than the live /proc, and asked for by name it is an error saying why
// (exit 2; auto falls back instead); an unknown mode is a usage error.
func TestCheckAttribution(t *testing.T) {
	root := filepath.Join(hostsDir, "close-wait-leak")
	code, r := checkJSON(t, "--proc-root", root, "--attribution", "fd-scan")
	if code != exitFindings {
		t.Fatalf("--attribution fd-scan: exit %d, want 1", code)
	}
	if got := owners(r); !slices.Equal(got, []int{2214, 3377}) {
		t.Errorf("--attribution fd-scan: processes %v, want [2214 3377]", got)
	}

	code, out, stderr := runCLI(t, "check", "--proc-root", root, "--attribution", "bpf", "--format", "json")
	if code != exitError || out != "" || !strings.Contains(stderr, "attribution bpf: ") ||
		!strings.Contains(stderr, "task_file iterator unavailable") || !strings.Contains(stderr, "not the live /proc") {
		t.Errorf("--attribution bpf on a fixture: exit %d, stdout %q, stderr %q: want 2 saying the iterator needs the live /proc", code, out, stderr)
	}

	code, _, stderr = runCLI(t, "check", "--proc-root", root, "--attribution", "kernel")
	if code != 2 || !strings.Contains(stderr, "--attribution") || !strings.Contains(stderr, "auto, bpf or fd-scan") {
		t.Errorf("--attribution kernel: exit %d, stderr %q: want 2 naming the flag and its values", code, stderr)
	}
}
