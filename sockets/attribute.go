package sockets

import (
	"fmt"

	"github.com/tcpaudit/tcpaudit/audit"
)

// attributes reports whether the view will attribute sockets to
// processes: those of every state for ByProcess, the CLOSE_WAIT ones for
// ByState unless o.NoOwners is set.
func (o Options) attributes() bool {
	return o.By == ByProcess || o.By == ByState && !o.NoOwners
}

// attribute finds the processes holding the sockets (see attributes),
// with prep, for ByState only when there are CLOSE_WAIT sockets. A
// failure becomes a note.
func (v *View) attribute(fsys audit.FS, prep *audit.Prepared, o Options) {
	if !o.attributes() || o.By == ByState && v.Census.Count(audit.CloseWait) == 0 {
		return
	}
	if note := audit.UnacceptedNote(v.Census.Unaccepted); note != "" {
		v.Notes = append(v.Notes, note)
	}
	pc, err := prep.ProcessesOf(v.Census, v.Source)
	if err != nil {
		v.Notes = append(v.Notes, "process attribution failed: "+err.Error())
		v.AttributionFailed = true
		return
	}
	v.Processes = &pc
	if closed := v.closedSince(fsys, &pc); closed > 0 {
		v.Notes = append(v.Notes, counted(closed, "CLOSE_WAIT socket", "CLOSE_WAIT sockets")+
			" closed before they could be attributed (between the census and the scan of processes)")
	}
	if pc.Unattributed > 0 {
		v.Notes = append(v.Notes, unattributedNote(pc, fsys.Root()))
	}
}

// closedSince takes the unattributed CLOSE_WAIT sockets that are gone after
// the scan out of pc.Unattributed and returns how many: they closed, no
// process hid them.
func (v *View) closedSince(fsys audit.FS, pc *audit.ProcessCensus) int {
	if pc.Unattributed == 0 || pc.Unheld.Len() == 0 {
		return 0
	}
	left := pc.Unheld
	before := left.Len()
	if fsys.StillCloseWait(v.Source, left) != nil {
		return 0
	}
	closed := min(before-left.Len(), pc.Unattributed)
	pc.Unattributed -= closed
	return closed
}

// unattributedNote says why some sockets have no owner: processes that
// could not be read, or no process under the proc root holding them
// (see audit.UnheldCauses).
func unattributedNote(pc audit.ProcessCensus, procRoot string) string {
	socks := counted(pc.Unattributed, "socket", "sockets") + " not attributed to a process: "
	procs := counted(pc.Unreadable, "process", "processes")
	switch {
	case pc.Unreadable > 0 && pc.Root:
		return socks + "no process that could be read holds them; " + procs + " could not be read, even as root (their descriptors are denied to this process)"
	case pc.Unreadable > 0:
		return socks + procs + " could not be read (run as root)"
	}
	if pc.Scoped && !pc.Root {
		return socks + "no process of this network namespace that this user can see holds them (run as root: the namespaces of other users' processes cannot be read, and only the namespace's own processes are searched)"
	}
	if pc.Scoped {
		return socks + "no process of this network namespace holds them (closed since the census, or held by a process of another network namespace: only the namespace's own processes are searched)"
	}
	return socks + "no process under " + procRoot + " holds them (" + audit.UnheldCauses(pc.Method) + ")"
}

// counted is "1 socket" or "N sockets".
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
