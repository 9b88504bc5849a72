package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/golden"
	"github.com/tcpaudit/tcpaudit/sockets"
)

// socketsView takes the socket view of a fixture host with a clock that
// advances by a millisecond at each reading, three rows per ranking.
func socketsView(t *testing.T, host string, by sockets.By, samples int) *sockets.View {
	t.Helper()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	o := sockets.Options{Source: audit.CensusProc, By: by, Top: 3, Samples: samples, Interval: time.Millisecond,
		Now: func() time.Time { now = now.Add(time.Millisecond); return now }}
	v, err := sockets.Take(context.Background(), filepath.Join("..", "testdata", "hosts", host), o)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestSocketsGolden pins both socket formats for every grouping, and a
// sampled view; refresh with -update.
func TestSocketsGolden(t *testing.T) {
	type view struct {
		host    string
		by      sockets.By
		samples int
	}
	var views []view
	for _, by := range []sockets.By{sockets.ByState, sockets.ByPort, sockets.ByRemote, sockets.ByProcess} {
		views = append(views, view{"close-wait-leak", by, 1})
	}
	views = append(views, view{"port-exhaustion", sockets.ByState, 2})
	for _, c := range views {
		v := socketsView(t, c.host, c.by, c.samples)
		name := fmt.Sprintf("sockets-%s-%d", c.by, c.samples)
		t.Run(c.host+"/"+name, func(t *testing.T) {
			var text, doc bytes.Buffer
			if err := (SocketsText{}).Write(&text, v); err != nil {
				t.Fatal(err)
			}
			if err := (SocketsJSON{}).Write(&doc, v); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join("testdata", "golden", c.host)
			golden.Compare(t, filepath.Join(dir, name+".txt"), text.Bytes(), *update, golden.Text)
			golden.Compare(t, filepath.Join(dir, name+".json"), doc.Bytes(), *update, golden.JSON)
		})
	}
}

// TestSocketsTextColor: colour is the reporter's field alone.
func TestSocketsTextColor(t *testing.T) {
	v := socketsView(t, "close-wait-leak", sockets.ByState, 1)
	for _, colored := range []bool{false, true} {
		var b bytes.Buffer
		if err := (SocketsText{Color: colored}).Write(&b, v); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(b.String(), "\x1b[36m█"); got != colored {
			t.Errorf("Color %v: coloured bars %v", colored, got)
		}
	}
}

// TestSocketsTextAttributionFailed: when the owners were asked for and
// could not be read, the text says so and never blames --no-owners, which
// was not given. The BPF iterator asked for by name on a fixture proc
// root, which it cannot see, is an error of its own (exit 2); the view of
// a failure is made from the fixture's by the other method.
func TestSocketsTextAttributionFailed(t *testing.T) {
	root := filepath.Join("..", "testdata", "hosts", "close-wait-leak")
	o := sockets.Options{Source: audit.CensusProc, By: sockets.ByState, Top: 3, Attribution: audit.AttributionBPF, Now: time.Now}
	if _, err := sockets.Take(context.Background(), root, o); !errors.Is(err, audit.ErrNoIterator) || !strings.Contains(err.Error(), "attribution bpf: ") {
		t.Errorf("--attribution bpf on a fixture proc root: %v, want the iterator's error", err)
	}
	o.Attribution = audit.AttributionFDScan
	v, err := sockets.Take(context.Background(), root, o)
	if err != nil {
		t.Fatal(err)
	}
	v.Processes, v.AttributionFailed = nil, true
	var b bytes.Buffer
	if err := (SocketsText{}).Write(&b, v); err != nil {
		t.Fatal(err)
	}
	if !v.AttributionFailed || !strings.Contains(b.String(), "owners not attributed: process attribution failed") || strings.Contains(b.String(), "--no-owners") {
		t.Errorf("attribution failed %v; text:\n%s", v.AttributionFailed, b.String())
	}
}

// TestSocketsTextNoHolder: an attribution that found no process holding
// the CLOSE_WAIT sockets (an unprivileged run) says so instead of printing
// the process table's header alone.
func TestSocketsTextNoHolder(t *testing.T) {
	v := socketsView(t, "close-wait-leak", sockets.ByState, 1)
	if v.Processes == nil || len(v.Processes.Processes) == 0 {
		t.Fatalf("the fixture's attribution found no process: %+v", v.Processes)
	}
	v.Processes = &audit.ProcessCensus{Unattributed: v.Census.Count(audit.CloseWait)}
	var b bytes.Buffer
	if err := (SocketsText{}).Write(&b, v); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); strings.Contains(out, "PID\tCOMMAND") || strings.Contains(out, "PID  COMMAND") || !strings.Contains(out, "No process found holding these sockets") {
		t.Errorf("text:\n%s", out)
	}
}

// TestSocketsProcessesPastTop: the processes past --top are counted, in
// the text and in the JSON, not silently left out.
func TestSocketsProcessesPastTop(t *testing.T) {
	v := socketsView(t, "close-wait-leak", sockets.ByState, 1)
	if v.Processes == nil || len(v.Processes.Processes) < 2 {
		t.Fatalf("the fixture's attribution found %+v, want two processes or more", v.Processes)
	}
	v.Top = 1
	left := len(v.Processes.Processes) - 1
	var text, doc bytes.Buffer
	if err := (SocketsText{}).Write(&text, v); err != nil {
		t.Fatal(err)
	}
	if err := (SocketsJSON{}).Write(&doc, v); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("(and %d more processes: --top %d lists them)", left, left+1); !strings.Contains(text.String(), want) {
		t.Errorf("text without %q:\n%s", want, text.String())
	}
	if want := fmt.Sprintf(`"processes_not_listed": %d`, left); !strings.Contains(doc.String(), want) {
		t.Errorf("JSON without %q:\n%s", want, doc.String())
	}
}
