package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/internal/sockgen"
)

// socketsDoc is the part of `sockets --format json` the tests read.
type socketsDoc struct {
	Source    string         `json:"source"`
	Total     int            `json:"total"`
	States    map[string]int `json:"states"`
	Listeners []struct {
		Port int `json:"port"`
	} `json:"listeners"`
	Processes []struct {
		PID     int            `json:"pid"`
		Command string         `json:"command"`
		States  map[string]int `json:"states"`
	} `json:"processes"`
	Sampling *struct {
		Samples        int `json:"samples"`
		StuckCloseWait int `json:"stuck_close_wait"`
		Rates          []struct {
			Section string `json:"section"`
			Name    string `json:"name"`
			Delta   int64  `json:"delta"`
		} `json:"rates"`
	} `json:"sampling"`
	Notes []string `json:"notes"`
}

// runSocketsJSON runs `tcpaudit sockets --format json ARGS` and decodes it.
func runSocketsJSON(t *testing.T, args ...string) socketsDoc {
	t.Helper()
	var doc socketsDoc
	decode(t, &doc, args...)
	return doc
}

// portCount and remoteJSON are rows of the ports and remotes rankings.
type portCount struct {
	Port      uint16 `json:"port"`
	Sockets   int    `json:"sockets"`
	Listening bool   `json:"listening"`
}

type remoteJSON struct {
	Endpoint string `json:"endpoint"`
	Inbound  bool   `json:"inbound"`
	Sockets  int    `json:"sockets"`
	Error    int    `json:"error"`
}

var testPlan = sockgen.Plan{Established: 4, TimeWait: 3, CloseWait: 2, FullQueue: 2}

func makeTestSockets(t *testing.T) *sockgen.Generator {
	t.Helper()
	g, err := sockgen.New([]uint16{1000}, []netip.Addr{netip.MustParseAddr("127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	if err := g.Make(testPlan); err != nil {
		t.Fatal(err)
	}
	return g
}

// ssCounts counts `ss -tan` lines by state, with the kernel's names.
func ssCounts(t *testing.T) map[string]int {
	t.Helper()
	out, err := exec.Command("ss", "-tanH").Output()
	if err != nil {
		t.Skipf("ss: %v", err)
	}
	names := map[string]string{"ESTAB": "ESTABLISHED", "TIME-WAIT": "TIME_WAIT", "CLOSE-WAIT": "CLOSE_WAIT",
		"FIN-WAIT-2": "FIN_WAIT2", "FIN-WAIT-1": "FIN_WAIT1", "LISTEN": "LISTEN", "SYN-RECV": "SYN_RECV"}
	m := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			m[names[f[0]]]++
		}
	}
	return m
}

