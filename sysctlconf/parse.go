// Package sysctlconf reads sysctl.conf and sysctl.d configuration the way
// systemd-sysctl does (with the procps-ng differences reported as
// diagnostics), resolves a configuration tree under a root directory, and
// renders drop-ins and unified diffs. It never reads /proc.
package sysctlconf

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Entry is one assignment or exclusion line.
type Entry struct {
	// Key is the key as `sysctl -a` prints it; a glob keeps its pattern.
	Key string
	// Path is the key's identity: its normalized path under /proc/sys.
	Path string
	// Value is byte-exact after trimming; empty for an exclusion.
	Value string
	// IgnoreFailure is set by a leading '-' on an assignment.
	IgnoreFailure bool
	// Exclude marks a '-key' line without '=': the key is never written and
	// globs skip it.
	Exclude bool
	File    string
	Line    int
}

// Glob reports whether the entry's key is a glob pattern.
func (e Entry) Glob() bool { return IsGlob(e.Key) }

// File is one parsed configuration file.
type File struct {
	Name        string
	Entries     []Entry
	Diagnostics []Diagnostic
}

// Err returns the first error diagnostic, or nil.
func (f *File) Err() error {
	for _, d := range f.Diagnostics {
		if d.Severity == SeverityError {
			return d
		}
	}
	return nil
}

// MaxLine is systemd's LONG_LINE_MAX: a longer line makes systemd-sysctl
// ignore the rest of the file.
const MaxLine = 1 << 20

// whitespace is what systemd's strstrip removes.
const whitespace = " \t\n\r"

// Parse reads one file. Problems with the content become diagnostics naming
// name and the line, as the real tools go on past a bad line; the error is
// only for a failed read.
func Parse(r io.Reader, name string) (*File, error) {
	f := &File{Name: name}
	lr := lineReader{r: bufio.NewReader(r)}
	for n := 1; ; n++ {
		line, err := lr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, errLongLine) {
			f.diag(n, SeverityError, CodeSyntax, "line longer than 1 MiB: systemd-sysctl ignores it and the rest of the file (procps reads it)")
			break
		}
		if err != nil {
			return f, fmt.Errorf("read %s: %w", name, err)
		}
		if n == 1 && strings.HasPrefix(line, "\ufeff") {
			f.diag(n, SeverityWarning, CodeSyntax, "file starts with a UTF-8 byte order mark: neither systemd-sysctl nor procps strips it, so it becomes part of the first line")
		}
		f.parseLine(line, n)
	}
	if lr.loneCR {
		f.diag(lr.crLine, SeverityWarning, CodeDifference, "line ends with a carriage return alone: systemd-sysctl splits lines there, procps does not")
	}
	return f, nil
}

func (f *File) parseLine(line string, n int) {
	p := strings.Trim(line, whitespace)
	switch {
	case p == "" || p[0] == '#':
		return
	case p[0] == ';':
		f.diag(n, SeverityInfo, CodeDifference, "';' comment: systemd-sysctl v259 and later no longer treat ';' as a comment (procps and older systemd do)")
		return
	}
	e := Entry{File: f.Name, Line: n}
	key, value, assign := strings.Cut(p, "=")
	if strings.HasPrefix(key, "-") {
		key = key[1:]
		if key != strings.TrimLeft(key, whitespace) {
			f.diag(n, SeverityWarning, CodeDifference, "blank after '-': systemd-sysctl ignores it, procps keeps it in the key and silently does nothing")
		}
		e.IgnoreFailure, e.Exclude = assign, !assign
	} else if !assign {
		f.diag(n, SeverityError, CodeSyntax, fmt.Sprintf("line is not an assignment (no '='): %q is ignored (systemd-sysctl then exits 1)", p))
		return
	}
	written := strings.Trim(key, whitespace)
	e.Path = Normalize(written)
	e.Key = swap(e.Path)
	if assign {
		e.Value = strings.Trim(value, whitespace)
	}
	f.checkEntry(e, written)
	f.Entries = append(f.Entries, e)
}

// checkEntry adds the diagnostics of a well-formed line.
func (f *File) checkEntry(e Entry, written string) {
	n := e.Line
	if e.Path == "" {
		f.diag(n, SeverityError, CodeSyntax, "empty key: the line is accepted but fails when applied")
		return
	}
	if strings.HasPrefix(e.Path, "../") || strings.Contains(e.Path+"/", "/../") {
		f.diag(n, SeverityError, CodeSyntax, fmt.Sprintf("key %q has a '..' component: systemd-sysctl refuses it (EINVAL) and procps refuses paths outside /proc/sys", written))
	}
	if e.Glob() && e.Exclude {
		f.diag(n, SeverityWarning, CodeDifference, fmt.Sprintf("glob exclusion %q: systemd-sysctl excludes nothing with it, procps 4.0.5 and later honour it", written))
	}
	if !IsGlob(written) && swap(written) != e.Path && written != e.Path && strings.TrimPrefix(written, "/") != e.Path {
		f.diag(n, SeverityWarning, CodeDifference, fmt.Sprintf("key %q has repeated, leading or trailing separators: systemd-sysctl normalizes it to %s, procps does not", written, e.Key))
	}
	if suspiciousInterfaceKey(written) {
		f.diag(n, SeverityWarning, CodeSyntax, fmt.Sprintf("key %q is read as the path %s, a directory deeper than the interface; an interface name with a dot is written with '/' (net.ipv4.conf.eth0/1.rp_filter)", written, e.Path))
	}
	if strings.Contains(e.Value, "#") {
		f.diag(n, SeverityWarning, CodeSyntax, fmt.Sprintf("value %q contains '#': there are no inline comments, the whole text is written to the kernel", e.Value))
	}
	if !e.Exclude && e.Value == "" {
		f.diag(n, SeverityInfo, CodeDifference, "empty value: written as an empty line by systemd-sysctl and procps 4, rejected by procps 3.3")
	}
}

func (f *File) diag(line int, s Severity, code, msg string) {
	f.Diagnostics = append(f.Diagnostics, Diagnostic{File: f.Name, Line: line, Severity: s, Code: code, Message: msg})
}
