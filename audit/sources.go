package audit

import "strings"

// Source names a fact source, as a path under the proc root where it is a
// file.
type Source string

// The sources Gather reads. SourceSockets is satisfied when at least one of
// net/tcp and net/tcp6 was read (or the census came over netlink);
// SourceProcesses when process attribution ran; SourceConfig when a sysctl
// configuration tree was attached (Facts.WithConfigured).
const (
	SourceRelease   Source = "sys/kernel/osrelease"
	SourceTCP       Source = "net/tcp"
	SourceTCP6      Source = "net/tcp6"
	SourceSockstat  Source = "net/sockstat"
	SourceSockstat6 Source = "net/sockstat6"
	SourceNetstat   Source = "net/netstat"
	SourceSNMP      Source = "net/snmp"
	SourceSockets   Source = "sockets"
	SourceProcesses Source = "processes"
	SourceConfig    Source = "sysctl.d"
)

// SourceInfo describes one source.
type SourceInfo struct {
	Source Source
	// Path is the file under the proc root, with forward slashes; empty
	// for a source that is not one file.
	Path string
	// File is true for a source read from one file under the proc root.
	File bool
}

// Sources lists every source, the files in the order reports list them,
// then the sources that are not one file.
func Sources() []SourceInfo {
	files := []Source{SourceRelease, SourceTCP, SourceTCP6, SourceSockstat, SourceSockstat6, SourceNetstat, SourceSNMP, SourceConntrack}
	out := make([]SourceInfo, 0, len(files)+3)
	for _, s := range files {
		out = append(out, SourceInfo{Source: s, Path: string(s), File: true})
	}
	for _, s := range []Source{SourceSockets, SourceProcesses, SourceConfig} {
		out = append(out, SourceInfo{Source: s})
	}
	return out
}

// MissingError names the source files that are not present under a proc
// root. A method that reads several files returns it together with what the
// files that were present hold. It wraps each cause, so errors.Is(err,
// fs.ErrNotExist) holds.
type MissingError struct {
	// Sources maps each missing source to the error opening it returned.
	Sources map[Source]error
}

func (e *MissingError) Error() string {
	var parts []string
	for _, s := range Sources() {
		if err, ok := e.Sources[s.Source]; ok {
			parts = append(parts, err.Error())
		}
	}
	return strings.Join(parts, "; ")
}

// Unwrap returns the cause of each missing source.
func (e *MissingError) Unwrap() []error {
	var out []error
	for _, s := range Sources() {
		if err, ok := e.Sources[s.Source]; ok {
			out = append(out, err)
		}
	}
	return out
}

// addMissing records s as missing in *me, creating it when nil.
func addMissing(me **MissingError, s Source, err error) {
	if *me == nil {
		*me = &MissingError{Sources: make(map[Source]error)}
	}
	(*me).Sources[s] = err
}

// orNil returns e as an error, or nil when no source is missing.
func (e *MissingError) orNil() error {
	if e == nil {
		return nil
	}
	return e
}
