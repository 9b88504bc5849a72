package sysctl

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// header is the first line of the table; the columns are described in the
// package comment.
const header = "key\ttype\tdefault\tvalid_min\tvalid_max\tfields\tmin\tmax\tscope\tscope_note\tremoved\thistory\tmeaning\tsource"

// columns is the number of tab-separated columns of every line.
const columns = 14

// The kinds of malformed lines.
var (
	errHeader    = errors.New("not the table's header")
	errColumns   = errors.New("wrong number of columns")
	errName      = errors.New("not a dotted net.* key")
	errDuplicate = errors.New("key listed twice")
	errBound     = errors.New("unparsable bound")
	errScope     = errors.New("unknown scope")
	errRemoved   = errors.New("removal does not match the scope")
)

// lineError is a malformed line of the table.
type lineError struct {
	file string
	line int
	err  error
}

func (e *lineError) Error() string { return fmt.Sprintf("%s line %d: %v", e.file, e.line, e.err) }
func (e *lineError) Unwrap() error { return e.err }

// parse reads a table: the header line, then one key a line. Any malformed
// line is an error naming the file and the line.
func parse(file string, r io.Reader) (table, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	t := table{}
	lines := map[string]int{}
	n := 0
	for sc.Scan() {
		n++
		if n == 1 {
			if sc.Text() != header {
				return nil, &lineError{file, n, errHeader}
			}
			continue
		}
		k, err := parseRow(sc.Text())
		if err == nil && lines[k.Name] > 0 {
			err = fmt.Errorf("%w: %s, first on line %d", errDuplicate, k.Name, lines[k.Name])
		}
		if err != nil {
			return nil, &lineError{file, n, err}
		}
		lines[k.Name] = n
		t[k.Name] = k
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	if n == 0 {
		return nil, &lineError{file, 1, errHeader}
	}
	return t, nil
}

// parseRow reads one key's line.
func parseRow(line string) (Key, error) {
	f := strings.Split(line, "\t")
	if len(f) != columns {
		return Key{}, fmt.Errorf("%w: %d, want %d", errColumns, len(f), columns)
	}
	for i, s := range f {
		if s == "-" {
			f[i] = ""
		}
	}
	k := Key{Name: f[0], Type: f[1], Default: f[2], Min: f[3], Max: f[4], ScopeNote: f[9],
		Removed: f[10], History: f[11], Meaning: f[12], Source: f[13]}
	if !validName(k.Name) {
		return Key{}, fmt.Errorf("%w: %q", errName, k.Name)
	}
	var err error
	if k.limits, err = parseLimits(f[5], f[6], f[7]); err != nil {
		return Key{}, fmt.Errorf("%s: %w", k.Name, err)
	}
	if k.Scope, err = parseScope(f[8]); err != nil {
		return Key{}, fmt.Errorf("%s: %w", k.Name, err)
	}
	if (k.Scope == ScopeRemoved) != (k.Removed != "") || (k.Removed != "" && !validRelease(k.Removed)) {
		return Key{}, fmt.Errorf("%s: %w: scope %s, removed %q", k.Name, errRemoved, k.Scope, k.Removed)
	}
	return k, nil
}

// validName accepts a dotted key under net. with no empty component.
func validName(name string) bool {
	rest, ok := strings.CutPrefix(name, "net.")
	return ok && !strings.ContainsAny(name, " /*") && !slices.Contains(strings.Split(rest, "."), "")
}

// validRelease accepts a kernel release written major.minor.
func validRelease(s string) bool {
	major, minor, ok := strings.Cut(s, ".")
	_, err1 := strconv.ParseUint(major, 10, 16)
	_, err2 := strconv.ParseUint(minor, 10, 16)
	return ok && err1 == nil && err2 == nil
}

// parseScope reads the scope column.
func parseScope(s string) (Scope, error) {
	for _, sc := range []Scope{ScopeNetns, ScopeGlobal, ScopeGlobalReadOnly, ScopeRemoved} {
		if s == sc.String() {
			return sc, nil
		}
	}
	return 0, fmt.Errorf("%w %q: want netns, global, global-ro or removed", errScope, s)
}

// parseLimits reads the fields, min and max columns: all three empty, or a
// positive number of fields and min <= max.
func parseLimits(fields, lo, hi string) (Limits, error) {
	if fields == "" && lo == "" && hi == "" {
		return Limits{}, nil
	}
	n, err := strconv.Atoi(fields)
	if err != nil || n < 1 {
		return Limits{}, fmt.Errorf("%w: fields %q", errBound, fields)
	}
	l := Limits{Fields: n}
	if l.Min, err = parseBound(lo); err != nil {
		return Limits{}, err
	}
	if l.Max, err = parseBound(hi); err != nil {
		return Limits{}, err
	}
	if l.Min > l.Max {
		return Limits{}, fmt.Errorf("%w: min %d above max %d", errBound, l.Min, l.Max)
	}
	return l, nil
}

// parseBound reads an integer or the name of a C type's limit.
func parseBound(s string) (int64, error) {
	switch s {
	case "INT_MIN":
		return math.MinInt32, nil
	case "INT_MAX":
		return math.MaxInt32, nil
	case "LONG_MAX":
		return math.MaxInt64, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w %q", errBound, s)
	}
	return n, nil
}
