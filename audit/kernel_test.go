package audit_test

import (
	"bufio"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tcpaudit/tcpaudit/audit"
)

// TestCensusMatchesSS opens real sockets on loopback in the host's own
// namespace (any user), reads /proc/net/tcp and tcp6 with ParseTCP keeping
// only the lines of the test's sockets, and compares that census with
// `ss -tan` taken around it: counts per state, listeners with their accept
// queues, and the per-destination ephemeral aggregate (which depends on
// decoding addresses and ports right). It then checks that Gather on /proc
// sees the same accept queue and that the CLOSE_WAIT sockets belong to this
// process.
func TestCensusMatchesSS(t *testing.T) {
	ss, err := exec.LookPath("ss")
	if err != nil {
		t.Skip("needs ss(8) from iproute2 as the oracle of the socket census")
	}
	lb := openLoopback(t)
	low, high := hostPortRange(t)
	want := lb.expected()
	rows, c := settledSnapshot(t, ss, lb.ends, low, high, want)
	if d := cmp.Diff(want, c.ByState()); d != "" {
		t.Errorf("census of the test's sockets vs the sockets made (-made +census):\n%s", d)
	}
	if d := cmp.Diff(ssRowStates(rows), c.ByState()); d != "" {
		t.Errorf("census vs ss -tan, per state (-ss +census):\n%s", d)
	}
	byPort := cmpopts.SortSlices(func(a, b audit.Listener) bool { return a.Port < b.Port })
	if d := cmp.Diff(ssListeners(rows), c.Listeners, addrCmp, byPort, cmpopts.IgnoreFields(audit.Listener{}, "Inode")); d != "" {
		t.Errorf("listeners vs ss -tan (-ss +census):\n%s", d)
	}
	if d := cmp.Diff(ssEphemeral(rows, low, high), c.Ephemeral, addrCmp); d != "" {
		t.Errorf("ephemeral aggregate vs ss -tan (-ss +census):\n%s", d)
	}
	checkQueue(t, lb, rows, c)
	checkCloseWaitOwner(t, c, lb.closeWaits())
	checkGather(t, lb, c)
}

// settledSnapshot waits (at most 3 s, 60 tries) until ss shows the sockets
// made, then takes ss, the census and ss again, retrying (at most 5 times)
// until both ss runs agree, so that the census was read at the same moment.
func settledSnapshot(t *testing.T, ss string, ends map[portPair]bool, low, high uint16, want map[string]int) ([]ssRow, *audit.Census) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for i := 0; i < 60 && time.Now().Before(deadline); i++ {
		if cmp.Equal(ssRowStates(runSS(t, ss, ends)), want) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for range 5 {
		before := runSS(t, ss, ends)
		c := portCensus(t, ends, low, high)
		after := runSS(t, ss, ends)
		if cmp.Equal(ssRowStates(before), ssRowStates(after)) {
			return before, c
		}
	}
	t.Fatal("the test's sockets kept changing state between two runs of ss")
	return nil, nil
}

// portCensus parses /proc/net/tcp and tcp6 with ParseTCP, keeping the
// header and the lines whose (local port, remote port) is one of ends.
func portCensus(t *testing.T, ends map[portPair]bool, low, high uint16) *audit.Census {
	t.Helper()
	c := audit.NewCensus(low, high)
	for _, file := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var kept bytes.Buffer
		sc := bufio.NewScanner(bytes.NewReader(data))
		for n := 0; sc.Scan(); n++ {
			if f := strings.Fields(sc.Text()); n == 0 || len(f) > 2 && ends[portPair{hexPort(f[1]), hexPort(f[2])}] {
				kept.WriteString(sc.Text() + "\n")
			}
		}
		if err := audit.ParseTCP(&kept, strings.HasSuffix(file, "6"), c); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}
	return c
}

