package rules_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
)

// closeWaitFacts has n CLOSE_WAIT sockets, attributed to owners.
func closeWaitFacts(n int, owners []audit.Owner) *audit.Facts {
	c := audit.NewCensus(1, 0)
	for i := 0; i < n; i++ {
		c.Add(&audit.Socket{State: audit.CloseWait, Inode: uint64(1000 + i)})
	}
	f := audit.NewFacts(audit.Facts{Census: c}, audit.SourceSockets)
	if owners != nil {
		f.Owners = &audit.Attribution{Owners: owners}
	}
	return f
}

func TestCloseWaitThresholds(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want []string
	}{{0, nil}, {99, nil}, {100, []string{"warning"}}, {999, []string{"warning"}}, {1000, []string{"critical"}}} {
		got := check(t, "baseline", "close-wait-accumulation", closeWaitFacts(tc.n, nil))
		if diff := cmp.Diff(tc.want, severities(got)); diff != "" {
			t.Errorf("%d sockets (-want +got):\n%s", tc.n, diff)
		}
	}
	// web-server catches leaks earlier.
	if got := severities(check(t, "web-server", "close-wait-accumulation", closeWaitFacts(50, nil))); len(got) != 1 {
		t.Errorf("web-server, 50 sockets: %v, want one finding", got)
	}
}

// TestCloseWaitOwners: the finding names at most `top` (5) owners, most
// sockets first, and its fix is advice, never a sysctl.
func TestCloseWaitOwners(t *testing.T) {
	var owners []audit.Owner
	for i := 0; i < 7; i++ {
		owners = append(owners, audit.Owner{PID: 100 + i, Command: fmt.Sprintf("app%d", i), Sockets: 70 - 10*i})
	}
	got := check(t, "baseline", "close-wait-accumulation", closeWaitFacts(280, owners))
	if len(got) != 1 {
		t.Fatalf("%d findings, want 1", len(got))
	}
	f := got[0]
	if len(f.Fix.Processes) != 5 || f.Fix.Processes[0].PID != 100 {
		t.Errorf("processes %+v: want the first 5 owners", f.Fix.Processes)
	}
	if !strings.Contains(f.Observed, "pid 100 (app0) holds 70") || strings.Contains(f.Observed, "app5") {
		t.Errorf("observed %q: want the top owners only", f.Observed)
	}
	if !strings.Contains(f.Observed, "; 2 more processes hold 30") { // app5 20, app6 10
		t.Errorf("observed %q: want the owners left out counted", f.Observed)
	}
	one := check(t, "baseline", "close-wait-accumulation", closeWaitFacts(280, owners[:6]))
	if len(one) != 1 || !strings.Contains(one[0].Observed, "; 1 more process holds 20") {
		t.Errorf("six owners: %+v, want the sixth counted", one)
	}
	if len(f.Fix.Sysctl) != 0 || f.Fix.Advice == "" {
		t.Errorf("fix %+v: a CLOSE_WAIT leak is fixed in the application, not by a sysctl", f.Fix)
	}
}

// TestCloseWaitStuckExamined: tcp_info is kept for the longest idle
// CLOSE_WAIT sockets only. When all of those are stuck, the title gives a
// lower bound and says how many were examined; when some are not, the
// count is exact (the others are idle for less).
func TestCloseWaitStuckExamined(t *testing.T) {
	infos := func(n, stuck int) []audit.SocketInfo {
		var out []audit.SocketInfo
		for i := range n {
			idle := time.Hour - time.Duration(i)*time.Millisecond
			if i >= stuck {
				idle = time.Second
			}
			out = append(out, audit.SocketInfo{Inode: uint64(1000 + i), Idle: idle, EOFUnread: true})
		}
		return out
	}
	for _, tc := range []struct {
		census, info, stuck int
		title, observed     string
	}{
		{10000, 4096, 4096, "at least 4096 of 10000 sockets in CLOSE_WAIT are stuck (the 4096 longest idle were examined)", "(of the 4096 longest idle, whose tcp_info was kept)"},
		{10000, 4096, 300, "300 of 10000 sockets in CLOSE_WAIT are stuck:", "(of the 4096 longest idle, whose tcp_info was kept)"},
		{500, 500, 500, "500 of 500 sockets in CLOSE_WAIT are stuck:", "median"},
	} {
		f := closeWaitFacts(tc.census, nil)
		f.CloseWaitInfo = infos(tc.info, tc.stuck)
		got := check(t, "baseline", "close-wait-accumulation", f)
		if len(got) != 1 {
			t.Fatalf("%d findings, want 1", len(got))
		}
		if !strings.HasPrefix(got[0].Title, tc.title) || !strings.Contains(got[0].Observed, tc.observed) {
			t.Errorf("%d sockets, %d examined, %d stuck:\ntitle %q\nwant %q\nobserved %q\nwant %q", tc.census, tc.info, tc.stuck, got[0].Title, tc.title, got[0].Observed, tc.observed)
		}
		if tc.census == tc.info && strings.Contains(got[0].Observed, "longest idle, whose") {
			t.Errorf("every socket examined, yet observed says otherwise: %q", got[0].Observed)
		}
	}
}

// TestCloseWaitStuckBeyondFollowed: sampling follows at most
// AttributionBatch CLOSE_WAIT sockets; when the first sample had more, the
// stuck count is a lower bound and the title and observation say so.
func TestCloseWaitStuckBeyondFollowed(t *testing.T) {
	for _, tc := range []struct {
		beyond       int
		title, count string
	}{
		{37856, "at least 3 of 300000 sockets in CLOSE_WAIT are stuck (the 262144 with the smallest inodes were followed", "at least 3 (the 37856 others"},
		{0, "3 of 300000 sockets in CLOSE_WAIT are stuck:", "; 3 of them stayed"},
	} {
		f := closeWaitFacts(300000, nil)
		stuck := audit.NewInodeList([]uint64{1000, 1001, 1002})
		stuck.Beyond = tc.beyond
		f.Sampling = &audit.Sampling{Samples: 2, Elapsed: time.Second, StuckCloseWait: stuck}
		got := check(t, "baseline", "close-wait-accumulation", f)
		if len(got) != 1 {
			t.Fatalf("%d findings, want 1", len(got))
		}
		if !strings.HasPrefix(got[0].Title, tc.title) || !strings.Contains(got[0].Observed, tc.count) {
			t.Errorf("beyond %d:\ntitle %q\nwant %q\nobserved %q\nwant %q", tc.beyond, got[0].Title, tc.title, got[0].Observed, tc.count)
		}
	}
}
