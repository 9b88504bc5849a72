package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/watch"
)

// hostileWatch is a report whose process name, namespace name and finding
// carry terminal escape sequences, as a process can name itself.
func hostileWatch() watch.Report {
	r := watch.Report{Source: watch.FromBPF, Netns: 1, ElapsedS: 10,
		Watched: &watch.Watched{ID: "net:[1]", Identity: netns.Identity{Kind: netns.KindNamed, Name: "ns\x1b[2J"}}, PortRange: watch.PortRange{Low: 32768, High: 60999},
		TimeWaitByProcess: []watch.ProcessRate{{PID: 9, Command: "evil\x1b[2J", Rate: watch.Rate{Count: 10, PerS: 1}}},
		Longest:           []watch.LongLived{{State: "CLOSE_WAIT", AgeS: 70, PID: 9, Command: "evil\x1b[2J", Local: "127.0.0.1:80", Remote: "127.0.0.1:5000"}},
	}
	r.Findings = watch.Judge(r, watch.DefaultLimits())
	return r
}

// TestWatchTextEscapes: process names reach the terminal escaped.
func TestWatchTextEscapes(t *testing.T) {
	var b bytes.Buffer
	if err := (WatchText{}).Write(&b, hostileWatch()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "\x1b") || !strings.Contains(out, `evil\x1b[2J`) {
		t.Errorf("escape sequence not escaped:\n%s", out)
	}
	for _, want := range []string{`network namespace ns\x1b[2J (named, net:[1])`, "TIME_WAIT CREATED BY PROCESS", "watch-close-wait-leak", "WARNING 1 finding\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
}

// TestWatchJSONRoundTrip: the JSON document is the report, with the
// schema version, and keeps raw names (JSON escapes them itself).
func TestWatchJSONRoundTrip(t *testing.T) {
	r := hostileWatch()
	var b bytes.Buffer
	if err := (WatchJSON{}).Write(&b, r); err != nil {
		t.Fatal(err)
	}
	var got struct {
		SchemaVersion int `json:"schema_version"`
		watch.Report
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.SchemaVersion != SchemaVersion {
		t.Errorf("schema_version %d, want %d", got.SchemaVersion, SchemaVersion)
	}
	if d := cmp.Diff(r, got.Report); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
}

// TestWatchTextNamesNamespaces: watching every namespace, the rows name
// each one's namespace in a NAMESPACE column and the findings come under
// a heading naming theirs, as check --all-netns names them: never as a
// bare inode.
func TestWatchTextNamesNamespaces(t *testing.T) {
	rng := watch.PortRange{Low: 40000, High: 40999}
	r := watch.Report{Source: watch.FromBPF, ElapsedS: 8,
		Namespaces: []watch.NamespaceRates{
			{Inode: 1, Keys: watch.Keys{Name: "host", PortRange: watch.PortRange{Low: 32768, High: 60999}}},
			{Inode: 4026539687, Keys: watch.Keys{ID: "net:[4026539687]", Name: "prod/api-5", PortRange: rng, MaxTWBuckets: 131072}},
		},
		TimeWaitByProcess:     []watch.ProcessRate{{PID: 6946, Command: "churn", Netns: 4026539687, Rate: watch.Rate{Count: 600, PerS: 75}}},
		TimeWaitByDestination: []watch.Projection{{Destination: "127.0.0.1:7102", Netns: 4026539687, Rate: watch.Rate{Count: 600, PerS: 75}, TimeWaitPorts: 4500, PortsHeld: 4500, PortRange: rng, Share: 4.5}},
	}
	r.Findings = watch.Judge(r, watch.DefaultLimits())
	if len(r.Findings) == 0 || r.Findings[0].Namespace != "net:[4026539687]" {
		t.Fatalf("want a finding in net:[4026539687], got %+v", r.Findings)
	}
	var b bytes.Buffer
	if err := (WatchText{}).Write(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{
		"NAMESPACE PID COMMAND COUNT PER S", "prod/api-5 6946 churn 600 75.0",
		"NAMESPACE DESTINATION COUNT", "prod/api-5 127.0.0.1:7102 600",
		"Namespace prod/api-5 (net:[4026539687]) watch-time-wait-churn",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "(netns ") {
		t.Errorf("a namespace named by its inode:\n%s", out)
	}
}
