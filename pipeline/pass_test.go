package pipeline

import (
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
)

// TestCensusOf: the source of a namespace's census, and none for a
// namespace whose sockets were not dumped (sockstat counted none).
func TestCensusOf(t *testing.T) {
	c := audit.NewCensus(1, 0)
	for _, tc := range []struct {
		f    *audit.Facts
		want string
	}{
		{nil, ""},
		{&audit.Facts{}, ""},
		{&audit.Facts{Census: c, CensusSource: audit.CensusNetlink}, "netlink"},
		{&audit.Facts{Census: c, CensusSource: audit.CensusNetlink, CensusPass: true}, "bpf-iter"},
		{&audit.Facts{Census: c, CensusSource: audit.CensusNetlink, CensusNote: audit.NoSocketsNote}, ""},
	} {
		if got := CensusOf(tc.f); got != tc.want {
			t.Errorf("CensusOf(%+v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}
