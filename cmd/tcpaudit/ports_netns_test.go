package main

import (
	"net/netip"
	"os"
	"os/exec"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/internal/sockgen"
)

// portsNetns narrows the namespace's ephemeral range to 200 ports and
// returns a generator connecting to 127.0.0.1:9000.
func portsNetns(t *testing.T) *sockgen.Generator {
	t.Helper()
	if err := os.WriteFile("/proc/sys/net/ipv4/ip_local_port_range", []byte("40000 40199"), 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := sockgen.New([]uint16{9000}, []netip.Addr{netip.MustParseAddr("127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	return g
}

// exhaustion runs check and returns the exit code and the one
// ephemeral-port-exhaustion finding toward 127.0.0.1:9000, if any.
func exhaustion(t *testing.T) (int, []jsonFinding) {
	t.Helper()
	code, rep := checkJSON(t, "--source", "netlink")
	return code, rep.findings("ephemeral-port-exhaustion")
}

// TestPortsHeldByOneProcess: 170 of 200 ports toward one destination held
// ESTABLISHED by this process are critical and name it; once a forked
// child holds the same sockets they are still 170, listed under one
// process with the child as another holder.
func TestPortsHeldByOneProcess(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	g := portsNetns(t)
	var clients []int
	for range 170 {
		c, s, err := g.Pair()
		if err != nil {
			t.Fatal(err)
		}
		g.Held = append(g.Held, c, s)
		clients = append(clients, c)
	}
	code, f := exhaustion(t)
	if code != exitFindings || len(f) != 1 || f[0].Severity != "critical" {
		t.Fatalf("exit %d, findings %+v: want one critical finding", code, f)
	}
	if len(f[0].Subjects) != 1 || f[0].Subjects[0].PID != os.Getpid() || f[0].Subjects[0].Count != 170 || f[0].Subjects[0].Remote != "127.0.0.1:9000" {
		t.Errorf("subjects %+v: want pid %d holding 170 toward 127.0.0.1:9000", f[0].Subjects, os.Getpid())
	}
	if ev := f[0].Evidence; ev["count"] != 170 || ev["held"] != 170 || ev["limit"] != 200 {
		t.Errorf("evidence %v: want 170 held of 200 usable", ev)
	}

	child := forkHolder(t, clients)
	_, f = exhaustion(t)
	if len(f) != 1 {
		t.Fatalf("with a forked holder: findings %+v", f)
	}
	total, holders := 0, map[int]bool{}
	for _, s := range f[0].Subjects {
		total += s.Count
		holders[s.PID] = true
		for _, h := range s.Holders {
			holders[h] = true
		}
	}
	if total != 170 || !holders[os.Getpid()] || !holders[child] || len(f[0].Subjects) != 1 {
		t.Errorf("subjects %+v: want the 170 sockets once, under one process listing pids %d and %d", f[0].Subjects, os.Getpid(), child)
	}
}

// forkHolder starts a child that inherits copies of fds, as a forked
// server does, and returns its pid; it is killed when the test ends.
func forkHolder(t *testing.T, fds []int) int {
	t.Helper()
	var files []*os.File
	for _, fd := range fds {
		d, err := unix.Dup(fd)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, os.NewFile(uintptr(d), "socket"))
	}
	cmd := exec.Command("sleep", "60")
	cmd.ExtraFiles = files
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		f.Close()
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd.Process.Pid
}

// TestLoopbackChurnTwReuse: with tcp_tw_reuse=2 (the default) connect()
// takes over TIME_WAIT ports toward a loopback destination, so 170 of 200
// ports, 160 of them in TIME_WAIT, are not critical and tcp_tw_reuse=1 is
// not proposed; with tcp_tw_reuse=0 the same sockets are critical and it is.
func TestLoopbackChurnTwReuse(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	g := portsNetns(t)
	for range 160 {
		if err := g.TimeWait(); err != nil {
			t.Fatal(err)
		}
	}
	for range 10 {
		c, s, err := g.Pair()
		if err != nil {
			t.Fatal(err)
		}
		g.Held = append(g.Held, c, s)
	}
	setTwReuse(t, "0")
	code, f := exhaustion(t)
	if code != exitFindings || len(f) != 1 || f[0].Severity != "critical" || f[0].Fix.Sysctl["net.ipv4.tcp_tw_reuse"] != "1" {
		t.Fatalf("tcp_tw_reuse=0: exit %d, findings %+v: want one critical finding proposing tcp_tw_reuse=1", code, f)
	}
	if ev := f[0].Evidence; ev["count"] != 170 || ev["time_wait"] != 160 {
		t.Errorf("evidence %v: want 170 ports, 160 in TIME_WAIT", ev)
	}
	setTwReuse(t, "2")
	_, f = exhaustion(t)
	for _, fd := range f {
		if fd.Severity == "critical" || fd.Fix.Sysctl["net.ipv4.tcp_tw_reuse"] != "" {
			t.Errorf("tcp_tw_reuse=2: finding %+v: want no critical finding and no tcp_tw_reuse proposal", fd)
		}
	}
}

func setTwReuse(t *testing.T, v string) {
	t.Helper()
	if err := os.WriteFile("/proc/sys/net/ipv4/tcp_tw_reuse", []byte(v), 0o644); err != nil {
		t.Fatal(err)
	}
}
