package main

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

// fixOptions are the settings of `tcpaudit fix`.
type fixOptions struct {
	Profile      string   `mapstructure:"profile"`
	ProfileFiles []string `mapstructure:"profile-file"`
	ProcRoot     string   `mapstructure:"proc-root"`
	Root         string   `mapstructure:"root"`
	Diff         bool     `mapstructure:"diff"`
	Write        string   `mapstructure:"write"`
	Config       string   `mapstructure:"config"`
}

func newFixCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fix",
		Short: "Write the sysctl.d drop-in (or diff) that fixes the sysctl findings",
		Long: "fix runs the checks of the profile and turns every finding whose fix is a\n" +
			"sysctl value into a drop-in for /etc/sysctl.d, one commented line per key\n" +
			"(rule and why). The drop-in's name sorts after every file that sets the same\n" +
			"keys, so it wins at boot. --diff prints a unified diff instead, for\n" +
			"`patch -p1 -d ROOT`, that edits the winning line where it lives under /etc\n" +
			"and adds the drop-in for the rest. Keys this kernel or network namespace does\n" +
			"not have are left out with a note. Nothing is written without --write.",
		Args: cobra.NoArgs,
	}
	f := cmd.Flags()
	f.String("profile", profiles.Default, "profiles to apply, comma-separated")
	f.StringSlice("profile-file", nil, "extra profile YAML files; their names can be used in --profile")
	f.String("proc-root", "/proc", "directory that mirrors /proc")
	f.String("root", "/", "root directory of the sysctl.d configuration tree")
	f.Bool("diff", false, "print a unified diff against the configuration tree instead of a drop-in")
	f.String("write", "", "write the drop-in to this file (atomically; an existing file is kept as FILE.bak)")
	cmd.RunE = withOptions(func(_ *cobra.Command, _ []string, o fixOptions) error {
		return runFix(s, o)
	})
	return cmd
}

func runFix(s streams, o fixOptions) error {
	if o.Diff && o.Write != "" {
		return usageError("--diff and --write exclude each other")
	}
	cfg, err := loadProfile(o.Profile, o.ProfileFiles, o.Config, time.Now())
	if err != nil {
		return usageError("%w", err)
	}
	engine := rules.NewEngine()
	facts, err := audit.Gather(audit.Options{ProcRoot: o.ProcRoot, Keys: engine.Keys()})
	if err != nil {
		return &codeError{code: exitError, err: err}
	}
	conf, err := sysctlconf.Resolve(o.Root)
	if err != nil {
		return &codeError{code: exitError, err: fmt.Errorf("--root: %w", err)}
	}
	changes, notes := planFix(engine.Evaluate(facts, cfg), facts)
	if len(changes) == 0 {
		_, err := fmt.Fprintf(s.err, "tcpaudit fix: no finding of profile %s has a sysctl fix\n", cfg.Profile)
		for _, n := range notes {
			fmt.Fprintf(s.err, "  %s\n", n)
		}
		return err
	}
	return emitFix(s, o, conf, cfg.Profile, changes, notes)
}

// emitFix prints the drop-in or the diff, or writes the drop-in.
func emitFix(s streams, o fixOptions, conf *sysctlconf.Config, profile string, changes []sysctlconf.Change, notes []string) error {
	name := conf.DropInName(changeKeys(changes))
	header := fixHeader(conf, profile, name, changes, notes)
	switch {
	case o.Diff:
		diff, err := conf.Patch(changes, name, header)
		if err != nil {
			return &codeError{code: exitError, err: err}
		}
		_, err = fmt.Fprint(s.out, diff)
		return err
	case o.Write != "":
		base := filepath.Base(o.Write)
		if last := conf.LastSetter(changeKeys(changes), base); last != "" && base <= last {
			fmt.Fprintf(s.err, "tcpaudit fix: warning: %s sorts before %s, which sets some of these keys and wins at boot; name it %s\n", base, last, name)
		}
		return writeDropIn(s, o.Write, sysctlconf.RenderDropIn(header, changes))
	}
	_, err := fmt.Fprint(s.out, sysctlconf.RenderDropIn(header, changes))
	return err
}

// planFix collects the sysctl fixes of the unwaived findings, most severe
// first; a key another finding already set, and keys this kernel or
// namespace lacks, become notes.
func planFix(res rules.Result, f *audit.Facts) ([]sysctlconf.Change, []string) {
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

// missingKey says why a key cannot be written here, or "".
func missingKey(f *audit.Facts, key string) string {
	if _, ok := f.Sysctls[key]; ok {
		return ""
	}
	_, err := os.Stat(filepath.Join(f.ProcRoot, "sys", sysctlconf.Path(key)))
	if err == nil {
		return ""
	}
	switch {
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("it could not be read: %v", err)
	case rules.IsGlobalKey(key):
		return "not visible in this network namespace (a global key, present only in the initial namespace)"
	case f.Kernel.Release != "":
		return "not present on kernel " + f.Kernel.Release
	}
	return "not present on this kernel"
}

func changeKeys(changes []sysctlconf.Change) []string {
	keys := make([]string, 0, len(changes))
	for _, c := range changes {
		keys = append(keys, c.Key)
	}
	return keys
}

// fixHeader explains the drop-in: where it goes, why its name wins, how to
// apply it, and what was left out.
func fixHeader(c *sysctlconf.Config, profile, name string, changes []sysctlconf.Change, notes []string) []string {
	dest := path.Join(sysctlconf.Dirs[0], name)
	h := []string{fmt.Sprintf("tcpaudit fix, profile %s: save as %s", profile, dest)}
	seen := map[string]bool{}
	var setters []string
	for _, k := range changeKeys(changes) {
		for _, e := range c.Setters(k) {
			if !seen[e.File] {
				seen[e.File] = true
				setters = append(setters, e.File)
			}
		}
	}
	sort.Strings(setters)
	if len(setters) > 0 {
		h = append(h, "Its name sorts after every file that sets these keys: "+strings.Join(setters, ", "))
	}
	h = append(h, "Apply now with: sysctl -p "+dest)
	for _, n := range notes {
		h = append(h, "Note: "+n)
	}
	return h
}
