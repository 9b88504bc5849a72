package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestCheckNetnsNoSockets audits a namespace made by the test that holds
// no TCP socket: its table is not dumped (a walk of every namespace's
// sockets spared), and both the text and the JSON report say so, with a
// census of 0 sockets in its entry.
func TestCheckNetnsNoSockets(t *testing.T) {
	netnsPrereqs(t)
	ns := nstest.New(t)
	code, out, errOut := runCLI(t, "check", "--netns", ns, "--format", "json", "--fail-on", "never")
	if code != exitOK {
		t.Fatalf("check --netns %s --format json: exit %d\n%s", ns, code, errOut)
	}
	var rep struct {
		Notes      []string `json:"notes"`
		Namespaces []struct {
			ID      string `json:"id"`
			Skipped string `json:"skipped"`
			Sockets *struct {
				Total int `json:"total"`
			} `json:"sockets"`
		} `json:"namespaces"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	if !noted(rep.Notes) {
		t.Errorf("JSON notes %q: want %q", rep.Notes, audit.NoSocketsNote)
	}
	if len(rep.Namespaces) != 1 || rep.Namespaces[0].Skipped != "" || rep.Namespaces[0].Sockets == nil || rep.Namespaces[0].Sockets.Total != 0 {
		t.Errorf("JSON namespaces %+v: want one entry, audited, with a census of 0 sockets", rep.Namespaces)
	}
	code, out, errOut = runCLI(t, "check", "--netns", ns, "--fail-on", "never", "--no-color")
	if code != exitOK || !strings.Contains(strings.Join(strings.Fields(out), " "), audit.NoSocketsNote) { // the text wraps
		t.Errorf("check --netns %s: exit %d, want 0 and the note %q in the text:\n%s%s", ns, code, audit.NoSocketsNote, out, errOut)
	}
}

// noted reports whether one of notes is the no-socket note (alone, or
// after the namespaces it is about).
func noted(notes []string) bool {
	for _, n := range notes {
		if strings.HasSuffix(n, audit.NoSocketsNote) {
			return true
		}
	}
	return false
}
