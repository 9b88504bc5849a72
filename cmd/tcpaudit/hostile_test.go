package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// hostileDir holds the hostile-input corpus and its manifest.
const hostileDir = "../../testdata/hostile"

// Bounds every hostile case must stay within.
const (
	hostileTimeout = 30 * time.Second
	// hostileMaxRSS is the peak resident memory allowed, in KiB: a few
	// times what a normal run takes, far below the 100 MB inputs.
	hostileMaxRSS = 64 << 10
)

// hostileCase is one entry of testdata/hostile/cases.yaml.
type hostileCase struct {
	Name   string      `yaml:"name"`
	Base   string      `yaml:"base"`
	From   string      `yaml:"from"`
	Make   []hostileMk `yaml:"make"`
	Args   []string    `yaml:"args"`
	Exit   *int        `yaml:"exit"`
	Stream string      `yaml:"stream"`
	Want   []string    `yaml:"want"`
}

// hostileMk is a file the test creates: what git cannot hold (a FIFO) or
// should not (100 MB).
type hostileMk struct {
	Path   string `yaml:"path"`
	Kind   string `yaml:"kind"`
	Size   int    `yaml:"size"`
	Prefix string `yaml:"prefix"`
}

// TestHostileInputs runs every case of the hostile-input corpus through
// the built binary: each ends in time with the exit code and the file
// (and line) the manifest names, without a panic and within the memory
// bound.
func TestHostileInputs(t *testing.T) {
	long(t, "builds the binary and writes 100 MB files")
	cases := loadHostileCases(t)
	bin := buildBinary(t, t.TempDir())
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			dir := prepareHostile(t, c)
			runHostile(t, bin, c, dir)
		})
	}
}

func loadHostileCases(t *testing.T) []hostileCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(hostileDir, "cases.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var cases []hostileCase
	if err := dec.Decode(&cases); err != nil {
		t.Fatalf("cases.yaml: %v", err)
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if c.Name == "" || seen[c.Name] || len(c.Args) == 0 || len(c.Want) == 0 {
			t.Fatalf("cases.yaml: case %q needs a unique name, args and want", c.Name)
		}
		seen[c.Name] = true
	}
	// Every corpus directory belongs to a case.
	entries, err := os.ReadDir(hostileDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && !seen[e.Name()] {
			t.Errorf("testdata/hostile/%s is not in cases.yaml", e.Name())
		}
	}
	return cases
}

// prepareHostile builds the case's tree in a temporary directory.
func prepareHostile(t *testing.T, c hostileCase) string {
	t.Helper()
	dir := t.TempDir()
	if c.Base != "" {
		copyTree(t, filepath.Join(hostsDir, c.Base), dir)
	}
	from := c.From
	if from == "" {
		from = c.Name
	}
	if _, err := os.Stat(filepath.Join(hostileDir, from)); err == nil {
		copyTree(t, filepath.Join(hostileDir, from), dir)
	}
	for _, m := range c.Make {
		makeHostile(t, filepath.Join(dir, m.Path), m)
	}
	return dir
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	if out, err := exec.Command("cp", "-a", from+"/.", to).CombinedOutput(); err != nil {
		t.Fatalf("copy %s: %v\n%s", from, err, out)
	}
}

// makeHostile creates one generated entry, replacing what is there.
func makeHostile(t *testing.T, p string, m hostileMk) {
	t.Helper()
	if err := os.RemoveAll(p); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	var err error
	switch m.Kind {
	case "fifo":
		err = syscall.Mkfifo(p, 0o644)
	case "dir":
		err = os.Mkdir(p, 0o755)
	case "garbage":
		err = writeGenerated(p, m.Prefix, m.Size, func(b []byte) {
			r := rand.New(rand.NewPCG(uint64(len(p)), 7))
			for i := range b {
				b[i] = byte(r.Uint32())
			}
		})
	case "huge-line":
		err = writeGenerated(p, m.Prefix, m.Size, func(b []byte) {
			for i := range b {
				b[i] = 'a'
			}
		})
	case "repeat":
		text := strings.Repeat(m.Prefix, max(1, m.Size/max(1, len(m.Prefix))))
		err = os.WriteFile(p, []byte(text), 0o644)
	case "nested":
		text := m.Prefix + strings.Repeat("[", m.Size) + strings.Repeat("]", m.Size) + "\n"
		err = os.WriteFile(p, []byte(text), 0o644)
	default:
		t.Fatalf("make %s: unknown kind %q", m.Path, m.Kind)
	}
	if err != nil {
		t.Fatalf("make %s: %v", m.Path, err)
	}
}

