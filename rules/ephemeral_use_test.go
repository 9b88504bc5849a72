package rules_test

import (
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/rules"
)

func TestResultEphemeralFromFixture(t *testing.T) {
	e := rules.NewEngine()
	f, err := audit.Gather(audit.Options{ProcRoot: filepath.Join("..", "testdata", "hosts", "port-exhaustion"), Keys: e.Keys()})
	if err != nil {
		t.Fatal(err)
	}
	res := e.Evaluate(f, rules.Config{Profile: "none"})
	if len(res.Ephemeral) == 0 || len(res.Ephemeral) > rules.EphemeralTop {
		t.Fatalf("%d destinations, want 1..%d", len(res.Ephemeral), rules.EphemeralTop)
	}
	top := res.Ephemeral[0]
	flow := audit.Flow{Local: netip.MustParseAddr("10.0.1.5"), Remote: netip.MustParseAddr("10.0.2.10"), RemotePort: 5432}
	use := f.Census.Ephemeral[flow]
	want := rules.EphemeralUse{Local: "10.0.1.5", Remote: "10.0.2.10", RemotePort: 5432,
		Sockets: use.Sockets, TimeWait: use.TimeWait, Usable: top.Usable, Share: float64(use.Sockets) / float64(top.Usable)}
	if d := cmp.Diff(want, top); d != "" {
		t.Errorf("top destination (-want +got):\n%s", d)
	}
	if top.Usable <= 0 || top.Usable > 60999-32768+1 {
		t.Errorf("usable = %d, outside the default range size", top.Usable)
	}
	for i := 1; i < len(res.Ephemeral); i++ {
		if res.Ephemeral[i].Sockets > res.Ephemeral[i-1].Sockets {
			t.Errorf("not sorted by sockets: %+v before %+v", res.Ephemeral[i-1], res.Ephemeral[i])
		}
	}
}

func TestResultEphemeralTopAndUsable(t *testing.T) {
	c := audit.NewCensus(40000, 40099)
	listen := audit.Socket{Local: netip.MustParseAddr("10.0.0.1"), LocalPort: 40050, State: audit.Listen}
	c.Add(&listen)
	for dest := 1; dest <= 12; dest++ {
		for i := 0; i < dest; i++ {
			s := audit.Socket{Local: netip.MustParseAddr("10.0.0.1"), LocalPort: uint16(40000 + i),
				Remote: netip.AddrFrom4([4]byte{10, 0, 1, byte(dest)}), RemotePort: 443, State: audit.Established}
			c.Add(&s)
		}
	}
	f := audit.NewFacts(audit.Facts{Sysctls: map[string]string{audit.PortRangeKey: "40000 40099", "net.ipv4.ip_local_reserved_ports": "40090-40099"}, Census: c}, audit.SourceSockets)
	res := rules.Engine{}.Evaluate(f, rules.Config{})
	if len(res.Ephemeral) != rules.EphemeralTop {
		t.Fatalf("%d destinations, want the top %d", len(res.Ephemeral), rules.EphemeralTop)
	}
	// 100 ports, 10 reserved, 1 listening.
	want := rules.EphemeralUse{Local: "10.0.0.1", Remote: "10.0.1.12", RemotePort: 443, Sockets: 12, Usable: 89, Share: 12.0 / 89}
	if d := cmp.Diff(want, res.Ephemeral[0]); d != "" {
		t.Errorf("top destination (-want +got):\n%s", d)
	}
	if last := res.Ephemeral[rules.EphemeralTop-1]; last.Sockets != 3 {
		t.Errorf("last listed destination has %d sockets, want 3", last.Sockets)
	}
	if res := (rules.Engine{}).Evaluate(audit.NewFacts(audit.Facts{}), rules.Config{}); res.Ephemeral != nil {
		t.Errorf("no census: Ephemeral = %v, want nil", res.Ephemeral)
	}
}
