package audit

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// ProcessSockets is one process and the sockets it holds, by state.
type ProcessSockets struct {
	PID     int
	Command string
	Total   int
	States  map[State]int
}

// ProcessCensus is the result of AttributeStates.
type ProcessCensus struct {
	// Processes, most sockets first.
	Processes []ProcessSockets
	// Unattributed counts inodes found in no readable process.
	Unattributed int
	// Unreadable counts processes whose fd directory could not be read.
	Unreadable int
}

// AttributeStates scans <root>/<pid>/fd once, like Attribute, and counts
// for each process the sockets of inodes by their state. A socket shared
// by several processes counts for each of them.
func AttributeStates(root string, inodes map[uint64]State) (ProcessCensus, error) {
	var pc ProcessCensus
	if len(inodes) == 0 {
		return pc, nil
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return pc, err
	}
	found := make(map[uint64]struct{}, len(inodes))
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		dir := filepath.Join(root, e.Name())
		states, n, err := scanStates(dir, inodes, found)
		switch {
		case errors.Is(err, fs.ErrPermission):
			pc.Unreadable++
		case err == nil && n > 0:
			pc.Processes = append(pc.Processes, ProcessSockets{PID: pid, Command: readComm(filepath.Join(dir, "comm")), Total: n, States: states})
		}
	}
	pc.Unattributed = len(inodes) - len(found)
	sort.Slice(pc.Processes, func(i, j int) bool {
		a, b := pc.Processes[i], pc.Processes[j]
		if a.Total != b.Total {
			return a.Total > b.Total
		}
		return a.PID < b.PID
	})
	return pc, nil
}

// scanStates counts one process's descriptors that are wanted sockets.
func scanStates(dir string, inodes map[uint64]State, found map[uint64]struct{}) (map[State]int, int, error) {
	fdDir := filepath.Join(dir, "fd")
	fds, err := os.ReadDir(fdDir)
	if err != nil {
		return nil, 0, err
	}
	var states map[State]int
	n := 0
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
		if err != nil {
			continue
		}
		ino, ok := socketInode(target)
		if !ok {
			continue
		}
		if st, ok := inodes[ino]; ok {
			if states == nil {
				states = make(map[State]int)
			}
			states[st]++
			found[ino] = struct{}{}
			n++
		}
	}
	return states, n, nil
}
