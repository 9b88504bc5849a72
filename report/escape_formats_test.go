package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/rules"
)

// hostileNamespaces is a result with findings in namespaces named after a
// process whose comm holds a newline, ESC and a backslash, and after a pod
// (namespace/name).
func hostileNamespaces(t *testing.T) rules.Result {
	t.Helper()
	ports := hostResult(t, "port-exhaustion")
	return pipeline.Merge([]pipeline.NamespaceAudit{{
		Namespace: netns.Namespace{ID: netns.HostID, Inode: 1, Identity: netns.Identity{Kind: netns.KindHost, Name: "host"}},
		Audit:     &pipeline.Audit{Result: hostResult(t, "healthy")},
	}, {
		Namespace: netns.Namespace{ID: "net:[20]", Inode: 20, PIDs: []int{200}, Identity: netns.Identity{Kind: netns.KindProcess, Name: "q\\b\nd\x1b[1m[200]"}},
		Audit:     &pipeline.Audit{Result: ports},
	}, {
		Namespace: netns.Namespace{ID: "net:[21]", Inode: 21, PIDs: []int{201}, Identity: netns.Identity{Kind: netns.KindPod, Name: "prod/api-5"}},
		Audit:     &pipeline.Audit{Result: ports},
	}})
}

// TestJUnitHostileNames: a namespace name's newline and ESC reach the
// JUnit test case names as \n and \x1b, as text shows them, its backslash
// doubled; nothing control or U+FFFD is left.
func TestJUnitHostileNames(t *testing.T) {
	var b bytes.Buffer
	if err := (JUnit{Now: testOptions.Now, Hostname: "h"}).Write(&b, hostileNamespaces(t)); err != nil {
		t.Fatal(err)
	}
	var suite struct {
		Cases []struct {
			Name string `xml:"name,attr"`
		} `xml:"testcase"`
	}
	if err := xml.Unmarshal(b.Bytes(), &suite); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range suite.Cases {
		if strings.ContainsAny(c.Name, "\n\x1b\uFFFD") {
			t.Errorf("test case name %q holds a control character", c.Name)
		}
		found = found || strings.HasSuffix(c.Name, ` [q\\b\nd\x1b[1m[200]]`)
	}
	if !found || strings.Contains(b.String(), "\uFFFD") {
		t.Errorf("want the name escaped as q\\\\b\\nd\\x1b[1m[200] in:\n%s", b.String())
	}
}

// TestSARIFHostileNames: namespace_name and the logical locations show the
// name escaped; a "/" of a pod's name is \/ in its segment, so the fully
// qualified name has HOST, netns, the name and the key as its segments.
func TestSARIFHostileNames(t *testing.T) {
	var b bytes.Buffer
	if err := (SARIF{Hostname: "h"}).Write(&b, hostileNamespaces(t)); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				Locations []struct {
					LogicalLocations []struct{ Name, FullyQualifiedName string } `json:"logicalLocations"`
				} `json:"locations"`
				Properties map[string]any `json:"properties"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, r := range log.Runs[0].Results {
		name, _ := r.Properties["namespace_name"].(string)
		if name == "" {
			continue
		}
		names[name] = true
		for _, l := range r.Locations {
			for _, ll := range l.LogicalLocations {
				fq := ll.FullyQualifiedName
				if strings.ContainsAny(fq+ll.Name, "\n\x1b") {
					t.Errorf("logical location %q holds a control character", fq)
				}
				segs := strings.Split(strings.ReplaceAll(fq, `\/`, "\x00"), "/")
				if len(segs) != 4 || segs[0] != "h" || segs[1] != "netns" || segs[3] != ll.Name {
					t.Errorf("logical location %q: segments %q, want h, netns, the name, %s", fq, segs, ll.Name)
				}
				switch name {
				case "prod/api-5":
					if segs[2] != "prod\x00api-5" {
						t.Errorf("pod segment of %q, want prod\\/api-5", fq)
					}
				case `q\\b\nd\x1b[1m[200]`:
					if segs[2] != `q\\b\nd\x1b[1m[200]` {
						t.Errorf("segment of %q, want the escaped name", fq)
					}
				}
			}
		}
	}
	for _, want := range []string{"prod/api-5", `q\\b\nd\x1b[1m[200]`} {
		if !names[want] {
			t.Errorf("no result with namespace_name %s: %v", want, names)
		}
	}
}
