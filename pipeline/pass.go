package pipeline

import "github.com/tcpaudit/tcpaudit/audit"

// socketPass takes the socket pass (audit.TakePass) for an audit of n
// namespaces whose census source is auto: one BPF pass over every
// process's descriptors that spares each namespace whose sockets it saw
// whole the walk of the kernel's table, which costs as much as every
// namespace's sockets (docs/kernel-facts.md §48). It is nil, and every
// namespace is walked as before, for one namespace, another source, or
// where the pass cannot be taken (not root, no BTF, a kernel before 5.11,
// outside the initial PID namespace).
func socketPass(o Options, n int) *audit.SocketPass {
	if n < 2 || (o.Census != "" && o.Census != audit.CensusAuto) || !audit.IsLive(o.ProcRoot) {
		return nil
	}
	p, err := audit.TakePass()
	if err != nil {
		return nil
	}
	return p
}

// CensusOf says where the socket census of f came from: "bpf-iter" for the
// socket pass, else the source (netlink or proc); "" when f has none.
func CensusOf(f *audit.Facts) string {
	switch {
	case f == nil || f.Census == nil:
		return ""
	case f.CensusPass:
		return "bpf-iter"
	}
	return string(f.CensusSource)
}
