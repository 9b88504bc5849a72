package main

// The harness the tests of this package share: running tcpaudit in-process
// or as a built binary, reading its JSON report, and golden files.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	goldenfile "github.com/tcpaudit/tcpaudit/internal/golden"
)

// hostsDir holds the fixture proc trees (testdata/hosts/gen writes them).
const hostsDir = "../../testdata/hosts"

// update rewrites the golden files of every test in this package that has
// them: go test ./cmd/tcpaudit -update
var update = flag.Bool("update", false, "rewrite golden files under testdata")

// runCLI runs the command in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// buildBinary builds tcpaudit into dir.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("needs the go command on PATH to build tcpaudit")
	}
	bin := filepath.Join(dir, "tcpaudit")
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// exitCode is the exit code of a command that ended with err (from Run,
// Output or Wait); any error other than an exit status fails the test.
func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// golden compares got with the file at path under testdata, or rewrites it
// with -update.
func golden(t *testing.T, path, got string, diff func(want, got []byte) string) {
	t.Helper()
	goldenfile.Compare(t, filepath.Join("testdata", path), []byte(got), *update, diff)
}

// jsonReport is the part of the JSON report the tests look at.
type jsonReport struct {
	SchemaVersion int           `json:"schema_version"`
	Findings      []jsonFinding `json:"findings"`
	Rules         []struct {
		Rule   string `json:"rule"`
		Status string `json:"status"`
		Reason string `json:"reason"`
	} `json:"rules"`
	Sockets *struct {
		Total  int            `json:"total"`
		States map[string]int `json:"states"`
	} `json:"sockets"`
	Sources []struct {
		Source string `json:"source"`
		OK     bool   `json:"ok"`
	} `json:"sources"`
	Notes      []string        `json:"notes"`
	Namespaces []jsonNamespace `json:"namespaces"`
	Ephemeral  []struct {
		Local      string `json:"local"`
		Remote     string `json:"remote"`
		RemotePort int    `json:"remote_port"`
		Sockets    int    `json:"sockets"`
	} `json:"ephemeral"`
}

// jsonNamespace is an audited network namespace in the JSON report.
type jsonNamespace struct {
	ID    string `json:"id"`
	Inode uint64 `json:"inode"`
	Kind  string `json:"kind"`
	Name  string `json:"name"`
	PIDs  []int  `json:"pids"`
	// The owner, where a container runtime or pod is known.
	Runtime     string `json:"runtime"`
	ContainerID string `json:"container_id"`
	PodUID      string `json:"pod_uid"`
	Sockets     *struct {
		Total  int            `json:"total"`
		States map[string]int `json:"states"`
	} `json:"sockets"`
	Skipped string `json:"skipped"`
}

// jsonFinding is the part of a finding of the JSON report the tests look at.
type jsonFinding struct {
	Rule      string `json:"rule"`
	Namespace string `json:"namespace"`
	Severity  string `json:"severity"`
	Observed  string `json:"observed"`
	Location  *struct {
		File string `json:"file"`
		Line int    `json:"line"`
	} `json:"location"`
	Title    string             `json:"title"`
	Evidence map[string]float64 `json:"evidence"`
	Subjects []jsonSubject      `json:"subjects"`
	Fix      struct {
		Advice    string            `json:"advice"`
		Sysctl    map[string]string `json:"sysctl"`
		Processes []struct {
			PID int `json:"pid"`
		} `json:"processes"`
	} `json:"fix"`
}

// jsonSubject is a finding's subject in the JSON report.
type jsonSubject struct {
	PID     int     `json:"pid"`
	Command string  `json:"command"`
	Holders []int   `json:"holders"`
	Local   string  `json:"local"`
	Remote  string  `json:"remote"`
	State   string  `json:"state"`
	Count   int     `json:"count"`
	AgeS    float64 `json:"age_s"`
	RecvQ   int     `json:"recv_q"`
	Drops   int64   `json:"drops"`
}

// parseReport decodes the JSON report out.
func parseReport(t *testing.T, out []byte) jsonReport {
	t.Helper()
	var r jsonReport
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("the report is not JSON: %v\n%s", err, out)
	}
	return r
}

// checkJSON runs check with a JSON report and returns the exit code and the
// report.
func checkJSON(t *testing.T, args ...string) (int, jsonReport) {
	t.Helper()
	code, out, stderr := runCLI(t, append([]string{"check", "--format", "json"}, args...)...)
	var r jsonReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("check %v: output is not JSON: %v\nstderr: %s", args, err, stderr)
	}
	return code, r
}

// withStatus returns the sorted IDs of rules with the given status.
func (r jsonReport) withStatus(status string) []string {
	var ids []string
	for _, e := range r.Rules {
		if e.Status == status {
			ids = append(ids, e.Rule)
		}
	}
	slices.Sort(ids)
	return ids
}

// statusDiff returns the difference between want, in any order, and the
// rules of the report with the given status (-want +got).
func (r jsonReport) statusDiff(status string, want []string) string {
	return cmp.Diff(slices.Sorted(slices.Values(want)), r.withStatus(status))
}

// ruleStatus is the status of a rule in a report and why.
type ruleStatus struct{ Status, Reason string }

// statuses maps each rule of the report to its status.
func (r jsonReport) statuses() map[string]ruleStatus {
	m := map[string]ruleStatus{}
	for _, e := range r.Rules {
		m[e.Rule] = ruleStatus{e.Status, e.Reason}
	}
	return m
}

// findings returns the findings of one rule.
func (r jsonReport) findings(rule string) []jsonFinding {
	var out []jsonFinding
	for _, f := range r.Findings {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

// readSources maps each source of a check report to whether it was read.
func (r jsonReport) readSources() map[string]bool {
	read := map[string]bool{}
	for _, s := range r.Sources {
		read[s.Source] = s.OK
	}
	return read
}

// holdCloseWait leaves one socket of this (root) process in CLOSE_WAIT
// until the test ends: the peer closes, this side does not.
func holdCloseWait(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	client.Close()
	// The FIN arrives at once on loopback; reading it proves it did.
	server.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := server.Read(make([]byte, 1)); err == nil {
		t.Fatal("read data where the peer's FIN was expected")
	}
}

// long skips a test that takes long (what says why) under -short.
func long(t *testing.T, what string) {
	t.Helper()
	if testing.Short() {
		t.Skip(what + "; skipped with -short")
	}
}

// repeat calls fn every period in the background until stop is called or
// fn fails; stop ends it, waits for it and returns fn's error.
func repeat(period time.Duration, fn func() error) (stop func() error) {
	done, errc := make(chan struct{}), make(chan error, 1)
	go func() {
		for {
			select {
			case <-done:
				errc <- nil
				return
			case <-time.After(period):
				if err := fn(); err != nil {
					errc <- err
					return
				}
			}
		}
	}()
	var once sync.Once
	var err error
	return func() error {
		once.Do(func() { close(done); err = <-errc })
		return err
	}
}
