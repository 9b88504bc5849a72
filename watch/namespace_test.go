package watch

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/rules"
)

// TestProjectionsPerNamespace: with every namespace watched, each
// destination's projection divides by the port range of the namespace its
// connections were made in, each namespace's creation is judged by its own
// tcp_max_tw_buckets, and the findings name the namespace; a namespace
// whose keys are unknown gets no share and no finding, never another's
// range.
func TestProjectionsPerNamespace(t *testing.T) {
	app := Owner{PID: 42, Command: "app"}
	to := dest("10.0.0.1:443")
	last := Reading{Source: FromBPF, At: t0.Add(10 * time.Second), TimeWait: map[Creator]uint64{
		{Owner: app, Netns: 1, Destination: to}: 500, // 50/s: 3000 ports, 11% of the host's range
		{Owner: app, Netns: 2, Destination: to}: 500, // 3000 ports of 100, 3000 entries of 2000 buckets
		{Owner: app, Netns: 3, Destination: to}: 500, // keys unknown
	}}
	o := Options{Top: 5, Limits: DefaultLimits(), Namespaces: map[uint32]Keys{
		1: {PortRange: PortRange{Low: 32768, High: 60999}, MaxTWBuckets: 262144},
		2: {ID: "net:[2]", Name: "narrow", PortRange: PortRange{Low: 40000, High: 40099}, MaxTWBuckets: 2000},
	}}
	r := Summarize(Reading{At: t0}, last, o)
	shares := map[uint32]Projection{}
	for _, p := range r.TimeWaitByDestination {
		shares[p.Netns] = p
	}
	if p := shares[1]; p.PortRange.Size() != 28232 || p.Share != 3000.0/28232 {
		t.Errorf("host projection %+v: want 3000 of 28232 ports", p)
	}
	if p := shares[2]; p.PortRange != (PortRange{Low: 40000, High: 40099}) || p.Share != 30 {
		t.Errorf("narrow projection %+v: want 3000 of its 100 ports", p)
	}
	if p := shares[3]; p.PortRange.Size() != 0 || p.Share != 0 {
		t.Errorf("unknown namespace's projection %+v: want no range and no share", p)
	}
	churn := findingsOf(r.Findings, TimeWaitChurn)
	if len(churn) != 1 || churn[0].Namespace != "net:[2]" || churn[0].Severity != rules.Critical || churn[0].Evidence["range"] != 100 {
		t.Errorf("churn findings %+v: want one critical about net:[2] and its 100 ports", churn)
	}
	buckets := findingsOf(r.Findings, TimeWaitBuckets)
	if len(buckets) != 1 || buckets[0].Namespace != "net:[2]" || buckets[0].Evidence["limit"] != 2000 {
		t.Errorf("bucket findings %+v: want one about net:[2] and its 2000 buckets", buckets)
	}
	var unknown NamespaceRates
	for _, n := range r.Namespaces {
		if n.Inode == 3 {
			unknown = n
		}
	}
	want := NamespaceRates{Inode: 3, Keys: Keys{ID: "net:[3]", Unread: "not found when watch read the namespaces' sysctls"}, TimeWaitCreated: Rate{500, 50}}
	if d := cmp.Diff(want, unknown); d != "" {
		t.Errorf("unknown namespace (-want +got):\n%s", d)
	}
}
