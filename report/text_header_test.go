package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/rules"
)

// TestTextHeader: the header counts sockets in the right number and names
// the census source.
func TestTextHeader(t *testing.T) {
	tests := []struct {
		name    string
		total   int
		sources []rules.SourceStatus
		want    string
	}{
		{"netlink", 3, []rules.SourceStatus{{Source: "netlink", OK: true}}, "3 sockets (netlink)"},
		{"proc after netlink refused", 1, []rules.SourceStatus{{Source: "netlink"}, {Source: "net/tcp", OK: true}}, "1 socket (/proc)"},
		{"tcp6 only", 2, []rules.SourceStatus{{Source: "net/tcp"}, {Source: "net/tcp6", OK: true}}, "2 sockets (/proc)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := rules.Result{Profile: "baseline", Sockets: &rules.Sockets{Total: tt.total}, Sources: tt.sources}
			var b bytes.Buffer
			if err := (Text{}).Write(&b, res); err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(b.String(), "\n")
			if !strings.HasSuffix(first, tt.want) {
				t.Errorf("header %q, want it to end with %q", first, tt.want)
			}
		})
	}
}
