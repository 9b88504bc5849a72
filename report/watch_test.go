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
	for _, want := range []string{`network namespace ns\x1b[2J (named, net:[1])`, "TIME_WAIT CREATED BY PROCESS", "watch-close-wait-leak", "WARNING 1 findings"} {
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
