package sysctlconf

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// errDevNull marks a path that resolves to /dev/null: a mask.
var errDevNull = errors.New("resolves to /dev/null")

// maxHops bounds symlink resolution, as the kernel's ELOOP does.
const maxHops = 40

// resolveIn follows p (absolute, as seen from root) as if root were "/":
// absolute symlink targets restart at root and ".." stops at root, so the
// result never leaves root. It returns the host path and the path as seen
// from root.
func resolveIn(root, p string) (host, logical string, err error) {
	var stack []string
	pending := split(p)
	for hops := 0; len(pending) > 0; {
		c := pending[0]
		pending = pending[1:]
		switch c {
		case ".":
			continue
		case "..":
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		next := append(append([]string(nil), stack...), c)
		if strings.Join(append(next, pending...), "/") == "dev/null" {
			return "", "/dev/null", errDevNull
		}
		h := filepath.Join(append([]string{root}, next...)...)
		fi, err := os.Lstat(h)
		if err != nil {
			return h, "/" + strings.Join(append(next, pending...), "/"), err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			stack = next
			continue
		}
		if hops++; hops > maxHops {
			return h, "/" + strings.Join(next, "/"), &fs.PathError{Op: "open", Path: p, Err: syscall.ELOOP}
		}
		target, err := os.Readlink(h)
		if err != nil {
			return h, "/" + strings.Join(next, "/"), err
		}
		if filepath.IsAbs(target) {
			stack = nil
		}
		pending = append(split(target), pending...)
	}
	return filepath.Join(append([]string{root}, stack...)...), "/" + strings.Join(stack, "/"), nil
}

func split(p string) []string {
	var out []string
	for _, c := range strings.Split(p, "/") {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}
