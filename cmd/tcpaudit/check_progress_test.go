package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSamplingProgressOnTerminalOnly samples a fixture host three times:
// with stderr on a terminal, progress ("sampling 3/3") is written there;
// with stderr not a terminal, nothing is, and stdout holds the report alone
// either way.
func TestSamplingProgressOnTerminalOnly(t *testing.T) {
	root := filepath.Join(hostsDir, "healthy")
	for _, cmd := range []string{"check", "sockets"} {
		args := []string{cmd, "--proc-root", root, "--samples", "3", "--interval", "1ms", "--no-color"}
		if cmd == "sockets" {
			args = args[:len(args)-1]
		}
		ptmx, pts := openPTY(t)
		var out bytes.Buffer
		if code := run(context.Background(), args, &out, pts); code != exitOK {
			t.Fatalf("%s on a terminal: exit %d", cmd, code)
		}
		if err := ptmx.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
			t.Fatal(err)
		}
		var got []byte
		buf := make([]byte, 4096)
		for !bytes.Contains(got, []byte("sampling 3/3")) {
			n, err := ptmx.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				break // the deadline: what arrived is checked below
			}
		}
		if !bytes.Contains(got, []byte("sampling 3/3")) {
			t.Errorf("%s: terminal got %q, want progress up to sampling 3/3", cmd, got)
		}
		if strings.Contains(out.String(), "sampling") {
			t.Errorf("%s: progress on stdout:\n%s", cmd, out.String())
		}
		var errb bytes.Buffer
		out.Reset()
		if code := run(context.Background(), args, &out, &errb); code != exitOK || errb.Len() != 0 {
			t.Errorf("%s not on a terminal: exit %d, stderr %q; want 0 and nothing", cmd, code, errb.String())
		}
	}
}
