package audit

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/prometheus/procfs"
)

// ProcessSockets is one process and the sockets it holds, by state.
type ProcessSockets struct {
	PID     int
	Command string
	Total   int
	States  map[State]int
}

// ProcessCensus is the result of FS.Processes.
type ProcessCensus struct {
	// Processes, most sockets first.
	Processes []ProcessSockets
	// Unattributed counts inodes found in no readable process.
	Unattributed int
	// Unreadable counts processes whose fd directory could not be read.
	Unreadable int
	// Root is true when the scan ran as root (see Attribution.Root).
	Root bool
	// Holders maps each inode found to the PIDs holding it.
	Holders map[uint64][]int
}

// Processes scans <root>/<pid>/fd once, like Owners, and counts for each
// process the sockets of inodes by their state. A socket shared
// by several processes counts for each of them. The processes are split
// between up to GOMAXPROCS workers (at most 4): the cost is the kernel's
// readlink of every descriptor, which parallelises.
func (fsys FS) Processes(inodes map[uint64]State) (ProcessCensus, error) {
	root := fsys.root
	pc := ProcessCensus{Root: os.Geteuid() == 0}
	if len(inodes) == 0 {
		return pc, nil
	}
	pids, err := fsys.listPIDs()
	if err != nil {
		return pc, err
	}
	workers := make([]attributeWorker, min(runtime.GOMAXPROCS(0), 4))
	var next atomic.Int64
	var wg sync.WaitGroup
	for i := range workers {
		w := &workers[i]
		wg.Go(func() { w.run(root, pids, &next, inodes) })
	}
	wg.Wait()
	pc.Holders = make(map[uint64][]int)
	for _, w := range workers {
		pc.Processes = append(pc.Processes, w.processes...)
		pc.Unreadable += w.unreadable
		for ino, pids := range w.found {
			pc.Holders[ino] = append(pc.Holders[ino], pids...)
		}
	}
	pc.Unattributed = len(inodes) - len(pc.Holders)
	sort.Slice(pc.Processes, func(i, j int) bool {
		a, b := pc.Processes[i], pc.Processes[j]
		if a.Total != b.Total {
			return a.Total > b.Total
		}
		return a.PID < b.PID
	})
	return pc, nil
}

// listPIDs lists the processes to scan: those of the scope, else every
// process under the root, through procfs.
func (fsys FS) listPIDs() (procfs.Procs, error) {
	if fsys.scope != nil && fsys.scope.PIDs != nil {
		procs := make(procfs.Procs, len(fsys.scope.PIDs))
		for i, pid := range fsys.scope.PIDs {
			procs[i].PID = pid
		}
		return procs, nil
	}
	pfs, err := procfs.NewFS(fsys.root)
	if err != nil {
		return nil, err
	}
	return pfs.AllProcs()
}

// attributeWorker scans the processes it takes from a shared index.
type attributeWorker struct {
	processes  []ProcessSockets
	unreadable int
	found      map[uint64][]int
}

func (w *attributeWorker) run(root string, procs procfs.Procs, next *atomic.Int64, inodes map[uint64]State) {
	sc := newFDScanner()
	w.found = make(map[uint64][]int)
	for {
		i := int(next.Add(1)) - 1
		if i >= len(procs) {
			return
		}
		if procs[i].PID <= 0 {
			continue
		}
		p := ProcessSockets{PID: procs[i].PID}
		err := sc.sockets(filepath.Join(root, strconv.Itoa(p.PID), "fd"), func(ino uint64) {
			st, ok := inodes[ino]
			if !ok {
				return
			}
			if p.States == nil {
				p.States = make(map[State]int)
			}
			p.States[st]++
			p.Total++
			w.found[ino] = append(w.found[ino], p.PID)
		})
		denied := errors.Is(err, fs.ErrPermission)
		if denied && !exited(root, p.PID) {
			w.unreadable++
		}
		if (err == nil || denied) && p.Total > 0 {
			p.Command = readComm(filepath.Join(root, strconv.Itoa(p.PID), "comm"))
			w.processes = append(w.processes, p)
		}
	}
}

// exited reports whether a process has exited or is exiting (gone, a
// zombie, or dead): the kernel denies its descriptor links while it exits,
// which says nothing about the privileges of the reader.
func exited(root string, pid int) bool {
	dir := filepath.Join(root, strconv.Itoa(pid))
	b, err := readSmall(filepath.Join(dir, "stat"))
	if err != nil {
		_, err := os.Lstat(dir)
		return errors.Is(err, fs.ErrNotExist) // a captured tree may have no stat
	}
	// "pid (comm) S ...": the state follows the last ')', since comm may
	// hold one.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 || i+2 >= len(b) {
		return false
	}
	return strings.ContainsRune("ZXx", rune(b[i+2]))
}

// readComm returns a process's command name, "?" when it has exited or
// the file is not a small regular file (procfs's Comm would block on a
// FIFO planted in a captured tree).
func readComm(path string) string {
	b, err := readSmall(path)
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}
