package pipeline

import "github.com/tcpaudit/tcpaudit/audit"

// CensusOf says where the socket census of f came from: "bpf-iter" for the
// socket pass, else the source (netlink or proc); "" when f has none or
// none was taken (a namespace whose sockstat counts no socket).
func CensusOf(f *audit.Facts) string {
	switch {
	case f == nil || f.Census == nil || f.CensusNote == audit.NoSocketsNote:
		return "" // none taken: an empty namespace is not dumped
	case f.CensusPass:
		return "bpf-iter"
	}
	return string(f.CensusSource)
}
