package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/sockets"
)

// SocketsNamespacesJSON writes the socket views of several network
// namespaces (`sockets --all-netns --format json`): one object per
// namespace with who it is and its view, or why it was skipped.
type SocketsNamespacesJSON struct{}

type socketsNamespaceJSON struct {
	ID    string `json:"id"`
	Inode uint64 `json:"inode"`
	netns.Identity
	PIDs    []int        `json:"pids"`
	Skipped string       `json:"skipped,omitempty"`
	View    *socketsJSON `json:"view,omitempty"`
}

// Write renders the views as one indented JSON document.
func (SocketsNamespacesJSON) Write(w io.Writer, views []sockets.Namespace) error {
	doc := struct {
		Namespaces []socketsNamespaceJSON `json:"namespaces"`
	}{Namespaces: []socketsNamespaceJSON{}}
	for _, v := range views {
		n := rules.NamespaceOf(v.Namespace, rules.Result{}, v.Skipped)
		o := socketsNamespaceJSON{ID: n.ID, Inode: n.Inode, Identity: n.Identity, PIDs: n.PIDs, Skipped: n.Skipped}
		if v.View != nil {
			d := socketsDocument(v.View)
			d.Listeners = listenersOf(v.View)
			o.View = &d
		}
		doc.Namespaces = append(doc.Namespaces, o)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// SocketsNamespacesText writes the socket views of several network
// namespaces, a section per namespace, the host's first.
type SocketsNamespacesText struct {
	Color bool
}

// Write renders the views.
func (t SocketsNamespacesText) Write(w io.Writer, views []sockets.Namespace) error {
	for i, v := range views {
		n := escaped(rules.NamespaceOf(v.Namespace, rules.Result{}, v.Skipped))
		sep := "\n"
		if i == 0 {
			sep = ""
		}
		if _, err := fmt.Fprintf(w, "%s== %s ==\n", sep, namespaceLabel(n)); err != nil {
			return err
		}
		if v.View == nil {
			if _, err := fmt.Fprintf(w, "skipped: %s\n", n.Skipped); err != nil {
				return err
			}
			continue
		}
		if err := SocketsText(t).Write(w, v.View); err != nil {
			return err
		}
	}
	return nil
}
