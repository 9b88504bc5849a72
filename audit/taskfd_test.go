//go:build linux && !tcpaudit_portable

package audit_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestBPFAndFDScanAgree attributes every socket of a fresh namespace
// (CLOSE_WAIT, listeners with full queues, established) twice, with the
// BPF task_file iterator and with the forced descriptor scan, and requires
// the same holders and owners, the CLOSE_WAIT ones this process's.
// The iterator is used only as root with BTF: elsewhere the test skips.
func TestBPFAndFDScanAgree(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	makeSockets(t)
	lo, hi := portRange(t)
	c := audit.NewCensus(lo, hi, audit.WithInodes())
	if err := audit.NetlinkCensus(c, audit.AllStates); err != nil {
		t.Fatal(err)
	}
	inodes := c.Inodes()
	scan, err := liveFS(t).WithAttribution(audit.AttributionFDScan).Attribute(inodes)
	if err != nil {
		t.Fatal(err)
	}
	bpf, err := liveFS(t).WithAttribution(audit.AttributionBPF).Attribute(inodes)
	if errors.Is(err, audit.ErrNoIterator) {
		t.Skipf("no BPF iterator here (root, BTF and kernel 5.8 needed): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if scan.Method != audit.AttributionFDScan || bpf.Method != audit.AttributionBPF {
		t.Errorf("methods %q and %q, want %q and %q", scan.Method, bpf.Method, audit.AttributionFDScan, audit.AttributionBPF)
	}
	if len(scan.Holders) < len(inodes)-1 { // the census's own socket is closed
		t.Errorf("the scan found %d of %d inodes", len(scan.Holders), len(inodes))
	}
	// Unreadable differs where the scan meets a process whose descriptors
	// are denied even to root: the iterator reads them in the kernel.
	unreadable := cmpopts.IgnoreFields(audit.Attribution{}, "Unreadable")
	if d := cmp.Diff(scan, bpf, ignoreMethod, unreadable); d != "" {
		t.Errorf("fd scan vs BPF iterator (-scan +bpf):\n%s", d)
	}
	comm := filepath.Base(os.Args[0])
	want := []audit.Owner{{PID: os.Getpid(), Command: comm[:min(len(comm), 15)], Sockets: plan.CloseWait}}
	if d := cmp.Diff(want, bpf.Owners); d != "" {
		t.Errorf("CLOSE_WAIT owners (-want +bpf):\n%s", d)
	}
}

// TestProcessesOfBothWays counts the sockets of every state by process
// with the iterator and with the scan: the counts are the same.
func TestProcessesOfBothWays(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	makeSockets(t)
	lo, hi := portRange(t)
	c := audit.NewCensus(lo, hi, audit.WithInodes())
	if err := audit.NetlinkCensus(c, audit.AllStates); err != nil {
		t.Fatal(err)
	}
	got := map[audit.AttributionMode]audit.ProcessCensus{}
	for _, m := range []audit.AttributionMode{audit.AttributionFDScan, audit.AttributionBPF} {
		pc, err := liveFS(t).WithAttribution(m).ProcessesOf(c, audit.CensusNetlink)
		if errors.Is(err, audit.ErrNoIterator) {
			t.Skipf("no BPF iterator here: %v", err)
		}
		if err != nil {
			t.Fatal(err)
		}
		if pc.Method != m {
			t.Errorf("%s attribution read processes with %q", m, pc.Method)
		}
		got[m] = pc
	}
	ignore := cmpopts.IgnoreFields(audit.ProcessCensus{}, "Method", "Unreadable")
	if d := cmp.Diff(got[audit.AttributionFDScan], got[audit.AttributionBPF], ignore); d != "" {
		t.Errorf("fd scan vs BPF (-scan +bpf):\n%s", d)
	}
	if len(got[audit.AttributionBPF].Processes) == 0 {
		t.Error("no process found holding the namespace's sockets")
	}
}

// TestAutoFallsBackWithoutBPF runs itself again without CAP_BPF,
// CAP_PERFMON and CAP_SYS_ADMIN (setpriv drops them from the bounding set,
// as a container does): the iterator cannot load there (forced, it is an
// error wrapping ErrNoIterator), and auto attribution reads the processes
// with the descriptor scan and finds the owner.
func TestAutoFallsBackWithoutBPF(t *testing.T) {
	const env = "TCPAUDIT_TEST_NO_BPF"
	if os.Getenv(env) == "" {
		if os.Geteuid() != 0 {
			t.Skip("needs root to drop capabilities from")
		}
		if _, err := exec.LookPath("setpriv"); err != nil {
			t.Skip("setpriv (util-linux) not installed")
		}
		cmd := exec.Command("setpriv", "--bounding-set=-bpf,-perfmon,-sys_admin", os.Args[0],
			"-test.run", "^"+t.Name()+"$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), env+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
			t.Fatalf("without BPF capabilities: %v\n%s", err, out)
		}
		return
	}
	want := openInodes(t, 3)
	if _, err := liveFS(t).WithAttribution(audit.AttributionBPF).Attribute(want); !errors.Is(err, audit.ErrNoIterator) {
		t.Fatalf("forced BPF without capabilities: %v, want an error wrapping ErrNoIterator", err)
	}
	a, err := liveFS(t).Attribute(want)
	if err != nil {
		t.Fatal(err)
	}
	if a.Method != audit.AttributionFDScan || len(a.Owners) != 1 || a.Owners[0].PID != os.Getpid() || a.Owners[0].Sockets != 3 {
		t.Errorf("auto without BPF: method %q, owners %+v; want fd-scan and this process with 3 sockets", a.Method, a.Owners)
	}
}

// openInodes opens n TCP sockets and returns their inodes, as CLOSE_WAIT
// sockets to attribute.
func openInodes(t *testing.T, n int) map[uint64]audit.State {
	t.Helper()
	out := map[uint64]audit.State{}
	for range n {
		fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Close(fd) })
		var st syscall.Stat_t
		if err := syscall.Fstat(fd, &st); err != nil {
			t.Fatal(err)
		}
		out[st.Ino] = audit.CloseWait
	}
	return out
}
