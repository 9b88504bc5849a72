package audit

// NoSocketsNote is the census note of a namespace whose socket table was
// not dumped because net/sockstat and net/sockstat6 count no TCP socket
// in it (see FS.InScope).
const NoSocketsNote = "no TCP socket in this namespace (net/sockstat and net/sockstat6 count none): its sockets were not dumped"

// noTCPSockets reports whether net/sockstat and net/sockstat6 count no TCP
// socket: TCP inuse, TCP tw and TCP6 inuse all 0. They count the sockets
// of the reader's namespace alone: inuse counts the hashed sockets
// (listening, connecting, connected, orphaned), tw the TIME_WAIT ones, and
// a SYN_RECV request, which neither counts, needs a listener
// (docs/kernel-facts.md §36). A file missing, unreadable or without those
// fields answers false: the table is dumped.
func (fsys FS) noTCPSockets() bool {
	s, err := fsys.Sockstat()
	if err != nil {
		return false
	}
	for _, f := range []struct{ proto, field string }{{"TCP", "inuse"}, {"TCP", "tw"}, {"TCP6", "inuse"}} {
		if n, ok := s.Get(f.proto, f.field); !ok || n != 0 {
			return false
		}
	}
	return true
}
