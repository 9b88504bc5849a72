package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tcpaudit/tcpaudit/internal/input"
)

// FS reads the fact sources under one proc root, one method per source. It
// holds nothing but the root, how to attribute sockets, for one namespace
// of several a Scope and, inside Gather, what that Gather read, so it is
// cheap to copy and safe for concurrent use. A missing file comes back as
// an error wrapping fs.ErrNotExist; a file that exists but cannot be
// parsed as a *ParseError naming the file and line.
type FS struct {
	root        string
	attribution AttributionMode
	// scope narrows the reader to one namespace (InScope); nil for none.
	scope *Scope
	// files reads the small files of one Gather once; nil reads them
	// afresh.
	files *procFiles
}

// NewFS returns the reader of the proc root, which must be a directory.
func NewFS(root string) (FS, error) {
	st, err := os.Stat(root)
	if err != nil {
		return FS{}, fmt.Errorf("proc root: %w", err)
	}
	if !st.IsDir() {
		return FS{}, fmt.Errorf("proc root %s: not a directory", root)
	}
	return FS{root: root}, nil
}

// Root returns the proc root.
func (fsys FS) Root() string { return fsys.root }

// Live reports whether the root is this host's /proc (see IsLive).
func (fsys FS) Live() bool { return IsLive(fsys.root) }

func (fsys FS) path(s Source) string {
	if rest, ok := strings.CutPrefix(string(s), "net/"); ok && fsys.netDir() != "" {
		return filepath.Join(fsys.netDir(), filepath.FromSlash(rest))
	}
	return filepath.Join(fsys.root, filepath.FromSlash(string(s)))
}

// Release reads the kernel release from sys/kernel/osrelease.
func (fsys FS) Release() (Kernel, error) {
	b, err := fsys.files.readSmall(fsys.path(SourceRelease))
	if err != nil {
		return Kernel{}, err
	}
	return ParseRelease(string(b)), nil
}

// Sysctl reads one sysctl, dotted ("net.ipv4.tcp_fin_timeout"), and returns
// its whitespace-separated fields joined by one space ("32768 60999").
func (fsys FS) Sysctl(key string) (string, error) {
	v, err := fsys.readSysctl(key)
	if err != nil {
		return "", err
	}
	return strings.Join(v, " "), nil
}

// Sysctls reads the keys: the values of those read, and the reason each of
// the others could not be (all of them under a process's directory:
// ErrSysctlsHidden). A file that is not what procfs serves (a FIFO,
// a directory, a huge file) is an error, never an absent key.
func (fsys FS) Sysctls(keys []string) (map[string]string, map[string]error, error) {
	values, absent := make(map[string]string), make(map[string]error)
	if fsys.files == nil { // outside Gather: one reader for these keys
		fsys.files = newProcFiles(fsys.root)
		defer fsys.files.close()
	}
	hidden := sysctlsHidden(fsys.root)
	for _, k := range keys {
		if hidden != nil {
			absent[k] = hidden
			continue
		}
		if _, done := values[k]; done {
			continue
		}
		v, err := fsys.Sysctl(k)
		if hostile(err) {
			return nil, nil, fmt.Errorf("sysctl %s: %w", k, err)
		}
		if err != nil {
			absent[k] = err
			continue
		}
		if err := checkShape(fsys.root, k, v); err != nil {
			return nil, nil, fmt.Errorf("sysctl %s: %w", k, err)
		}
		values[k] = v
	}
	return values, absent, nil
}

// PortRange reads net.ipv4.ip_local_port_range.
func (fsys FS) PortRange() (uint16, uint16, error) {
	p := filepath.Join(fsys.root, "sys/net/ipv4/ip_local_port_range")
	b, err := readSmall(p)
	if err != nil {
		return 0, 0, fmt.Errorf("sysctl %s: %w", PortRangeKey, err)
	}
	var lo, hi uint16
	if _, err := fmt.Sscan(string(b), &lo, &hi); err != nil || lo == 0 || lo > hi {
		return 0, 0, &ParseError{File: p, Line: 1, Err: malformed("want two ports, low then high, got %q", strings.TrimSpace(string(b)))}
	}
	return lo, hi, nil
}

// Sockstat reads net/sockstat and net/sockstat6 into one map. A missing
// file leaves its protocols out and is named in a *MissingError returned
// with the map of the other.
func (fsys FS) Sockstat() (Sockstat, error) {
	return fsys.files.sockstat(fsys.readSockstat)
}

// readSockstat reads net/sockstat and net/sockstat6 (see Sockstat).
func (fsys FS) readSockstat() (Sockstat, error) {
	s := make(Sockstat)
	var missing *MissingError
	for _, src := range []Source{SourceSockstat, SourceSockstat6} {
		err := fsys.parse(src, func(fh *os.File) error { return ParseSockstat(fh, s) })
		if errors.Is(err, fs.ErrNotExist) {
			addMissing(&missing, src, err)
		} else if err != nil {
			return nil, err
		}
	}
	return s, missing.orNil()
}

// Counters reads net/netstat (TcpExt, IpExt) and net/snmp (Tcp, Ip, ...)
// into one map. A missing file leaves its counters out and is named in a
// *MissingError returned with the counters of the other.
func (fsys FS) Counters() (Counters, error) {
	c := make(Counters)
	var missing *MissingError
	for _, src := range []Source{SourceNetstat, SourceSNMP} {
		err := fsys.parse(src, func(fh *os.File) error {
			read, err := ParseCounters(fh)
			for k, v := range read {
				c[k] = v
			}
			return err
		})
		if errors.Is(err, fs.ErrNotExist) {
			addMissing(&missing, src, err)
		} else if err != nil {
			return nil, err
		}
	}
	return c, missing.orNil()
}

// parse opens a source and runs fn on it. A missing file is returned as
// the open error (wrapping fs.ErrNotExist); any other failure is an error
// naming the file, a *ParseError when the content is malformed.
func (fsys FS) parse(s Source, fn func(*os.File) error) error {
	p := fsys.path(s)
	fh, err := input.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", p, err)
	}
	defer fh.Close()
	if err := fn(fh); err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			pe.File = p
			return pe
		}
		return fmt.Errorf("read %s: %w", p, err)
	}
	return nil
}
