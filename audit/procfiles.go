package audit

import (
	"path/filepath"
	"strings"
	"sync"
)

// procFiles reads the one-value files of one Gather (sysctls, conf values,
// osrelease) and keeps what it read, with sockstat: a file asked for twice
// (a conf/all key read as a sysctl and again as a conf value, sockstat
// read to decide whether to dump and again as statistics) is read once,
// so the values judged together were read together. On the live /proc
// it opens each directory once and each file relative to it, with one
// pread(2) (readAt): in a host of many network namespaces, a lookup of a
// path under /proc/sys/net compares the name with the entries of every
// namespace (docs/kernel-facts.md §40), and a path walked from / pays that
// at each directory. Its methods are safe for concurrent use; a nil
// *procFiles reads every file afresh.
type procFiles struct {
	mu   sync.Mutex
	sys  string // root/sys/, the directory readAt serves ("" for none)
	read map[string]fileRead
	dirs dirFDs
	buf  []byte
	// stat is sockstat once read.
	stat *fileStat
}

// fileRead is the outcome of one read of a small file.
type fileRead struct {
	b   []byte
	err error
}

// fileStat is the outcome of FS.Sockstat.
type fileStat struct {
	s   Sockstat
	err error
}

// newProcFiles returns the reader of one Gather under root; close releases
// the directories it opened.
func newProcFiles(root string) *procFiles {
	p := &procFiles{read: make(map[string]fileRead)}
	if IsLive(root) {
		p.sys = filepath.Join(root, "sys") + string(filepath.Separator)
		p.buf = make([]byte, readAtMax)
	}
	return p
}

// readAtMax is the first buffer of readAt: longer than any sysctl value
// but a long port list (it grows for those), short for the kernel to
// allocate and clear for each read.
const readAtMax = 1024

// readSmall reads a one-value file like the function of that name, once.
func (p *procFiles) readSmall(path string) ([]byte, error) {
	if p == nil {
		return readSmall(path)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if r, ok := p.read[path]; ok {
		return r.b, r.err
	}
	var r fileRead
	var ok bool
	if p.sys != "" && strings.HasPrefix(path, p.sys) {
		r, ok = p.readAt(path)
	}
	if !ok {
		r.b, r.err = readSmall(path)
	}
	p.read[path] = r
	return r.b, r.err
}

// sockstat returns the sockstat read, reading it with read the first time.
func (p *procFiles) sockstat(read func() (Sockstat, error)) (Sockstat, error) {
	if p == nil {
		return read()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stat == nil {
		s, err := read()
		p.stat = &fileStat{s: s, err: err}
	}
	return p.stat.s, p.stat.err
}

// close releases the directories; the values read stay.
func (p *procFiles) close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dirs.close()
}
