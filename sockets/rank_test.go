package sockets

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
)

// rankView is a census of a few sockets, ephemeral range 40000-40099:
// listeners on 80 (half full), 443 (full), 22 and 8080 (backlog unknown,
// as from /proc); two accepted sockets on 443; three sockets to
// 10.0.0.9:5432, one of them in TIME_WAIT, and one to 10.0.0.8:6379.
func rankView(t *testing.T) *View {
	t.Helper()
	o := Options{By: ByPort}
	c := newCensus(o, o.states(), 40000, 40099)
	local, db, cache := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.9"), netip.MustParseAddr("10.0.0.8")
	any4 := netip.IPv4Unspecified()
	for _, s := range []audit.Socket{
		{Local: any4, LocalPort: 8080, State: audit.Listen},
		{Local: any4, LocalPort: 80, State: audit.Listen, RxQueue: 64, Backlog: 128},
		{Local: any4, LocalPort: 443, State: audit.Listen, RxQueue: 10, Backlog: 10},
		{Local: any4, LocalPort: 22, State: audit.Listen},
		{Local: local, LocalPort: 443, Remote: cache, RemotePort: 50000, State: audit.Established},
		{Local: local, LocalPort: 443, Remote: cache, RemotePort: 50001, State: audit.Established},
		{Local: local, LocalPort: 40001, Remote: db, RemotePort: 5432, State: audit.Established},
		{Local: local, LocalPort: 40002, Remote: db, RemotePort: 5432, State: audit.Established},
		{Local: local, LocalPort: 40003, Remote: db, RemotePort: 5432, State: audit.TimeWait},
		{Local: local, LocalPort: 40004, Remote: cache, RemotePort: 6379, State: audit.Established},
	} {
		c.Add(&s)
	}
	return &View{By: o.By, Census: c}
}

func TestListenersByFill(t *testing.T) {
	var got []uint16
	for _, l := range rankView(t).Listeners() {
		got = append(got, l.Port)
	}
	if d := cmp.Diff([]uint16{443, 80, 22, 8080}, got); d != "" {
		t.Errorf("listeners: fullest first, unknown backlog last, then by port (-want +got):\n%s", d)
	}
}

func TestDestinations(t *testing.T) {
	local := netip.MustParseAddr("10.0.0.1")
	want := []Destination{
		{Flow: audit.Flow{Local: local, Remote: netip.MustParseAddr("10.0.0.9"), RemotePort: 5432}, Use: audit.FlowUse{Sockets: 3, TimeWait: 1}, Share: 0.03},
		{Flow: audit.Flow{Local: local, Remote: netip.MustParseAddr("10.0.0.8"), RemotePort: 6379}, Use: audit.FlowUse{Sockets: 1}, Share: 0.01},
	}
	if d := cmp.Diff(want, rankView(t).Destinations(), cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); d != "" {
		t.Errorf("destinations (-want +got):\n%s", d)
	}
}

func TestPorts(t *testing.T) {
	want := []Port{{Port: 443, Sockets: 2, Listening: true}, {Port: 40001, Sockets: 1}, {Port: 40002, Sockets: 1},
		{Port: 40003, Sockets: 1}, {Port: 40004, Sockets: 1}}
	if d := cmp.Diff(want, rankView(t).Ports()); d != "" {
		t.Errorf("ports: most sockets first, then by port (-want +got):\n%s", d)
	}
}
