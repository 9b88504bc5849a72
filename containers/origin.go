package containers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/tcpaudit/tcpaudit/internal/input"
	"github.com/tcpaudit/tcpaudit/internal/visible"
)

// Origin is the network namespace a snapshot was taken in, and the
// host's.
type Origin struct {
	// Inode and HostInode are the nsfs inodes of the namespace the proc
	// root showed and of the host's (PID 1's).
	Inode     uint64 `json:"inode"`
	HostInode uint64 `json:"host_inode"`
	// Name is the namespace's name under /run/netns, if it had one.
	Name string `json:"name,omitempty"`
}

// OriginFile records, relative to the proc root, the Origin of a snapshot
// (a copy of a proc root), so that its fix is not offered as a drop-in of
// the host when the two namespaces differ. Snapshots taken before it
// existed, and of proc roots whose namespace could not be told, have none.
const OriginFile = "netns/taken-in.json"

// maxOrigin bounds the origin file read.
const maxOrigin = 4 << 10

// Host reports whether the snapshot shows the host's namespace.
func (o Origin) Host() bool { return o.Inode == o.HostInode }

// Reason says, for people, why the snapshot's namespace is not the
// host's; "" when it is the host's.
func (o Origin) Reason() string {
	if o.Host() {
		return ""
	}
	name := ""
	if o.Name != "" {
		name = " (" + o.Name + ")"
	}
	return fmt.Sprintf("the snapshot was taken in network namespace net:[%d]%s, not the host's net:[%d]", o.Inode, name, o.HostInode)
}

// OriginName reports whether name may stand as an Origin's Name: at most
// 255 printable characters, no slash (an ip netns name; "" for none).
func OriginName(name string) bool {
	return len(name) <= 255 && !strings.Contains(name, "/") && visible.Clean(name)
}

// ReadOrigin reads the origin of the snapshot under procRoot; ok is false
// when it has none. The file is checked as hostile input: both inodes
// set, a name of printable characters without a slash.
func ReadOrigin(procRoot string) (o Origin, ok bool, err error) {
	file := filepath.Join(procRoot, filepath.FromSlash(OriginFile))
	b, err := input.ReadFile(file, maxOrigin)
	if errors.Is(err, fs.ErrNotExist) {
		return Origin{}, false, nil
	} else if err != nil {
		return Origin{}, false, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return Origin{}, false, fmt.Errorf("%s: %w", file, err)
	}
	switch {
	case o.Inode == 0 || o.HostInode == 0:
		return Origin{}, false, fmt.Errorf("%s: inode and host_inode must both be set", file)
	case !OriginName(o.Name):
		return Origin{}, false, fmt.Errorf("%s: name %s is not a namespace name", file, visible.Quote(o.Name))
	}
	return o, true, nil
}