// hexPort returns the port of an ADDR:PORT column, 0 if there is none.
func hexPort(col string) uint16 {
	i := strings.LastIndexByte(col, ':')
	p, err := strconv.ParseUint(col[i+1:], 16, 16)
	if i < 0 || err != nil {
		return 0
	}
	return uint16(p)
}

// hostPortRange reads net.ipv4.ip_local_port_range.
func hostPortRange(t *testing.T) (uint16, uint16) {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b))
	lo, err1 := strconv.ParseUint(f[0], 10, 16)
	hi, err2 := strconv.ParseUint(f[1], 10, 16)
	if len(f) != 2 || err1 != nil || err2 != nil {
		t.Fatalf("ip_local_port_range %q", b)
	}
	return uint16(lo), uint16(hi)
}

// checkQueue compares the queue listener's accept queue with ss Recv-Q and
// with the number of connections left unaccepted.
func checkQueue(t *testing.T, lb *loopback, rows []ssRow, c *audit.Census) {
	t.Helper()
	port := listenPort(lb.queue)
	for _, r := range rows {
		if r.state == "LISTEN" && r.local.Port() == port && r.recvQ != lbQueued {
			t.Errorf("ss Recv-Q of the queue listener = %d, want %d", r.recvQ, lbQueued)
		}
	}
	for _, l := range c.Listeners {
		if l.Port == port && l.AcceptQueue != lbQueued {
			t.Errorf("census accept queue = %d, want %d", l.AcceptQueue, lbQueued)
		}
	}
}

// checkCloseWaitOwner attributes the CLOSE_WAIT sockets: this process,
// under the test binary's command name (TASK_COMM_LEN truncates it to 15).
func checkCloseWaitOwner(t *testing.T, c *audit.Census, n int) {
	t.Helper()
	a, err := liveFS(t).Owners(c.CloseWaitInodes())
	if err != nil {
		t.Fatal(err)
	}
	comm := filepath.Base(os.Args[0])
	if len(comm) > 15 {
		comm = comm[:15]
	}
	want := audit.Attribution{Owners: []audit.Owner{{PID: os.Getpid(), Command: comm, Sockets: n}}, Root: os.Geteuid() == 0}
	if d := cmp.Diff(want, a, cmpopts.IgnoreFields(audit.Attribution{}, "Unreadable", "Holders", "Method", "Batches")); d != "" {
		t.Errorf("CLOSE_WAIT owners (-want +got):\n%s", d)
	}
}

// checkGather runs the full gatherer on the live /proc: it must see the
// queue listener, the test's CLOSE_WAIT sockets and their owner.
func checkGather(t *testing.T, lb *loopback, ours *audit.Census) {
	t.Helper()
	f, err := audit.Gather(audit.Options{ProcRoot: "/proc"})
	if err != nil {
		t.Fatal(err)
	}
	if f.Census == nil {
		why, _ := f.NotRead(audit.SourceTCP)
		t.Fatalf("Gather on /proc took no census: net/tcp %s", why)
	}
	port, found := listenPort(lb.queue), false
	for _, l := range f.Census.Listeners {
		if l.Port == port {
			found = true
			if l.AcceptQueue != lbQueued {
				t.Errorf("Gather: accept queue of port %d = %d, want %d", port, l.AcceptQueue, lbQueued)
			}
		}
	}
	if !found {
		t.Errorf("Gather: no listener on port %d", port)
	}
	for ino := range ours.CloseWaitInodes() {
		if _, ok := f.Census.CloseWaitInodes()[ino]; !ok {
			t.Errorf("Gather: CLOSE_WAIT inode %d missing", ino)
		}
	}
	if f.Owners == nil {
		t.Fatalf("Gather attributed no CLOSE_WAIT socket")
	}
	for _, o := range f.Owners.Owners {
		if o.PID == os.Getpid() && o.Sockets >= lb.closeWaits() {
			return
		}
	}
	t.Errorf("Gather: owners %+v lack this process (pid %d)", f.Owners.Owners, os.Getpid())
}
