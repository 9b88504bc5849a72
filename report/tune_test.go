package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/tune"
)

// TestTuneWindow: text and JSON say when the readings were taken.
func TestTuneWindow(t *testing.T) {
	start := time.Date(2026, 12, 3, 23, 10, 1, 123e6, time.UTC)
	r := tune.Report{Readings: 3, Span: 6.3, Start: start, End: start.Add(6300 * time.Millisecond), Source: "netlink", Proposals: []tune.Proposal{}}
	var b bytes.Buffer
	if err := (TuneText{}).Write(&b, r); err != nil {
		t.Fatal(err)
	}
	if want := "3 readings over 6.3 s, 23:10:01.123 to 23:10:07.423 UTC (census source netlink)"; !strings.Contains(b.String(), want) {
		t.Errorf("text lacks %q:\n%s", want, b.String())
	}
	b.Reset()
	if err := (TuneJSON{}).Write(&b, r); err != nil {
		t.Fatal(err)
	}
	var got struct{ Start, End time.Time }
	if err := json.Unmarshal(b.Bytes(), &got); err != nil || !got.Start.Equal(r.Start) || !got.End.Equal(r.End) {
		t.Errorf("JSON start %s, end %s (%v):\n%s", got.Start, got.End, err, b.String())
	}
}
