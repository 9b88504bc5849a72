package rules

import "github.com/tcpaudit/tcpaudit/netns"

// Namespace describes one network namespace of a result that covers
// several: who it is, its sockets, and why it was skipped when it was.
type Namespace struct {
	// ID is what the findings about it carry in Finding.Namespace ("host"
	// for the host's, whose findings carry "").
	ID    string `json:"id"`
	Inode uint64 `json:"inode"`
	netns.Identity
	// PIDs are a few of its processes, the lowest PIDs.
	PIDs []int `json:"pids"`
	// Sockets is nil when it was skipped or no census could be taken.
	Sockets *Sockets `json:"sockets"`
	// Census says where the census came from: netlink, bpf-iter (the
	// socket pass, audit.SocketPass) or proc; "" when none was taken. Set
	// by the caller, which knows the facts.
	Census string `json:"census,omitempty"`
	// Failed counts the rules that failed in it.
	Failed int `json:"failed"`
	// Skipped says why it was not audited; "" when it was.
	Skipped string `json:"skipped,omitempty"`
	// SkippedRules are the rules skipped in it, with the reason, when it
	// is not the namespace whose evaluations the result lists (the
	// host's): the rules reading a global key, judged once with the
	// host's namespace, and those whose source it lacks.
	SkippedRules []Evaluation `json:"skipped_rules,omitempty"`
	// Conntrack is its conntrack table's use, for the per-namespace
	// Prometheus series; nil when conntrack was not read there.
	Conntrack *ConntrackUsage `json:"-"`
}

// NamespaceOf describes ns for a result, with the sockets and the failed
// rules of its own result res (the zero Result when it was skipped).
func NamespaceOf(ns netns.Namespace, res Result, skipped string) Namespace {
	n := Namespace{ID: ns.ID, Inode: ns.Inode, Identity: ns.Identity, PIDs: ns.PIDs, Sockets: res.Sockets, Skipped: skipped, Conntrack: res.Conntrack}
	if n.PIDs == nil {
		n.PIDs = []int{}
	}
	for _, e := range res.Evaluations {
		if e.Status == Failed {
			n.Failed++
		}
	}
	return n
}
