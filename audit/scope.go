package audit

// Scope narrows an FS to one network namespace among several audited from
// the same live /proc (check --all-netns): the thread reading has entered
// the namespace, which its sysctls and netlink sockets follow; the rest
// must be told.
type Scope struct {
	// Net is the directory the net/* sources are read from:
	// /proc/thread-self/net, since /proc/net follows the thread-group
	// leader, not the thread that entered the namespace
	// (docs/kernel-facts.md §25). "" means the proc root's net.
	Net string
	// PIDs are the processes searched for the owners of sockets: those of
	// the namespace, which hold its sockets, rather than every process of
	// the host, which would cost a read of every descriptor of the host
	// for each namespace. nil searches every process; empty, none.
	PIDs []int
	// Pass holds the namespace's sockets as the socket pass saw them
	// (SocketPass.Namespace); nil when none was taken. The census comes
	// from it, and the owners of the sockets too, instead of from a walk
	// of the kernel's table when net/sockstat shows the pass saw every
	// socket of the namespace (docs/kernel-facts.md §49).
	Pass *PassSockets
}

// InScope returns a reader of the same proc root narrowed to s. It also
// takes the tcp_info of CLOSE_WAIT sockets in the census dump rather than
// in a second one: the kernel walks the sockets of every namespace for
// each dump (docs/kernel-facts.md §25), so a dump costs as much as the
// host's sockets, whatever the namespace holds; and it dumps nothing in a
// namespace whose net/sockstat and net/sockstat6 count no TCP socket (the
// census is empty, with NoSocketsNote).
func (fsys FS) InScope(s Scope) FS {
	fsys.scope = &s
	return fsys
}

// scoped reports whether the owners of sockets are searched among the
// processes of the scope's namespace only.
func (fsys FS) scoped() bool { return fsys.scope != nil && fsys.scope.PIDs != nil }

// scopedBy reports whether an attribution by method m searched the
// namespace's own processes only: the descriptor scan of a scope does; the
// iterator and the socket pass walk every process of the host.
func (fsys FS) scopedBy(m AttributionMethod) bool { return fsys.scoped() && m == AttributionFDScan }

// netDir returns the directory of the net/* sources, "" for root/net.
func (fsys FS) netDir() string {
	if fsys.scope == nil {
		return ""
	}
	return fsys.scope.Net
}
