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
// namespaces (`sockets --all-netns --format json`) one at a time, as they
// come: one object per namespace with who it is and its view, or why it
// was skipped, in one indented JSON document that Close ends.
type SocketsNamespacesJSON struct {
	W io.Writer
	n int
}

type socketsNamespaceJSON struct {
	ID    string `json:"id"`
	Inode uint64 `json:"inode"`
	netns.Identity
	PIDs    []int        `json:"pids"`
	Skipped string       `json:"skipped,omitempty"`
	View    *socketsJSON `json:"view,omitempty"`
}

// Add writes the object of one namespace.
func (j *SocketsNamespacesJSON) Add(v sockets.Namespace) error {
	n := rules.NamespaceOf(v.Namespace, rules.Result{}, v.Skipped)
	o := socketsNamespaceJSON{ID: n.ID, Inode: n.Inode, Identity: n.Identity, PIDs: n.PIDs, Skipped: n.Skipped}
	if v.View != nil {
		d := socketsDocument(v.View)
		d.Listeners = listenersOf(v.View)
		o.View = &d
	}
	b, err := json.MarshalIndent(o, "    ", "  ")
	if err != nil {
		return err
	}
	sep := ",\n    "
	if j.n == 0 {
		sep = "{\n  \"namespaces\": [\n    "
	}
	j.n++
	_, err = fmt.Fprintf(j.W, "%s%s", sep, b)
	return err
}

// Close ends the document.
func (j *SocketsNamespacesJSON) Close() error {
	end := "\n  ]\n}\n"
	if j.n == 0 {
		end = "{\n  \"namespaces\": []\n}\n"
	}
	_, err := io.WriteString(j.W, end)
	return err
}

// SocketsNamespacesText writes the socket views of several network
// namespaces one at a time, a section per namespace, the host's first.
type SocketsNamespacesText struct {
	W     io.Writer
	Color bool
	n     int
}

// Add writes the section of one namespace.
func (t *SocketsNamespacesText) Add(v sockets.Namespace) error {
	n := escaped(rules.NamespaceOf(v.Namespace, rules.Result{}, v.Skipped))
	sep := "\n"
	if t.n == 0 {
		sep = ""
	}
	t.n++
	if _, err := fmt.Fprintf(t.W, "%s%s\n", sep, NamespaceHeading(v.Namespace)); err != nil {
		return err
	}
	if v.View == nil {
		_, err := fmt.Fprintf(t.W, "skipped: %s\n", n.Skipped)
		return err
	}
	return SocketsText{Color: t.Color}.Write(t.W, v.View)
}

// Close ends the output (text needs no end).
func (t *SocketsNamespacesText) Close() error { return nil }
