package pipeline

import "github.com/tcpaudit/tcpaudit/audit"

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
