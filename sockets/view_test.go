package sockets

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
)

// leak is a captured host: 137 ESTABLISHED, 40 TIME_WAIT, 231 CLOSE_WAIT
// and 7 LISTEN sockets in net/tcp and net/tcp6; java (2214) holds 150 of
// the CLOSE_WAIT sockets, python3 (3377) 80, and no process the last one.
var leak = filepath.Join("..", "testdata", "hosts", "close-wait-leak")

// ticker is a clock that advances by step at each reading.
func ticker(step time.Duration) func() time.Time {
	t := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(step)
		return t
	}
}

func takeLeak(t *testing.T, o Options) *View {
	t.Helper()
	o.Source = audit.CensusProc
	if o.Top == 0 {
		o.Top = 10
	}
	v, err := Take(context.Background(), leak, o)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// owners maps the command of each process of v to its socket count.
func owners(v *View) map[string]int {
	out := map[string]int{}
	for _, p := range v.Processes.Processes {
		out[p.Command] = p.Total
	}
	return out
}

func TestTakeByState(t *testing.T) {
	v := takeLeak(t, Options{By: ByState, Now: ticker(time.Millisecond)})
	if v.Source != audit.CensusProc || v.Count() != 415 || v.Elapsed != time.Millisecond {
		t.Errorf("source %s, %d sockets, elapsed %s: want proc, 415, 1ms (one tick of the clock)", v.Source, v.Count(), v.Elapsed)
	}
	if v.Processes == nil {
		t.Fatal("CLOSE_WAIT owners not looked up")
	}
	if d := cmp.Diff(map[string]int{"java": 150, "python3": 80}, owners(v)); d != "" {
		t.Errorf("owners (-want +got):\n%s", d)
	}
	if len(v.Notes) != 1 || !strings.HasPrefix(v.Notes[0], "1 socket not attributed to a process: no process under "+leak) {
		t.Errorf("notes %q: want one for the unattributed socket", v.Notes)
	}
	if len(v.Remotes(3)) != 3 || len(v.Ports()) != 0 {
		t.Errorf("by state: %d remotes, %d ports; want 3 remotes and no port ranking", len(v.Remotes(3)), len(v.Ports()))
	}
}

func TestTakeOptions(t *testing.T) {
	v := takeLeak(t, Options{By: ByState, NoOwners: true})
	if v.Processes != nil || v.Census.CloseWaitInodes() != nil || v.Elapsed != 0 {
		t.Errorf("--no-owners: processes %v, %d inodes kept, elapsed %s without a clock", v.Processes, len(v.Census.CloseWaitInodes()), v.Elapsed)
	}
	v = takeLeak(t, Options{By: ByState, State: audit.CloseWait})
	if v.Count() != 231 || v.Census.Total() != 231 {
		t.Errorf("state CLOSE_WAIT: count %d, total %d; want 231", v.Count(), v.Census.Total())
	}
	v = takeLeak(t, Options{By: ByProcess})
	if v.Processes == nil || v.Processes.Processes[0].States[audit.CloseWait] != 150 {
		t.Fatalf("by process: %+v", v.Processes)
	}
	v = takeLeak(t, Options{By: ByPort})
	sum := 0
	for _, p := range v.Ports() {
		sum += p.Sockets
	}
	if sum != 415-7 || len(v.Remotes(3)) != 0 {
		t.Errorf("by port: %d sockets on ports, want the 408 that are not listeners; %d remotes", sum, len(v.Remotes(3)))
	}
}

func TestTakeMissingRoot(t *testing.T) {
	_, err := Take(context.Background(), filepath.Join(leak, "missing"), Options{By: ByState, Source: audit.CensusProc})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing proc root: %v, want a not-exist error", err)
	}
}

// TestUnattributedNote: "run as root" only when not root.
func TestUnattributedNote(t *testing.T) {
	user := unattributedNote(audit.ProcessCensus{Unattributed: 3, Unreadable: 2}, "/proc")
	root := unattributedNote(audit.ProcessCensus{Unattributed: 3, Unreadable: 2, Root: true}, "/proc")
	if !strings.Contains(user, "(run as root)") || strings.Contains(root, "run as root") || !strings.Contains(root, "even as root") {
		t.Errorf("notes: not root %q, root %q", user, root)
	}
	one := unattributedNote(audit.ProcessCensus{Unattributed: 1, Unreadable: 1}, "/proc")
	if !strings.HasPrefix(one, "1 socket not attributed to a process: 1 process could not") {
		t.Errorf("note for one socket and one process: %q", one)
	}
}
