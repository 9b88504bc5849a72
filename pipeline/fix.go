package pipeline

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/containers"
	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

// Fix is the sysctl.d drop-in that fixes an audit's sysctl findings.
type Fix struct {
	// Changes are the keys to set, most severe finding first.
	Changes []sysctlconf.Change
	// Notes say what was left out and why.
	Notes []string
	// Name is the drop-in's file name, chosen to sort after every file
	// that sets the same keys.
	Name string
	// Header explains the drop-in: where it goes, why its name wins, how
	// to apply it, and the notes.
	Header []string
	// Configured are the changes the configuration already makes at boot
	// (the winning line, explicit or a glob, has the value): the diff
	// leaves them alone, the drop-in's own lines aside (it is rewritten
	// whole); applying the configuration is their fix.
	Configured []Setting
	// Guest says why the audited network namespace is not the host's, or
	// "". Then no sysctl.d drop-in is offered: it would change the host
	// at its next boot, not this namespace; InNamespace gives the fix.
	Guest    string
	where    containers.Where
	procRoot string
	conf     *sysctlconf.Config
	profile  string
}

// Setting is a change the configuration already makes, and the line that
// makes it.
type Setting struct {
	sysctlconf.Change
	Line sysctlconf.Entry
}

// PlanFix plans the drop-in for the unwaived findings of a against the
// sysctl.d tree conf. A key another finding already set, and keys this
// kernel or namespace lacks, become notes.
func PlanFix(a *Audit, conf *sysctlconf.Config) *Fix {
	if conf == nil {
		conf = &sysctlconf.Config{} // no tree: the drop-in stands alone
	}
	changes, notes := plan(a.Result, a.Facts)
	fx := &Fix{Changes: changes, Notes: notes, conf: conf, procRoot: a.Facts.ProcRoot, profile: a.Profile}
	fx.where, fx.Guest = guest(a.Facts)
	if len(changes) == 0 {
		return fx
	}
	return fx.Named(conf.DropInName(fx.keys()))
}

// Named returns the fix for a drop-in named name in /etc/sysctl.d (where
// --write puts it) instead of the name PlanFix chose: its header and what
// the configuration already makes are judged against that file.
func (fx *Fix) Named(name string) *Fix {
	g := *fx
	g.Name = name
	g.Header = g.header()
	g.Configured = g.configured()
	return &g
}

// DropIn renders the drop-in file.
func (fx *Fix) DropIn() string { return sysctlconf.RenderDropIn(fx.Header, fx.Changes) }

// Diff renders a unified diff against the tree that edits the winning
// line where it lives under /etc and adds the drop-in for the rest; the
// changes the configuration already makes get no hunk.
func (fx *Fix) Diff() (string, error) {
	dest := path.Join(sysctlconf.Dirs[0], fx.Name)
	pending := slices.DeleteFunc(slices.Clone(fx.Changes), func(c sysctlconf.Change) bool {
		return slices.ContainsFunc(fx.Configured, func(s Setting) bool { return s.Key == c.Key && s.Line.File != dest })
	})
	return fx.conf.Patch(pending, fx.Name, fx.Header)
}

// Apply returns the commands that set every key of the fix now (the
// configuration takes effect only at boot): one `sysctl -w` per key, so
// that keys edited in other files are applied too, and nothing else.
func (fx *Fix) Apply() []string { return sysctlconf.ApplyCommands(fx.Changes) }

// configured returns the changes whose winning line at boot already has
// the value.
func (fx *Fix) configured() []Setting {
	var out []Setting
	for _, c := range fx.Changes {
		if w, ok := fx.conf.Lookup(c.Key); ok && rules.SameSysctlValue(c.Key, w.Value, c.Value) {
			out = append(out, Setting{Change: c, Line: w})
		}
	}
	return out
}

// Shadowed returns the file that sets some of the keys and sorts at or
// after a drop-in named base (so it wins at boot), or "".
func (fx *Fix) Shadowed(base string) string {
	if last := fx.conf.LastSetter(fx.keys(), base); last != "" && base <= last {
		return last
	}
	return ""
}

