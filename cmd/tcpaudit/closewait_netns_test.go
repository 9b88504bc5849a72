package main

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/internal/sockgen"
)

// TestCloseWaitAge: CLOSE_WAIT sockets left for 2 s show, from one run,
// an idle age of at least 2 s from tcp_info (stuck_after 1 s makes them
// stuck, and the title says so), and are listed with this process, their
// addresses and their age; sampled, the sockets present in every sample
// are listed the same way.
func TestCloseWaitAge(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	g, err := sockgen.New([]uint16{1000}, []netip.Addr{netip.MustParseAddr("127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.Make(sockgen.Plan{CloseWait: 3}); err != nil {
		t.Fatal(err)
	}
	const waited = 2 * time.Second
	time.Sleep(waited)
	prof := filepath.Join(t.TempDir(), "cw.yaml")
	if err := os.WriteFile(prof, []byte("name: cw\nextends: baseline\nrules:\n  close-wait-accumulation:\n    params: {warning: 1, stuck_after: 1}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{nil, {"--samples", "2", "--interval", "100ms"}} {
		code, rep := checkJSON(t, append([]string{"--profile-file", prof, "--profile", "cw", "--source", "netlink"}, args...)...)
		f := rep.findings("close-wait-accumulation")
		if code != exitFindings || len(f) != 1 {
			t.Fatalf("%v: exit %d, findings %+v", args, code, f)
		}
		ev := f[0].Evidence
		if ev["stuck"] != 3 || ev["oldest_idle_s"] < waited.Seconds() || ev["median_idle_s"] < waited.Seconds() || f[0].Title != "3 of 3 sockets in CLOSE_WAIT are stuck: the application does not close them" {
			t.Errorf("%v: title %q, evidence %v: want 3 stuck, idle for at least %s", args, f[0].Title, ev, waited)
		}
		// No data was sent: the receive queue holds only each peer's FIN.
		if ev["recv_q_bytes"] != 0 || ev["eof_unread"] != 3 {
			t.Errorf("%v: evidence %v: want 0 unread data bytes and 3 sockets with the FIN unread", args, ev)
		}
		n := 0
		for _, s := range f[0].Subjects {
			if s.AgeS == 0 {
				continue
			}
			n++
			if s.PID != os.Getpid() || s.AgeS < waited.Seconds() || s.State != "CLOSE_WAIT" || s.Local == "" || s.Remote == "" {
				t.Errorf("%v: subject %+v: want pid %d, addresses and an age of at least %s", args, s, os.Getpid(), waited)
			}
		}
		if n != 3 {
			t.Errorf("%v: subjects %+v: want the 3 stuck sockets", args, f[0].Subjects)
		}
	}
}
