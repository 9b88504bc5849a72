package report

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
)

// TestPrometheusHostileLabels: a namespace whose name holds ESC, BEL, a
// newline and a byte that is not UTF-8 is exposed with those made visible:
// the output parses with expfmt, and no label value holds a control
// character.
func TestPrometheusHostileLabels(t *testing.T) {
	res := boundedResult()
	hostile := "nu-e\x1b[32mx\a\nfake\xff"
	res.Namespaces[1].Name = hostile
	var b bytes.Buffer
	if err := (Prometheus{Version: "test"}).Write(&b, res); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b\a") {
		t.Errorf("raw control characters in the exposition:\n%q", b.String())
	}
	found := false
	for _, mf := range parseProm(t, b.Bytes()) {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if strings.IndexFunc(l.GetValue(), unicode.IsControl) >= 0 {
					t.Errorf("%s: label %s=%q holds a control character", mf.GetName(), l.GetName(), l.GetValue())
				}
				found = found || l.GetValue() == `nu-e\x1b[32mx\x07\nfake\xff`
			}
		}
	}
	if !found {
		t.Errorf("no series names the namespace as nu-e\\x1b[32mx\\x07\\nfake\\xff:\n%s", b.String())
	}
	if got := LabelValue("ok-name_1.2"); got != "ok-name_1.2" {
		t.Errorf("LabelValue changed a plain name: %q", got)
	}
}