// Overriders returns, for each key of the fix that a file other than one
// named base sets, the line that wins at boot over a drop-in named base:
// the last that sets it in a file sorting after base. Keys no such file
// sets are left out; the lines come in reading order (by file name, then
// line).
func (fx *Fix) Overriders(base string) []sysctlconf.Entry {
	var out []sysctlconf.Entry
	if fx.conf == nil {
		return nil
	}
	for _, k := range fx.keys() {
		var win *sysctlconf.Entry
		for _, e := range fx.conf.Setters(k) {
			if n := path.Base(e.File); n > base && (win == nil || n >= path.Base(win.File)) {
				win = &e
			}
		}
		if win != nil {
			out = append(out, *win)
		}
	}
	slices.SortFunc(out, func(a, b sysctlconf.Entry) int {
		return cmp.Or(strings.Compare(path.Base(a.File), path.Base(b.File)), strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	return out
}

func plan(res rules.Result, f *audit.Facts) ([]sysctlconf.Change, []string) {
	var changes []sysctlconf.Change
	var notes []string
	planned := map[string]string{}
	for _, fd := range res.Findings {
		if fd.Waived != "" {
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(fd.Fix.Sysctl)) {
			v := fd.Fix.Sysctl[k]
			if prev, ok := planned[k]; ok {
				if prev != v {
					notes = append(notes, fmt.Sprintf("%s: %s also wants %s; the more severe finding's %s is kept", k, fd.Rule, v, prev))
				}
				continue
			}
			planned[k] = v
			if why := missingKey(f, k); why != "" {
				notes = append(notes, fmt.Sprintf("left out %s = %s (%s): %s", k, v, fd.Rule, why))
				continue
			}
			changes = append(changes, sysctlconf.Change{Key: k, Value: v, Comment: fd.Rule + ": " + fd.Title})
		}
	}
	return changes, notes
}

// missingKey says why a key cannot be written here, or "": it is absent,
// or this namespace shows it read-only: its file has no write bit, or it is
// a global key that child namespaces show read-only and the facts show a
// child namespace (docs/kernel-facts.md §12).
func missingKey(f *audit.Facts, key string) string {
	st, err := os.Stat(filepath.Join(f.ProcRoot, "sys", sysctlconf.Path(key)))
	_, read := f.Sysctls[key]
	readOnly := (err == nil && st.Mode().Perm()&0o222 == 0) || (rules.ReadOnlyInChild(key) && rules.ChildNamespace(f))
	switch present := read || err == nil; {
	case errors.Is(f.Absent[key], audit.ErrSysctlsHidden):
		return audit.ErrSysctlsHidden.Error()
	case present && readOnly && rules.IsGlobalKey(key):
		return "read-only in this network namespace (a global key: a child namespace shows the host's value and cannot change it; set it on the host)"
	case present && readOnly:
		return "read-only in this network namespace"
	case present:
		return ""
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("it could not be read: %v", err)
	case rules.IsGlobalKey(key):
		return "not visible in this network namespace (a global key, present only in the host's initial namespace): set it on the host, where it acts on every namespace"
	case f.Kernel.Release != "":
		return "not present on kernel " + f.Kernel.Release
	}
	return "not present on this kernel"
}

func (fx *Fix) keys() []string {
	keys := make([]string, 0, len(fx.Changes))
	for _, c := range fx.Changes {
		keys = append(keys, c.Key)
	}
	return keys
}

// header says where the drop-in goes, which files that set its keys it
// sorts after (never itself) and which sort after it and so win at boot,
// as Shadowed finds them, how to apply the fix now, and the notes.
func (fx *Fix) header() []string {
	dest := path.Join(sysctlconf.Dirs[0], fx.Name)
	h := []string{fmt.Sprintf("tcpaudit fix, profile %s: save as %s", fx.profile, dest)}
	before, after := fx.setters(dest)
	if len(before) > 0 {
		h = append(h, "Its name sorts after these files that set some of its keys: "+strings.Join(before, ", "))
	}
	if len(after) > 0 {
		h = append(h, fmt.Sprintf("These files sort after its name, set some of its keys and win at boot: %s; name it %s for its values to win", strings.Join(after, ", "), fx.conf.DropInName(fx.keys())))
	}
	h = append(h, "Apply now (the configuration is read at boot), one command per key:")
	for _, c := range fx.Apply() {
		h = append(h, "  "+c)
	}
	for _, n := range fx.Notes {
		h = append(h, "Note: "+n)
	}
	return h
}

// setters returns the files other than dest that set some of the fix's
// keys, in reading order (by name): those that sort before dest's name or
// share it (dest replaces them), and those that sort after it and win.
func (fx *Fix) setters(dest string) (before, after []string) {
	var files []string
	for _, k := range fx.keys() {
		for _, e := range fx.conf.Setters(k) {
			if e.File != dest && !slices.Contains(files, e.File) {
				files = append(files, e.File)
			}
		}
	}
	slices.SortFunc(files, func(a, b string) int { return strings.Compare(path.Base(a)+"\x00"+a, path.Base(b)+"\x00"+b) })
	for _, f := range files {
		if path.Base(f) > fx.Name {
			after = append(after, f)
		} else {
			before = append(before, f)
		}
	}
	return before, after
}
