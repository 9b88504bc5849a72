//go:build linux && !tcpaudit_portable

package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/input"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestProcFilesLive reads sysctls of a namespace made by the test through
// procFiles, relative to their directories with one read, and compares
// them with sysctl(8): a value longer than one read (a reserved-port list
// of about 1,500 bytes) is read whole, a value asked for twice is read
// once, a missing key and a directory fail as os.Open and input say.
func TestProcFilesLive(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	var ports []string
	for p := 40001; len(strings.Join(ports, ",")) <= 2*readAtMax; p += 2 {
		ports = append(ports, fmt.Sprint(p))
	}
	long := strings.Join(ports, ",")
	if out, err := exec.Command("sysctl", "-qw", "net.ipv4.ip_local_reserved_ports="+long).CombinedOutput(); err != nil {
		t.Skipf("sysctl -w: %v: %s", err, out)
	}
	p := newProcFiles("/proc")
	defer p.close()
	for _, key := range []string{"net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_fin_timeout", "net.core.somaxconn", "net.ipv4.conf.lo.rp_filter"} {
		out, err := exec.Command("sysctl", "-n", key).Output()
		if err != nil {
			t.Fatalf("sysctl -n %s: %v", key, err)
		}
		for range 2 {
			b, err := p.readSmall(sysctlPath("/proc", key))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := strings.TrimSpace(string(b)), strings.TrimSpace(string(out)); got != want {
				t.Errorf("%s: read %q, sysctl -n says %q", key, got, want)
			}
		}
	}
	if got := len(p.read); got != 4 {
		t.Errorf("%d files kept, want 4 (each read once)", got)
	}
	missing := sysctlPath("/proc", "net.ipv4.tcp_no_such_key")
	_, err := p.readSmall(missing)
	var pe *fs.PathError
	if !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &pe) || pe.Path != missing {
		t.Errorf("missing key: %v, want a *fs.PathError naming %s and wrapping fs.ErrNotExist", err, missing)
	}
	if _, err := p.readSmall("/proc/sys/net/ipv4/conf"); !errors.Is(err, input.ErrNotRegular) {
		t.Errorf("a directory: %v, want input.ErrNotRegular", err)
	}
	if _, err := os.Stat("/proc/sys/net/ipv4/conf"); err != nil {
		t.Fatal(err)
	}
}
