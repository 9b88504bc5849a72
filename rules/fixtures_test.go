package rules_test

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/rules"
)

// TestFixturesMatchGenerator regenerates the fixture trees and compares
// them with the committed ones, so fixtures change only through
// testdata/hosts/gen.
func TestFixturesMatchGenerator(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the fixture generator; skipped with -short")
	}
	out := t.TempDir()
	cmd := exec.Command("go", "run", "./testdata/hosts/gen", "-root", out)
	cmd.Dir = ".."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./testdata/hosts/gen: %v\n%s", err, b)
	}
	// Git keeps no read-only bit, so the generator's output is where the
	// container's read-only global keys are checked (docs/kernel-facts.md §12).
	for _, name := range []string{"rmem_max", "wmem_max", "rmem_default", "wmem_default"} {
		st, err := os.Stat(filepath.Join(out, "hosts", "container", "sys", "net", "core", name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o222 != 0 {
			t.Errorf("generated container net.core.%s has mode %v, want no write bits", name, st.Mode().Perm())
		}
	}
	for _, dir := range []string{"hosts", "malformed"} {
		want := snapshotTree(t, filepath.Join(out, dir))
		got := snapshotTree(t, filepath.Join("../testdata", dir))
		delete(got, "gen")
		for name := range got {
			if strings.HasPrefix(name, "gen/") {
				delete(got, name)
			}
		}
		for name, w := range want {
			if g, ok := got[name]; !ok {
				t.Errorf("testdata/%s/%s is missing: run go run ./testdata/hosts/gen", dir, name)
			} else if g != w {
				t.Errorf("testdata/%s/%s differs from the generator's output: run go run ./testdata/hosts/gen", dir, name)
			}
		}
		for name := range got {
			if _, ok := want[name]; !ok {
				t.Errorf("testdata/%s/%s is not generated: add it to testdata/hosts/gen or delete it", dir, name)
			}
		}
	}
}

// snapshotTree maps each file under root to its content, and each symlink
// to its target.
func snapshotTree(t *testing.T, root string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(p)
			m[filepath.ToSlash(rel)] = "symlink:" + target
			return err
		}
		b, err := os.ReadFile(p)
		m[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestFixtureFormat holds every fixture's net/tcp and net/tcp6 to the
// kernel's format (docs/kernel-facts.md §1-§3, §11): the header, IPv4 lines padded
// to 149 characters, sl counting from 0, listeners first, timewait
// minisocks with tr 3 and inode 0, request socks printed as 03 with inode
// 0, never 0C; and sockstat's tw and inuse agree with the lines.
func TestFixtureFormat(t *testing.T) {
	hosts, err := os.ReadDir(hostsDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hosts {
		if !h.IsDir() || h.Name() == "gen" {
			continue
		}
		t.Run(h.Name(), func(t *testing.T) {
			tw, inuse := 0, map[string]int{}
			for _, file := range []string{"tcp", "tcp6"} {
				b, err := os.ReadFile(filepath.Join(hostsDir, h.Name(), "net", file))
				if err != nil {
					continue
				}
				n, full := checkTCPFormat(t, file, string(b))
				tw += n
				inuse[file] = full
			}
			ss := map[string]int{}
			for _, name := range []string{"sockstat", "sockstat6"} {
				b, err := os.ReadFile(filepath.Join(hostsDir, h.Name(), "net", name))
				if err != nil {
					t.Fatal(err)
				}
				for _, line := range strings.Split(string(b), "\n") {
					f := strings.Fields(line)
					for i := 1; i+1 < len(f); i += 2 {
						var v int
						fmt.Sscan(f[i+1], &v)
						ss[f[0]+f[i]] = v
					}
				}
			}
			if ss["TCP:tw"] != tw || ss["TCP:inuse"] != inuse["tcp"] || ss["TCP6:inuse"] != inuse["tcp6"] {
				t.Errorf("sockstat tw %d, inuse %d, TCP6 inuse %d; the socket lines say %d, %d, %d",
					ss["TCP:tw"], ss["TCP:inuse"], ss["TCP6:inuse"], tw, inuse["tcp"], inuse["tcp6"])
			}
		})
	}
}

const (
	tcpHeader  = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
	tcp6Header = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
)

// checkTCPFormat checks one file and returns its timewait minisocks and its
// full sockets (what sockstat counts as tw and inuse).
func checkTCPFormat(t *testing.T, file, content string) (tw, full int) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(content, "\n"), "\n")
	header := tcp6Header
	if file == "tcp" {
		header = tcpHeader + strings.Repeat(" ", 149-len(tcpHeader))
	}
	if lines[0] != header {
		t.Errorf("%s: header %q", file, lines[0])
	}
	listening := true
	for i, line := range lines[1:] {
		f := strings.Fields(line)
		at := fmt.Sprintf("%s:%d", file, i+2)
		if (file == "tcp" && len(line) != 149) || (file == "tcp6" && strings.HasSuffix(line, " ")) {
			t.Errorf("%s: width %d", at, len(line))
		}
		if f[0] != fmt.Sprintf("%d:", i) {
			t.Errorf("%s: sl %s, want %d:", at, f[0], i)
		}
		st, tr, inode := f[3], f[5][:2], f[9]
		if st != "0A" {
			listening = false
		} else if !listening {
			t.Errorf("%s: a listener after other sockets", at)
		}
		switch {
		case st == "0C":
			t.Errorf("%s: st 0C is never printed", at)
		case tr == "03":
			tw++
			if (st != "06" && st != "05") || inode != "0" {
				t.Errorf("%s: a timewait minisock must be 06 or 05 with inode 0", at)
			}
		case st == "06":
			t.Errorf("%s: TIME_WAIT with tr %s, want 03", at, tr)
		case st == "03" && inode == "0":
			if tr != "01" || f[10] != "0" {
				t.Errorf("%s: a request sock has tr 01 and refcount 0", at)
			}
		default:
			full++
		}
	}
	return tw, full
}

// TestFixtureKeys: the healthy host has every sysctl the rules read (but
// tcp_tw_recycle, gone since 4.12), so no rule is skipped for want of a
// fixture file; the container host lacks exactly the global keys but those
// a current kernel shows read-only in a child namespace, and its facts show
// a child namespace.
func TestFixtureKeys(t *testing.T) {
	const removed = "net.ipv4.tcp_tw_recycle"
	healthy, container := gather(t, "healthy"), gather(t, "container")
	for _, k := range rules.NewEngine().Keys() {
		if k == removed {
			continue
		}
		if _, ok := healthy.Sysctls[k]; !ok {
			t.Errorf("testdata/hosts/healthy lacks %s: add it to testdata/hosts/gen/sysctl.go", k)
		}
		absent := rules.IsGlobalKey(k) && !rules.ReadOnlyInChild(k)
		if _, ok := container.Sysctls[k]; ok == absent {
			t.Errorf("container: %s present %v, but global %v, read-only in child namespaces %v (docs/kernel-facts.md §12)",
				k, ok, rules.IsGlobalKey(k), rules.ReadOnlyInChild(k))
		}
	}
	if !rules.ChildNamespace(container) || rules.ChildNamespace(healthy) {
		t.Errorf("ChildNamespace: container %v, healthy %v; want true, false", rules.ChildNamespace(container), rules.ChildNamespace(healthy))
	}
	if _, ok := gather(t, "old-kernel-tw-recycle").Sysctls[removed]; !ok {
		t.Errorf("old-kernel-tw-recycle lacks %s", removed)
	}
}
