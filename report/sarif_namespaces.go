package report

import (
	"strings"

	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/rules"
)

// namespaceNames maps the ID of each namespace of res to the name a report
// shows for it: its name, followed by its ID where the name alone would be
// taken for another's (an ip netns namespace called "host", two containers
// of one name).
func namespaceNames(res rules.Result) map[string]string {
	seen := make(map[string]int, len(res.Namespaces))
	for _, n := range res.Namespaces {
		seen[n.Name]++
	}
	names := make(map[string]string, len(res.Namespaces))
	for _, n := range res.Namespaces {
		names[n.ID] = n.Name
		if n.ID != netns.HostID && (seen[n.Name] > 1 || n.Name == netns.HostID) {
			names[n.ID] = n.Name + " (" + n.ID + ")"
		}
	}
	return names
}

// inNamespace places the result of a finding about a namespace that is not
// the host's in it: the properties namespace (its ID) and namespace_name,
// logical locations qualified "host/netns/NAME/key", and no physical
// location, since the host's sysctl.d files do not set its keys. Results
// about the host's namespace are left as they are.
func (s SARIF) inNamespace(r sarifResult, f rules.Finding, names map[string]string) sarifResult {
	if f.Namespace == "" {
		return r
	}
	name := names[f.Namespace]
	if name == "" {
		name = f.Namespace
	}
	r.Properties["namespace"] = Escape(f.Namespace)
	r.Properties["namespace_name"] = Escape(name)
	for i := range r.Locations {
		l := &r.Locations[i]
		l.PhysicalLocation = nil
		for j := range l.LogicalLocations {
			ll := &l.LogicalLocations[j]
			ll.FullyQualifiedName = s.Hostname + "/netns/" + segment(name) + "/" + strings.TrimPrefix(ll.FullyQualifiedName, s.Hostname+"/")
		}
	}
	return r
}

// segment is s as one segment of a logical location's fully qualified
// name, whose segments "/" separates: escaped (Escape), every backslash
// doubled, and a "/" of its own (a pod's namespace/name) as \/, so that
// "HOST/netns/a\/b/KEY" cannot be read as a namespace "a" and a key
// "b/KEY".
func segment(s string) string {
	e := Escape(s)
	if e == s { // Escape doubles backslashes only where it escapes
		e = strings.ReplaceAll(s, `\`, `\\`)
	}
	return strings.ReplaceAll(e, "/", `\/`)
}
