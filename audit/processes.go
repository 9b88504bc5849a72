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
	// Holders maps each inode found to the PIDs holding it, the lowest
	// first; nil from ProcessesOf, which keeps no value per socket.
	Holders map[uint64][]int
	// Unheld holds the CLOSE_WAIT inodes no process held, from ProcessesOf
	// (at most AttributionBatch: the rest are counted in Unattributed only).
	Unheld *InodeList
	// Method says how the processes were read.
	Method AttributionMethod
	// Scoped is set when only the processes of the network namespace
	// were searched (see Attribution.Scoped).
	Scoped bool
}

// Processes scans the processes once, like Owners, and counts for each
// process the sockets of inodes by their state. A socket shared by several
// processes counts for each of them.
func (fsys FS) Processes(inodes map[uint64]State) (ProcessCensus, error) {
	pc := ProcessCensus{Root: isRoot()}
	if len(inodes) == 0 {
		return pc, nil
	}
	sc := fsys.scanner(AllStates)
	defer sc.close()
	b, err := sc.scan(NewInodeSet(inodes))
	if err != nil {
		return pc, err
	}
	pc.Processes, pc.Unreadable, pc.Method = b.processes(), b.unreadable, b.method
	pc.Holders = make(map[uint64][]int)
	b.each(func(_ int, ino uint32, _ State, h Holder, ok bool) {
		if ok {
			pc.Holders[uint64(ino)] = append([]int{h.PID}, h.Others...)
		}
	})
	pc.Unattributed = len(inodes) - len(pc.Holders)
	return pc, nil
}

// isRoot reports whether the process runs as root.
func isRoot() bool { return os.Geteuid() == 0 }

// sortProcesses orders processes most sockets first, then by PID.
func sortProcesses(ps []ProcessSockets) {
	sort.Slice(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Total != b.Total {
			return a.Total > b.Total
		}
		return a.PID < b.PID
	})
}

// scanFDs fills b from <root>/<pid>/fd. The processes are split between
// up to GOMAXPROCS workers (at most 4, at most one a process): the cost is the kernel's readlink
// of every descriptor, which parallelises.
func (fsys FS) scanFDs(b *batchScan) error { return fsys.scanFDsWith(b, nil) }

// processHook sees each process a worker of the descriptor scan takes
// (its index in the scan's order, also for one skipped), its sockets, and
// its end.
type processHook interface {
	begin(i int)
	visit(pid int, ino uint64)
	end(pid int)
}

// scanFDsWith is scanFDs giving each worker the hook hook makes (nil:
// none).
func (fsys FS) scanFDsWith(b *batchScan, hook func() processHook) error {
	pids, err := fsys.listPIDs()
	if err != nil {
		return err
	}
	workers := make([]attributeWorker, max(min(runtime.GOMAXPROCS(0), 4, len(pids)), 1))
	var next atomic.Int64
	var wg sync.WaitGroup
	live := fsys.Live()
	for i := range workers {
		w := &workers[i]
		w.hits = b.hits()
		if hook != nil {
			w.hook = hook()
		}
		if len(workers) == 1 { // a namespace's few processes: no goroutine
			w.run(fsys.root, pids, &next, live)
			break
		}
		wg.Go(func() { w.run(fsys.root, pids, &next, live) })
	}
	wg.Wait()
	for _, w := range workers {
		b.merge(w.hits)
		b.unreadable += w.unreadable
	}
	b.method = AttributionFDScan
	return nil
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
	hits       *hits
	unreadable int
	hook       processHook
}

// run scans the processes; live says root is the live /proc, where the
// threads with descriptor tables of their own are scanned too.
func (w *attributeWorker) run(root string, procs procfs.Procs, next *atomic.Int64, live bool) {
	sc := newFDScanner()
	for {
		i := int(next.Add(1)) - 1
		if i >= len(procs) {
			return
		}
		if w.hook != nil {
			w.hook.begin(i)
		}
		if procs[i].PID <= 0 {
			if w.hook != nil {
				w.hook.end(0)
			}
			continue
		}
		p := &ProcessSockets{PID: procs[i].PID}
		visit := func(ino uint64) {
			w.hits.add(p, ino)
			if w.hook != nil {
				w.hook.visit(p.PID, ino)
			}
		}
		err := sc.sockets(filepath.Join(root, strconv.Itoa(p.PID), "fd"), visit)
		denied := errors.Is(err, fs.ErrPermission)
		if live {
			for _, dir := range sc.threadTables(root, p.PID) {
				if sc.sockets(dir, visit) == nil {
					denied = false // the leader exited: its threads hold the table
				}
			}
		}
		if w.hook != nil {
			w.hook.end(p.PID)
		}
		if denied && !exited(root, p.PID) {
			w.unreadable++
		}
		if p.Total > 0 {
			p.Command = readComm(filepath.Join(root, strconv.Itoa(p.PID), "comm"))
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
	return strings.TrimSuffix(string(b), "\n") // the kernel's newline; a name's own blanks stay
}
