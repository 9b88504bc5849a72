package report

import (
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/rules"
)

// TestNamespaceNamedHost: an ip netns namespace called "host" and two
// containers of one name are never shown by their names alone, in the text
// fold, markdown and JUnit; a unique name stays as it is.
func TestNamespaceNamedHost(t *testing.T) {
	ns := func(id string, kind netns.Kind, name string) rules.Namespace {
		return rules.Namespace{ID: id, Identity: netns.Identity{Kind: kind, Name: name}, Sockets: &rules.Sockets{}}
	}
	res := rules.Result{Profile: "baseline", Namespaces: []rules.Namespace{
		ns(netns.HostID, netns.KindHost, "host"), ns("net:[11]", netns.KindNamed, "host"),
		ns("net:[12]", netns.KindContainer, "web"), ns("net:[13]", netns.KindContainer, "web"),
		ns("net:[14]", netns.KindNamed, "solo")}}
	for _, id := range []string{"net:[11]", "net:[12]", "net:[13]", "net:[14]"} {
		res.Findings = append(res.Findings, rules.Finding{Rule: "syncookies-disabled", Severity: rules.Warning, Namespace: id, Observed: "0"})
	}
	for _, format := range []string{"text", "markdown", "junit"} {
		var b strings.Builder
		if err := Write(&b, format, res, Options{}); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		out := strings.ReplaceAll(b.String(), `\[`, "[") // markdown escapes brackets
		out = strings.ReplaceAll(out, `\]`, "]")
		for _, want := range []string{"host (net:[11])", "web (net:[12])", "web (net:[13])", "solo"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: %q missing:\n%s", format, want, out)
			}
		}
		if strings.Contains(out, "solo (net:[14])") {
			t.Errorf("%s: a unique name got its ID:\n%s", format, out)
		}
	}
}