// writeGenerated writes prefix, then size bytes produced by fill in
// chunks, then a newline.
func writeGenerated(p, prefix string, size int, fill func([]byte)) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	w.WriteString(prefix)
	chunk := make([]byte, min(size, 1<<20))
	for left := size; left > 0; left -= len(chunk) {
		chunk = chunk[:min(left, len(chunk))]
		fill(chunk)
		w.Write(chunk)
	}
	w.WriteString("\n")
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// runHostile runs the binary on one case and checks its outcome.
func runHostile(t *testing.T, bin string, c hostileCase, dir string) {
	t.Helper()
	args := make([]string, len(c.Args))
	for i, a := range c.Args {
		args[i] = strings.ReplaceAll(a, "{dir}", dir)
	}
	code, stdout, stderr, peak := execHostile(t, bin, args, dir)
	if strings.Contains(stderr, "panic:") || strings.Contains(stderr, "goroutine ") {
		t.Fatalf("panic:\n%s", stderr)
	}
	want := 2
	if c.Exit != nil {
		want = *c.Exit
	}
	if code != want {
		t.Errorf("exit %d, want %d\nstdout: %.2000s\nstderr: %.2000s", code, want, stdout, stderr)
	}
	out := stderr
	if c.Stream == "stdout" {
		out = stdout
	}
	for _, w := range c.Want {
		if w = strings.ReplaceAll(w, "{dir}", dir); !strings.Contains(out, w) {
			t.Errorf("%s does not name %q:\n%.2000s", streamName(c.Stream), w, out)
		}
	}
	switch {
	case peak < 0:
		t.Logf("exit %d; peak memory not measured (no GNU time at %s)", code, gnuTime)
	case peak > hostileMaxRSS:
		t.Errorf("peak memory %d KiB, want at most %d KiB", peak, hostileMaxRSS)
	default:
		t.Logf("exit %d, peak memory %d KiB", code, peak)
	}
}

// gnuTime measures the peak memory of the binary alone. The test cannot
// take it from its own child's rusage: Go starts children with vfork, so
// a child's peak includes the test process's memory at exec.
const gnuTime = "/usr/bin/time"

// execHostile runs bin with a time limit, killing its whole process group
// on a hang. peak is the binary's peak resident memory in KiB, or -1 when
// it cannot be measured.
func execHostile(t *testing.T, bin string, args []string, dir string) (code int, stdout, stderr string, peak int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hostileTimeout)
	defer cancel()
	peakFile := filepath.Join(t.TempDir(), "peak")
	name, argv := bin, args
	if _, err := os.Stat(gnuTime); err == nil {
		name, argv = gnuTime, append([]string{"-f", "%M", "-o", peakFile, "--", bin}, args...)
	}
	cmd := exec.CommandContext(ctx, name, argv...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "XDG_CONFIG_HOME="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("tcpaudit %s: still running after %v (hang)", strings.Join(args, " "), hostileTimeout)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String(), readPeak(peakFile)
}

// readPeak reads the last line GNU time wrote (%M, in KiB); -1 if none.
func readPeak(file string) int {
	b, err := os.ReadFile(file)
	if err != nil {
		return -1
	}
	lines := strings.Fields(string(b))
	if len(lines) == 0 {
		return -1
	}
	n, err := strconv.Atoi(lines[len(lines)-1])
	if err != nil {
		return -1
	}
	return n
}

func streamName(s string) string {
	if s == "" {
		return "stderr"
	}
	return s
}
