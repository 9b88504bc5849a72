package sysctlconf

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// MaxGlobMatches bounds the keys one glob expands to: a host has a few
// thousand sysctls per interface family, a hostile proc root could have any
// number.
const MaxGlobMatches = 1 << 16

// Expand returns, in canonical form and sorted, the keys under sysDir (a
// proc root's sys directory) that the glob pattern matches: the regular
// files it names, as systemd-sysctl expands a glob when it applies it
// (docs/sysctl-d-format.md §7: glob(3) under /proc/sys, wildcards not
// crossing '/', a leading '.' matched only explicitly; a '..' component
// is refused, as systemd-sysctl refuses it). Whether an explicit
// entry or an exclusion overrides a match is Lookup's part.
func Expand(sysDir, pattern string) ([]string, error) {
	parts := strings.Split(Normalize(pattern), "/")
	if slices.Contains(parts, "..") {
		return nil, fmt.Errorf("expand %s: a '..' component leaves /proc/sys", pattern)
	}
	var out []string
	var walk func(dir string, i int) error
	walk = func(dir string, i int) error {
		if !IsGlob(parts[i]) {
			return visit(sysDir, dir, parts[i], i, len(parts), &out, walk)
		}
		des, err := os.ReadDir(filepath.Join(sysDir, dir))
		if err != nil {
			return nil // not a directory, or gone: nothing matches
		}
		for _, de := range des {
			if !matchComponent(parts[i], de.Name()) {
				continue
			}
			if err := visit(sysDir, dir, de.Name(), i, len(parts), &out, walk); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk("", 0); err != nil {
		return out, fmt.Errorf("expand %s: %w", pattern, err)
	}
	return out, nil
}

// visit descends into dir/name for component i+1, or records dir/name when
// it is the last component and a regular file.
func visit(sysDir, dir, name string, i, n int, out *[]string, walk func(string, int) error) error {
	p := path.Join(dir, name)
	if i+1 < n {
		return walk(p, i+1)
	}
	if st, err := os.Stat(filepath.Join(sysDir, p)); err != nil || !st.Mode().IsRegular() {
		return nil
	}
	if len(*out) >= MaxGlobMatches {
		return fmt.Errorf("more than %d matches", MaxGlobMatches)
	}
	*out = append(*out, swap(p))
	return nil
}

// matchComponent matches one path component as glob(3) does.
func matchComponent(pattern, name string) bool {
	if strings.HasPrefix(name, ".") && !strings.HasPrefix(pattern, ".") {
		return false
	}
	ok, err := path.Match(strings.ReplaceAll(pattern, "[!", "[^"), name)
	return err == nil && ok
}
