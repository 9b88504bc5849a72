package pipeline

import (
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
	// Guest says why the audited network namespace is not the host's, or
	// "". Then no sysctl.d drop-in is offered: it would change the host
	// at its next boot, not this namespace; InNamespace gives the fix.
	Guest    string
	where    containers.Where
	procRoot string
	conf     *sysctlconf.Config
}

// PlanFix plans the drop-in for the unwaived findings of a against the
// sysctl.d tree conf. A key another finding already set, and keys this
// kernel or namespace lacks, become notes.
func PlanFix(a *Audit, conf *sysctlconf.Config) *Fix {
	if conf == nil {
		conf = &sysctlconf.Config{} // no tree: the drop-in stands alone
	}
	changes, notes := plan(a.Result, a.Facts)
	fx := &Fix{Changes: changes, Notes: notes, conf: conf, procRoot: a.Facts.ProcRoot}
	fx.where, fx.Guest = guest(a.Facts)
	if len(changes) == 0 {
		return fx
	}
	fx.Name = conf.DropInName(fx.keys())
	fx.Header = fx.header(a.Profile)
	return fx
}

// DropIn renders the drop-in file.
func (fx *Fix) DropIn() string { return sysctlconf.RenderDropIn(fx.Header, fx.Changes) }

// Diff renders a unified diff against the tree that edits the winning
// line where it lives under /etc and adds the drop-in for the rest.
func (fx *Fix) Diff() (string, error) { return fx.conf.Patch(fx.Changes, fx.Name, fx.Header) }

// Shadowed returns the file that sets some of the keys and sorts at or
// after a drop-in named base (so it wins at boot), or "".
func (fx *Fix) Shadowed(base string) string {
	if last := fx.conf.LastSetter(fx.keys(), base); last != "" && base <= last {
		return last
	}
	return ""
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
		return "not visible in this network namespace (a global key, present only in the initial namespace)"
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

func (fx *Fix) header(profile string) []string {
	dest := path.Join(sysctlconf.Dirs[0], fx.Name)
	h := []string{fmt.Sprintf("tcpaudit fix, profile %s: save as %s", profile, dest)}
	var setters []string
	for _, k := range fx.keys() {
		for _, e := range fx.conf.Setters(k) {
			if !slices.Contains(setters, e.File) {
				setters = append(setters, e.File)
			}
		}
	}
	slices.Sort(setters)
	if len(setters) > 0 {
		h = append(h, "Its name sorts after every file that sets these keys: "+strings.Join(setters, ", "))
	}
	h = append(h, "Apply now with: sysctl -p "+dest)
	for _, n := range fx.Notes {
		h = append(h, "Note: "+n)
	}
	return h
}
