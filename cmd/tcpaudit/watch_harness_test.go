package main

import (
	"encoding/json"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/watch"
)

// startTime is how long the tests give a sampling `watch` to take its
// first sample before they make the traffic (the BPF tests wait for the
// programs' links instead), and firstRead the time after the links
// appear for the tracer's first reading.
const (
	startTime = 1500 * time.Millisecond
	firstRead = 200 * time.Millisecond
)

// tracerLinks is the number of links a tracer attaches, one per program:
// 6 where kfree_skb names the receiving socket (Linux 6.11), 7 before.
const tracerLinks = 6

// bpfLinks counts this process's descriptors of BPF links: `watch` runs
// in-process, so its attached programs show here.
func bpfLinks() int {
	fds, _ := os.ReadDir("/proc/self/fd")
	n := 0
	for _, fd := range fds {
		if target, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && target == "anon_inode:bpf_link" {
			n++
		}
	}
	return n
}

// waitAttached waits, at most 20 s, until a tracer's links are open in
// this process beyond the before already there, then for its first
// reading.
func waitAttached(t *testing.T, before int) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); bpfLinks() < before+tracerLinks; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("watch did not attach its BPF programs within 20 s")
		}
	}
	time.Sleep(firstRead)
}

// enterWithBPF runs the test in a network namespace of its own (see
// nstest.Enter: false in the parent, which must return) and skips it when
// this kernel or user cannot trace with BPF.
func enterWithBPF(t *testing.T) bool {
	t.Helper()
	if !nstest.Enter(t) {
		return false
	}
	tr, err := watch.OpenBPF(0)
	if err != nil {
		skipWithoutBPF(t, err)
	}
	tr.Close()
	return true
}

// watchRun runs `tcpaudit watch --format json` with args in-process, calls
// load once the tracer has attached (or, sampling, after startTime), and
// returns the exit code and the
// report when the watch ends.
func watchRun(t *testing.T, load func(), args ...string) (int, watch.Report) {
	t.Helper()
	code, out := watchOut(t, load, args...)
	var r watch.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("watch JSON: %v\n%s", err, out)
	}
	return code, r
}

// watchOut is watchRun's exit code and JSON document as printed.
func watchOut(t *testing.T, load func(), args ...string) (int, string) {
	t.Helper()
	type result struct {
		code        int
		out, errOut string
	}
	done := make(chan result, 1)
	sampled := slices.Contains(args, "sample")
	links := bpfLinks()
	go func() {
		code, out, errOut := runCLI(t, append([]string{"watch", "--format", "json"}, args...)...)
		done <- result{code, out, errOut}
	}()
	if sampled {
		time.Sleep(startTime)
	} else {
		waitAttached(t, links)
	}
	load()
	res := <-done
	if res.code == exitError {
		t.Fatalf("watch: exit 2: %s", res.errOut)
	}
	return res.code, res.out
}

// echoServer accepts on addr until closed and closes each connection once
// the client has closed its end (read returned 0), so that the client
// closes first and its socket goes to TIME_WAIT.
func echoServer(t *testing.T, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				_, _ = io.Copy(io.Discard, c)
				c.Close()
			}()
		}
	}()
	return ln
}

// churn opens and closes n connections to addr, one after the other,
// each closed by the client first.
func churn(t *testing.T, addr string, n int) {
	t.Helper()
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Errorf("dial %s: %v", addr, err)
			return
		}
		c.Close()
	}
}

// nearCount reports whether got is want ± 2%.
func nearCount(got uint64, want int) bool { return within(float64(got), float64(want), 0.02) }

// nearCountMissed is nearCount allowing got lower by the runs of the
// tracing programs the kernel skipped (Report.MissedEvents): events lost.
func nearCountMissed(got uint64, want int, missed uint64) bool {
	return nearCount(got, want) || got < uint64(want) && nearCount(got+missed, want)
}

// transition returns the count of one state change in r.
func transition(r watch.Report, from, to string) uint64 {
	for _, x := range r.Transitions {
		if x.From == from && x.To == to {
			return x.Count
		}
	}
	return 0
}

// findingsOf returns r's findings of one rule.
func findingsOf(r watch.Report, rule string) []rules.Finding {
	var out []rules.Finding
	for _, f := range r.Findings {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

// skipWithoutBPF skips the test for a tracer that could not be opened,
// unless the verifier refused the programs: a kernel that loads BPF but
// not these programs is a defect of theirs, not a missing feature.
func skipWithoutBPF(t *testing.T, err error) {
	t.Helper()
	if strings.Contains(err.Error(), "verifier:") {
		t.Fatalf("the verifier refused the programs: %v", err)
	}
	t.Skipf("needs BPF tracing: %v", err)
}
