package report

import (
	"fmt"
	"slices"

	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/watch"
)

// watchNS names the namespaces of a watch report over every namespace, as
// check --all-netns names them: by their ip netns, container or pod name.
type watchNS struct {
	// all is set when every namespace was watched: rows then have a
	// NAMESPACE column and findings a heading per namespace.
	all   bool
	byIno map[uint32]watch.Keys
	byID  map[string]watch.Keys
}

// watchNamespaces indexes the namespaces of r (escaped already).
func watchNamespaces(r watch.Report) watchNS {
	ns := watchNS{all: r.Netns == 0, byIno: map[uint32]watch.Keys{}, byID: map[string]watch.Keys{}}
	for _, n := range r.Namespaces {
		ns.byIno[n.Inode], ns.byID[n.ID] = n.Keys, n.Keys
	}
	return ns
}

// name is the namespace of inode ino for a table: its name, else its ID.
func (ns watchNS) name(ino uint32) string {
	k, ok := ns.byIno[ino]
	switch {
	case ok && k.Name != "":
		return k.Name
	case ok && k.ID != "":
		return k.ID
	case ino == 0:
		return "-"
	}
	return fmt.Sprintf("net:[%d]", ino)
}

// heading is the line above the findings about the namespace with ID id
// ("" the host's): "Namespace NAME (ID)", or "Host namespace".
func (ns watchNS) heading(id string) string {
	k := ns.byID[id]
	switch {
	case id == "":
		return "Host namespace"
	case k.Name != "" && k.Name != id:
		return fmt.Sprintf("Namespace %s (%s)", k.Name, id)
	}
	return "Namespace " + id
}

// header is a table's header, with the NAMESPACE column first when every
// namespace was watched.
func (ns watchNS) header(cols ...string) []string {
	if !ns.all {
		return cols
	}
	return slices.Insert(cols, 0, "NAMESPACE")
}

// row is a table's row, with the name of the namespace of inode ino first
// when every namespace was watched.
func (ns watchNS) row(ino uint32, cells ...any) []any {
	if !ns.all {
		return cells
	}
	return slices.Insert(cells, 0, any(ns.name(ino)))
}

// groups returns the findings by namespace, each namespace once, in the
// order of its first finding.
func (ns watchNS) groups(found []rules.Finding) [][]rules.Finding {
	index := map[string]int{}
	var out [][]rules.Finding
	for _, f := range found {
		i, ok := index[f.Namespace]
		if !ok {
			i = len(out)
			index[f.Namespace] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], f)
	}
	return out
}
