//go:build linux && !tcpaudit_portable

package audit_test

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestAttributeStatesMatchesSS attributes every socket of a fresh namespace
// to its process, by state, and compares with `ss -tanp`.
func TestAttributeStatesMatchesSS(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	makeSockets(t)
	lo, hi := portRange(t)
	c := audit.NewCensus(lo, hi, audit.WithInodes())
	nl, err := audit.OpenNetlink()
	if err != nil {
		t.Fatal(err)
	}
	defer nl.Close()
	if err := nl.Census(c, audit.AllStates); err != nil {
		t.Fatal(err)
	}
	pc, err := liveFS(t).Processes(c.Inodes())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, p := range pc.Processes {
		for st, n := range p.States {
			got[strconv.Itoa(p.PID)+" "+st.String()] += n
		}
	}
	out, err := exec.Command("ss", "-tanpH").Output()
	if err != nil {
		t.Skipf("ss -tanp: %v", err)
	}
	want := map[string]int{}
	line := regexp.MustCompile(`(?m)^(\S+)\s.*users:\(\("[^"]*",pid=(\d+),`)
	for _, m := range line.FindAllStringSubmatch(string(out), -1) {
		want[m[2]+" "+ssName(m[1])]++
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("sockets by process and state (-ss +tcpaudit):\n%s", d)
	}
	if got[strconv.Itoa(os.Getpid())+" CLOSE_WAIT"] != plan.CloseWait {
		t.Errorf("this process holds %d CLOSE_WAIT sockets, want %d", got[strconv.Itoa(os.Getpid())+" CLOSE_WAIT"], plan.CloseWait)
	}
}

func ssName(s string) string {
	return map[string]string{"ESTAB": "ESTABLISHED", "FIN-WAIT-2": "FIN_WAIT2", "CLOSE-WAIT": "CLOSE_WAIT",
		"FIN-WAIT-1": "FIN_WAIT1", "LISTEN": "LISTEN", "SYN-RECV": "SYN_RECV", "TIME-WAIT": "TIME_WAIT", "SYN-SENT": "SYN_SENT", "LAST-ACK": "LAST_ACK"}[s]
}
