//go:build unix

package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/config"
)

// nobody is the user that owns what the tests plant.
const nobody = 65534

// TestFindTrustsPath: ./.tcpaudit.yaml is refused when the directory it
// sits in, a directory on a symlink's way or the directory of its target
// is owned by another user or writable by others without the sticky bit;
// the error names the check and the directory. A sticky world-writable
// directory owned by root (as /tmp) passes.
func TestFindTrustsPath(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("giving a directory to another user needs root")
	}
	cases := []struct {
		name string
		// plant sets up base (the working directory is base/cwd, made
		// 0755) and returns the directory the error must name, "" for none.
		plant func(t *testing.T, base string) string
		want  string
	}{
		{"link in a 0777 directory of nobody's to a root file", func(t *testing.T, base string) string {
			file := mkfile(t, base, "safe/c.yaml")
			link(t, file, base+"/cwd/.tcpaudit.yaml")
			setDir(t, base+"/cwd", nobody, 0o777)
			return base + "/cwd"
		}, "owned by uid 65534"},
		{"file in a 0777 directory", func(t *testing.T, base string) string {
			mkfile(t, base, "cwd/.tcpaudit.yaml")
			setDir(t, base+"/cwd", 0, 0o777)
			return base + "/cwd"
		}, "writable by its group or by others without the sticky bit (mode 0777)"},
		{"file in a group-writable directory", func(t *testing.T, base string) string {
			mkfile(t, base, "cwd/.tcpaudit.yaml")
			setDir(t, base+"/cwd", 0, 0o775)
			return base + "/cwd"
		}, "without the sticky bit (mode 0775)"},
		{"link to a file in a 0777 directory", func(t *testing.T, base string) string {
			file := mkfile(t, base, "pub/c.yaml")
			link(t, file, base+"/cwd/.tcpaudit.yaml")
			setDir(t, base+"/pub", 0, 0o777)
			return base + "/pub"
		}, "without the sticky bit"},
		{"link through a link in nobody's directory", func(t *testing.T, base string) string {
			file := mkfile(t, base, "safe/c.yaml")
			link(t, file, base+"/hop/c.yaml")
			link(t, "../hop/c.yaml", base+"/cwd/.tcpaudit.yaml")
			setDir(t, base+"/hop", nobody, 0o755)
			return base + "/hop"
		}, "owned by uid 65534"},
		{"link to a file of nobody's", func(t *testing.T, base string) string {
			file := mkfile(t, base, "safe/c.yaml")
			if err := os.Chown(file, nobody, nobody); err != nil {
				t.Fatal(err)
			}
			link(t, file, base+"/cwd/.tcpaudit.yaml")
			return file
		}, "owned by uid 65534"},
		{"file in a sticky 1777 directory", func(t *testing.T, base string) string {
			mkfile(t, base, "cwd/.tcpaudit.yaml")
			setDir(t, base+"/cwd", 0, 0o1777)
			return ""
		}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := t.TempDir()
			if err := os.MkdirAll(base+"/cwd", 0o755); err != nil {
				t.Fatal(err)
			}
			dir := c.plant(t, base)
			t.Chdir(base + "/cwd")
			t.Setenv("XDG_CONFIG_HOME", filepath.Join(base, "xdg"))
			path, err := config.Find("")
			switch {
			case dir == "" && (err != nil || path != ".tcpaudit.yaml"):
				t.Errorf("Find = %q, %v; want .tcpaudit.yaml", path, err)
			case dir != "" && (err == nil || !strings.Contains(err.Error(), "refused: ") || !strings.Contains(err.Error(), dir+" ") || !strings.Contains(err.Error(), c.want)):
				t.Errorf("Find = %q, %v; want a refusal naming %s: %s", path, err, dir, c.want)
			}
		})
	}
}

// mkfile writes a root-owned 0644 configuration file at base/rel.
func mkfile(t *testing.T, base, rel string) string {
	t.Helper()
	p := filepath.Join(base, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("fail-on: never\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func link(t *testing.T, target, name string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
}

// setDir gives dir an owner and a mode (chmod after chown, which clears
// nothing on a directory).
func setDir(t *testing.T, dir string, uid int, mode os.FileMode) {
	t.Helper()
	if err := os.Chown(dir, uid, uid); err != nil {
		t.Fatal(err)
	}
	perm := mode.Perm()
	if mode&0o1000 != 0 {
		perm |= os.ModeSticky
	}
	if err := os.Chmod(dir, perm); err != nil {
		t.Fatal(err)
	}
}
