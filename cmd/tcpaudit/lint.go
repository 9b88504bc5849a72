package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/internal/input"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

// lintOptions are the settings of `tcpaudit lint`.
type lintOptions struct {
	Profile      string   `mapstructure:"profile"`
	ProfileFiles []string `mapstructure:"profile-file"`
	ProcRoot     string   `mapstructure:"proc-root"`
	Format       string   `mapstructure:"format"`
	FailOn       string   `mapstructure:"fail-on"`
	NoColor      bool     `mapstructure:"no-color"`
	Output       string   `mapstructure:"output"`
	Config       string   `mapstructure:"config"`
}

func newLintCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lint [flags] PATH...",
		Short: "Check sysctl.conf and sysctl.d files without touching the kernel",
		Long: "lint reads sysctl configuration files, or a whole tree when PATH is a root\n" +
			"directory (one holding etc/ or usr/), the way systemd-sysctl does and reports\n" +
			"lines it ignores or misreads, keys this kernel does not have or removed,\n" +
			"values outside the kernel's bounds, keys set in several files (naming the\n" +
			"winner), settings that contradict the profile, and lines procps and\n" +
			"systemd-sysctl treat differently.\n\n" +
			"Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it,\n" +
			"2 usage error or unreadable input.",
		Args: cobra.MinimumNArgs(1),
	}
	f := cmd.Flags()
	f.String("profile", profiles.Default, "profiles whose expected values the files are checked against, comma-separated")
	f.StringSlice("profile-file", nil, "extra profile YAML files; their names can be used in --profile")
	f.String("proc-root", "/proc", "directory that mirrors /proc: keys are looked up under its sys/")
	f.String("format", "text", "output format: "+strings.Join(report.Formats, ", "))
	f.StringP("output", "o", "", "write the report to this file (atomically: a temporary file renamed) instead of stdout")
	f.String("fail-on", "warning", "lowest severity that makes the exit code 1: info, warning, critical or never")
	f.Bool("no-color", false, "disable colour (NO_COLOR is honoured too)")
	cmd.RunE = withOptions(func(_ *cobra.Command, args []string, o lintOptions) error {
		return runLint(s, o, args)
	})
	return cmd
}

func runLint(s streams, o lintOptions, args []string) error {
	failOn, err := parseFailOn(o.FailOn)
	if err != nil {
		return usageError("--fail-on: %w", err)
	}
	if err := report.CheckFormat(o.Format); err != nil {
		return usageError("--format: %w", err)
	}
	cfg, err := loadProfile(o.Profile, o.ProfileFiles, o.Config, time.Now())
	if err != nil {
		return usageError("%w", err)
	}
	conf, err := loadLintTree(args)
	if err != nil {
		return &codeError{code: exitError, err: err}
	}
	res := lint(conf, cfg, o.ProcRoot)
	color := s.tty && !o.NoColor && os.Getenv("NO_COLOR") == "" && o.Output == ""
	if err := writeReport(s.out, o.Output, o.Format, res, report.Options{Color: color, Version: version}); err != nil {
		return &codeError{code: exitError, err: err}
	}
	if failOn > 0 && res.Worst() >= failOn {
		return &codeError{code: exitFindings}
	}
	return nil
}

// lintTree is what lint reads: a resolved tree and how its paths map to
// the host.
type lintTree struct {
	conf *sysctlconf.Config
	// root is set when a whole tree was resolved; file names are then
	// relative to it.
	root string
}

// host returns the path of a config file as the user can open it.
func (t lintTree) host(file string) string {
	if t.root == "" || t.root == "/" {
		return file
	}
	return filepath.Join(t.root, file)
}

// loadLintTree resolves a single root directory as a tree, and otherwise
// reads the files in argument order (a directory gives its *.conf files in
// name order), as `systemd-sysctl FILE...` does.
func loadLintTree(args []string) (lintTree, error) {
	if len(args) == 1 && isRootDir(args[0]) {
		c, err := sysctlconf.Resolve(args[0])
		return lintTree{conf: c, root: args[0]}, err
	}
	var files []string
	var skipped []sysctlconf.Diagnostic
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return lintTree{}, fmt.Errorf("lint: %w", err)
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		confs, notRegular, err := dirConfFiles(a)
		if err != nil {
			return lintTree{}, err
		}
		files = append(files, confs...)
		skipped = append(skipped, notRegular...)
	}
	c, err := sysctlconf.ResolveFiles(dedupe(files))
	if c != nil {
		c.Diagnostics = append(skipped, c.Diagnostics...)
	}
	return lintTree{conf: c}, err
}

// dirConfFiles lists the *.conf files of a directory in name order, hidden
// ones left out as systemd-sysctl does. An entry that is not a regular file
// (a directory named x.conf) is not read; it gets the error diagnostic a
// tree gives it, since systemd-sysctl lists it and fails to read it.
func dirConfFiles(dir string) ([]string, []sysctlconf.Diagnostic, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "*.conf"))
	if err != nil {
		return nil, nil, fmt.Errorf("lint %s: %w", dir, err)
	}
	sort.Strings(matches)
	var files []string
	var diags []sysctlconf.Diagnostic
	for _, m := range matches {
		if strings.HasPrefix(filepath.Base(m), ".") {
			continue
		}
		if f, err := input.Open(m); err == nil {
			f.Close()
		} else if pe := (*fs.PathError)(nil); errors.Is(err, input.ErrNotRegular) && errors.As(err, &pe) {
			diags = append(diags, sysctlconf.Diagnostic{File: m, Severity: sysctlconf.SeverityError, Code: sysctlconf.CodeSyntax,
				Message: fmt.Sprintf("cannot open: %v: systemd-sysctl lists it and fails to read it", pe.Err)})
			continue
		}
		files = append(files, m)
	}
	return files, diags, nil
}

// dedupe drops a file that is a link to one read before
// (/etc/sysctl.d/99-sysctl.conf and /etc/sysctl.conf), so it is not
// reported as setting every key twice.
func dedupe(files []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		real, err := filepath.EvalSymlinks(f)
		if err != nil {
			real = f
		}
		if !seen[real] {
			seen[real] = true
			out = append(out, f)
		}
	}
	return out
}

// isRootDir reports whether dir is a root of a configuration tree rather
// than a directory of configuration files.
func isRootDir(dir string) bool {
	for _, sub := range []string{"etc", "usr", "run"} {
		if st, err := os.Stat(filepath.Join(dir, sub)); err == nil && st.IsDir() {
			return true
		}
	}
	return false
}
