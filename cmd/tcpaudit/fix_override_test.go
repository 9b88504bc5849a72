package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFixWriteNamesEachOverrider: when several files that sort after the
// --write name set keys of the fix, the warning names the winning line of
// each key (file:line), in reading order, the first four and how many
// more, not only the last file.
func TestFixWriteNamesEachOverrider(t *testing.T) {
	root := emptyRoot(t)
	dir := filepath.Join(root, "etc", "sysctl.d")
	files := map[string]string{ // every key the fix of fixHost sets, each won by another file
		"60-a.conf": "net.core.somaxconn = 128\n",
		"70-b.conf": "# tuning\nnet.ipv4.tcp_fin_timeout = 30\n",
		"75-c.conf": "net.ipv4.tcp_syncookies = 0\n",
		"80-d.conf": "net.ipv4.tcp_timestamps = 0\nnet.ipv4.ip_local_reserved_ports = 50500\n",
		"85-e.conf": "net.ipv4.ip_local_port_range = 40000 40999\n",
		"90-f.conf": "net.ipv4.tcp_fin_timeout = 20\n", // wins over 70-b.conf
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, _, stderr := runCLI(t, "fix", "--proc-root", fixHost, "--root", root, "--write", filepath.Join(dir, "50-mine.conf"))
	want := []string{
		"50-mine.conf sorts before files that set 6 of these keys and win at boot: ",
		"net.core.somaxconn (/etc/sysctl.d/60-a.conf:1), net.ipv4.tcp_syncookies (/etc/sysctl.d/75-c.conf:1), " +
			"net.ipv4.tcp_timestamps (/etc/sysctl.d/80-d.conf:1), net.ipv4.ip_local_reserved_ports (/etc/sysctl.d/80-d.conf:2), " +
			"and 2 more; name it ",
	}
	for _, w := range want {
		if code != exitOK || !strings.Contains(stderr, w) {
			t.Errorf("exit %d; stderr lacks %q:\n%s", code, w, stderr)
		}
	}
	if strings.Contains(stderr, "70-b.conf") {
		t.Errorf("70-b.conf is named, but 90-f.conf wins over it:\n%s", stderr)
	}
}
