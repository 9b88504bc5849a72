package sysctlconf

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/tcpaudit/tcpaudit/internal/input"
)

// Dirs are the sysctl.d directories systemd-sysctl reads, highest priority
// first.
var Dirs = []string{"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d"}

// LegacyFile is /etc/sysctl.conf, which systemd-sysctl reads only through a
// sysctl.d link to it (Debian and Fedora ship 99-sysctl.conf).
const LegacyFile = "/etc/sysctl.conf"

// Source is one configuration file in the order systemd-sysctl reads it.
type Source struct {
	// Path is the file as seen from the root, symlinks not resolved.
	Path string
	// Target is where Path leads inside the root when it is a symlink.
	Target string
	// Masked is set when the file contributes nothing: a link to /dev/null,
	// a dangling link, an empty or comment-only file.
	Masked bool
	// Shadows lists same-named files in lower-priority directories that this
	// one replaces entirely.
	Shadows []string
}

// Config is a resolved configuration tree.
type Config struct {
	Root  string
	Files []Source
	// Entries are the effective assignments (globs included) in the order
	// systemd-sysctl applies them.
	Entries []Entry
	// Excluded are the effective exclusions.
	Excluded []Entry
	// Lines are every assignment and exclusion read, in reading order.
	Lines       []Entry
	Diagnostics []Diagnostic
	// procps is set by ResolveProcps.
	procps *Procps
	// globExcludes are the glob exclusions procps 4.0.5 honours.
	globExcludes []Entry
}

// Resolve reads the sysctl.d tree under root as systemd-sysctl would: the
// four directories, same-name shadowing, masks, byte-wise order by file name
// across directories, and /etc/sysctl.conf only through a link to it.
func Resolve(root string) (*Config, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("sysctl root: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("sysctl root %s: not a directory", root)
	}
	c := &Config{Root: root}
	c.Files = c.list()
	m := newMerger()
	for i := range c.Files {
		c.read(&c.Files[i], m)
	}
	c.finish(m)
	c.checkLegacy()
	c.checkProcps()
	return c, nil
}

// list returns the files to read, sorted by name.
func (c *Config) list() []Source {
	byName := map[string]*Source{}
	dirs := Dirs
	if c.procps != nil {
		dirs = ProcpsDirs
	}
	for _, dir := range dirs {
		for _, name := range c.confNames(dir) {
			p := dir + "/" + name
			if s, ok := byName[name]; ok {
				s.Shadows = append(s.Shadows, p)
				continue
			}
			byName[name] = &Source{Path: p}
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]Source, 0, len(names))
	for _, n := range names {
		out = append(out, *byName[n])
	}
	return out
}

// confNames returns the *.conf names systemd-sysctl takes from one
// directory: like systemd, a directory named *.conf is listed (and fails
// to read); hidden names are skipped.
func (c *Config) confNames(dir string) []string {
	host, _, err := resolveIn(c.Root, dir)
	if err != nil {
		return nil
	}
	des, err := os.ReadDir(host)
	if err != nil {
		c.diag(dir, SeverityError, fmt.Sprintf("cannot list directory: %v", err))
		return nil
	}
	var out []string
	for _, de := range des {
		name := de.Name()
		switch {
		case !strings.HasSuffix(name, ".conf"):
		case strings.HasPrefix(name, ".") && c.procps == nil:
			c.Diagnostics = append(c.Diagnostics, Diagnostic{File: dir + "/" + name, Severity: SeverityWarning, Code: CodeDifference,
				Message: "hidden file: systemd-sysctl skips it, procps sysctl --system reads it"})
		default:
			out = append(out, name)
		}
	}
	return out
}

// read parses one source into the merger.
func (c *Config) read(s *Source, m *merger) {
	f, err := c.open(s)
	if err != nil || f == nil {
		s.Masked = true
		return
	}
	c.Diagnostics = append(c.Diagnostics, f.Diagnostics...)
	s.Masked = len(f.Entries) == 0
	for _, e := range f.Entries {
		c.Lines = append(c.Lines, e)
		c.addDiag(m.add(e))
	}
}

// open resolves and parses a source; nil without error for a mask.
func (c *Config) open(s *Source) (*File, error) {
	host, logical, err := resolveIn(c.Root, s.Path)
	if logical != s.Path {
		s.Target = logical
	}
	switch {
	case errors.Is(err, errDevNull):
		return nil, nil
	case errors.Is(err, fs.ErrNotExist):
		c.diag(s.Path, SeverityInfo, fmt.Sprintf("dangling symlink to %s: it masks same-named files; procps prints \"cannot open\" and exits 1", logical))
		return nil, nil
	case err != nil:
		c.diag(s.Path, SeverityError, fmt.Sprintf("cannot open: %v", cause(err)))
		return nil, err
	}
	fh, err := input.Open(host)
	if err != nil {
		c.diag(s.Path, SeverityError, fmt.Sprintf("cannot open: %v", cause(err)))
		return nil, err
	}
	defer fh.Close()
	f, err := Parse(input.Limit(fh, "", MaxFile), s.Path)
	if err != nil {
		c.diag(s.Path, SeverityError, fmt.Sprintf("cannot read: %v", cause(err)))
	}
	return f, err
}

// cause drops the host path from a file error: diagnostics name the file
// as seen from the root.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (c *Config) diag(file string, s Severity, msg string) {
	code := CodeSyntax
	if s != SeverityError {
		code = CodeDifference
	}
	c.Diagnostics = append(c.Diagnostics, Diagnostic{File: file, Severity: s, Code: code, Message: msg})
}

func (c *Config) addDiag(d *Diagnostic) {
	if d != nil {
		c.Diagnostics = append(c.Diagnostics, *d)
	}
}

// Unreadable returns an error naming the files and directories of the tree
// that could not be read (a symlink loop, a FIFO, no permission), or nil:
// with any, the effective configuration may be incomplete.
func (c *Config) Unreadable() error {
	var bad []string
	for _, d := range c.Diagnostics {
		if d.Severity == SeverityError && d.Line == 0 {
			bad = append(bad, d.Error())
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("the configuration shown may be incomplete: %s", strings.Join(bad, "; "))
}