func nonZero(m map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

// TestSocketsMatchesSS runs `sockets` over both sources in a fresh
// namespace and compares the counts with ss and the CLOSE_WAIT owner with
// this process.
func TestSocketsMatchesSS(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	makeTestSockets(t)
	ss := ssCounts(t)
	for _, src := range []string{"netlink", "proc"} {
		doc := runSocketsJSON(t, "--source", src)
		if doc.Source != src {
			t.Errorf("source %q, want %q", doc.Source, src)
		}
		if d := cmp.Diff(ss, nonZero(doc.States)); d != "" {
			t.Errorf("%s: states (-ss +sockets):\n%s", src, d)
		}
		if len(doc.Processes) != 1 || doc.Processes[0].PID != os.Getpid() || doc.Processes[0].States["CLOSE_WAIT"] != testPlan.CloseWait {
			t.Errorf("%s: processes %+v, want pid %d with %d CLOSE_WAIT", src, doc.Processes, os.Getpid(), testPlan.CloseWait)
		}
	}
	doc := runSocketsJSON(t, "--state", "close-wait")
	if doc.Total != testPlan.CloseWait || len(doc.States) != 1 {
		t.Errorf("--state close-wait: total %d, states %v", doc.Total, doc.States)
	}
	checkRankings(t)
}

// checkRankings checks --by port and --by remote on testPlan's sockets:
// port 1000 carries the accepted ESTABLISHED and CLOSE_WAIT sockets; the
// clients' remote endpoint 127.0.0.1:1000 has those plus the TIME_WAIT
// sockets; the accepted sockets count for their client address.
func checkRankings(t *testing.T) {
	t.Helper()
	accepted := testPlan.Established/2 + testPlan.CloseWait
	var ports struct {
		Ports []portCount `json:"ports"`
	}
	decode(t, &ports, "--by", "port")
	if i := slices.IndexFunc(ports.Ports, func(p portCount) bool { return p.Port == 1000 }); i < 0 ||
		ports.Ports[i].Sockets != accepted || !ports.Ports[i].Listening {
		t.Errorf("--by port: %+v, want port 1000 listening with %d sockets", ports.Ports, accepted)
	}
	var remotes struct {
		Remotes []remoteJSON `json:"remotes"`
	}
	decode(t, &remotes, "--by", "remote")
	want := []remoteJSON{
		{Endpoint: "127.0.0.1:1000", Sockets: accepted + testPlan.TimeWait},
		{Endpoint: "127.0.0.1", Inbound: true, Sockets: accepted + testPlan.FullQueue},
	}
	if len(remotes.Remotes) < 2 {
		t.Fatalf("--by remote: %+v", remotes.Remotes)
	}
	if d := cmp.Diff(want, remotes.Remotes[:2]); d != "" {
		t.Errorf("--by remote (-want +got):\n%s", d)
	}
}

// decode runs `tcpaudit sockets --format json ARGS` and decodes it into v.
func decode(t *testing.T, v any, args ...string) {
	t.Helper()
	code, out, stderr := runCLI(t, append([]string{"sockets", "--format", "json"}, args...)...)
	if code != exitOK {
		t.Fatalf("sockets %v: exit %d: %s", args, code, stderr)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("sockets %v: %v\n%s", args, err, out)
	}
}

// TestSocketsSampling closes one CLOSE_WAIT socket between samples and
// opens a connection: only the others are stuck, and ActiveOpens grows.
func TestSocketsSampling(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	g := makeTestSockets(t)
	c, s, err := g.Pair()
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(c)
	if err := unix.Shutdown(c, unix.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	full := fullListener(t)
	done := make(chan error, 1)
	// The first sample is taken at once; 700 ms leaves it room on a loaded
	// machine, and the second, 1.5 s in, sees the socket closed.
	go func() {
		time.Sleep(700 * time.Millisecond)
		unix.Close(s)
		done <- errors.Join(g.TimeWait(), dropSYN(full))
	}()
	doc := runSocketsJSON(t, "--samples", "3", "--interval", "1500ms")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if doc.States["CLOSE_WAIT"] != testPlan.CloseWait+1 {
		t.Errorf("first sample: %d CLOSE_WAIT, want %d", doc.States["CLOSE_WAIT"], testPlan.CloseWait+1)
	}
	if doc.Sampling == nil || doc.Sampling.StuckCloseWait != testPlan.CloseWait {
		t.Fatalf("sampling %+v: want %d stuck CLOSE_WAIT sockets", doc.Sampling, testPlan.CloseWait)
	}
	deltas := map[string]int64{}
	for _, r := range doc.Sampling.Rates {
		deltas[r.Name] = r.Delta
	}
	if deltas["ActiveOpens"] < 2 || deltas["ListenOverflows"] < 1 {
		t.Errorf("deltas %v: want ActiveOpens at least 2 and ListenOverflows at least 1", deltas)
	}
}

// fullListener listens with backlog 0 on 127.0.0.1:1003 and fills its
// accept queue with one connection.
func fullListener(t *testing.T) netip.AddrPort {
	t.Helper()
	ap := netip.MustParseAddrPort("127.0.0.1:1003")
	l, err := sockgen.Listen(ap, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(l) })
	c, err := sockgen.Connect(ap)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(c) })
	return ap
}

// dropSYN starts a connection that the full listener drops
// (ListenOverflows) and closes it.
func dropSYN(ap netip.AddrPort) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.Connect(fd, &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}); err != unix.EINPROGRESS {
		return fmt.Errorf("connect to a full listener: %v, want EINPROGRESS", err)
	}
	return nil
}

// TestSocketsFixture reads a captured proc tree: the source must be proc
// and the counts those of the st column of net/tcp and net/tcp6.
func TestSocketsFixture(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "hosts", "close-wait-leak")
	want := map[string]int{}
	for _, f := range []string{"net/tcp", "net/tcp6"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(b), "\n")[1:] {
			if fl := strings.Fields(l); len(fl) > 3 {
				want[map[string]string{"01": "ESTABLISHED", "06": "TIME_WAIT", "08": "CLOSE_WAIT", "0A": "LISTEN",
					"05": "FIN_WAIT2", "04": "FIN_WAIT1", "03": "SYN_RECV", "02": "SYN_SENT", "09": "LAST_ACK", "0B": "CLOSING"}[fl[3]]]++
			}
		}
	}
	doc := runSocketsJSON(t, "--proc-root", root)
	if doc.Source != "proc" {
		t.Errorf("source %q, want proc for a proc root that is not /proc", doc.Source)
	}
	if d := cmp.Diff(want, nonZero(doc.States)); d != "" {
		t.Errorf("states (-st column +sockets):\n%s", d)
	}
	if want["CLOSE_WAIT"] > 0 && len(doc.Processes) == 0 {
		t.Errorf("no process attributed for %d CLOSE_WAIT sockets", want["CLOSE_WAIT"])
	}
}

func TestSocketsUsageErrors(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "hosts", "close-wait-leak")
	for _, args := range [][]string{
		{"--by", "color"}, {"--format", "xml"}, {"--state", "half-open"}, {"--top", "0"},
		{"--source", "carrier-pigeon"}, {"--source", "netlink", "--proc-root", root},
		{"--samples", "0"}, {"--samples", "2", "--interval", "0s"},
		{"--proc-root", filepath.Join(root, "missing")},
	} {
		code, _, stderr := runCLI(t, append([]string{"sockets"}, args...)...)
		if code != exitError {
			t.Errorf("sockets %v: exit %d, want %d (stderr %q)", args, code, exitError, stderr)
		}
		if !strings.HasPrefix(stderr, "tcpaudit: ") {
			t.Errorf("sockets %v: stderr %q, want a tcpaudit: error", args, stderr)
		}
		if strings.Count(stderr, root) > 1 {
			t.Errorf("sockets %v: stderr %q names the path more than once", args, stderr)
		}
	}
}
