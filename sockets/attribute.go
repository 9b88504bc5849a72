package sockets

import (
	"fmt"

	"github.com/tcpaudit/tcpaudit/audit"
)

// attribute finds the processes holding the sockets: those of every state
// for ByProcess; for ByState the CLOSE_WAIT sockets, when there are any and
// o.NoOwners is not set. A failure becomes a note.
func (v *View) attribute(fsys audit.FS, o Options) {
	inodes := v.Census.Inodes()
	if o.By != ByProcess {
		if o.By != ByState || o.NoOwners || len(v.Census.CloseWaitInodes()) == 0 {
			return
		}
		inodes = make(map[uint64]audit.State, len(v.Census.CloseWaitInodes()))
		for ino := range v.Census.CloseWaitInodes() {
			inodes[ino] = audit.CloseWait
		}
	}
	pc, err := fsys.Processes(inodes)
	if err != nil {
		v.Notes = append(v.Notes, "process attribution failed: "+err.Error())
		return
	}
	v.Processes = &pc
	if pc.Unattributed > 0 {
		v.Notes = append(v.Notes, unattributedNote(pc, fsys.Root()))
	}
}

// unattributedNote says why some sockets have no owner: processes that
// could not be read, or no process under the proc root holding them
// (closed since the census, or held in another PID namespace).
func unattributedNote(pc audit.ProcessCensus, procRoot string) string {
	socks := counted(pc.Unattributed, "socket", "sockets") + " not attributed to a process: "
	procs := counted(pc.Unreadable, "process", "processes")
	switch {
	case pc.Unreadable > 0 && pc.Root:
		return socks + procs + " could not be read, even as root (their descriptors are denied to this process)"
	case pc.Unreadable > 0:
		return socks + procs + " could not be read (run as root)"
	}
	return socks + "no process under " + procRoot + " holds them (closed since the census, or held in another PID namespace)"
}

// counted is "1 socket" or "N sockets".
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
