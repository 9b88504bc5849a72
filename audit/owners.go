package audit

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Owner is a process holding some of the sockets looked for.
type Owner struct {
	PID     int    `json:"pid"`
	Command string `json:"command"`
	Sockets int    `json:"sockets"`
}

// Attribution maps a set of socket inodes to the processes holding them.
type Attribution struct {
	// Owners, most sockets first.
	Owners []Owner
	// Unattributed counts inodes found in no readable process.
	Unattributed int
	// Unreadable counts processes whose fd directory could not be read
	// (another user's process when not running as root).
	Unreadable int
}

// Attribute scans <root>/<pid>/fd once, reading each symlink, and joins the
// socket inodes on the wanted set. Its cost is proportional to the number of
// open file descriptors. Processes that exit during the scan are skipped.
func Attribute(root string, wanted map[uint64]struct{}) (Attribution, error) {
	var a Attribution
	if len(wanted) == 0 {
		return a, nil
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return a, err
	}
	found := make(map[uint64]bool, len(wanted))
	sc := newFDScanner()
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		n, err := scanFDs(sc, filepath.Join(root, e.Name()), wanted, found)
		switch {
		case errors.Is(err, fs.ErrPermission):
			a.Unreadable++
			continue
		case err != nil: // vanished or not a process directory
			continue
		}
		if n > 0 {
			a.Owners = append(a.Owners, Owner{PID: pid, Command: readComm(filepath.Join(root, e.Name(), "comm")), Sockets: n})
		}
	}
	a.Unattributed = len(wanted) - len(found)
	sort.Slice(a.Owners, func(i, j int) bool {
		if a.Owners[i].Sockets != a.Owners[j].Sockets {
			return a.Owners[i].Sockets > a.Owners[j].Sockets
		}
		return a.Owners[i].PID < a.Owners[j].PID
	})
	return a, nil
}

// scanFDs counts the wanted sockets among one process's descriptors. An inode
// shared by several processes (after fork) is counted for each of them but
// attributed once.
func scanFDs(sc *fdScanner, dir string, wanted map[uint64]struct{}, found map[uint64]bool) (int, error) {
	n := 0
	err := sc.sockets(filepath.Join(dir, "fd"), func(ino uint64) {
		if _, ok := wanted[ino]; ok {
			found[ino] = true
			n++
		}
	})
	return n, err
}

func readComm(path string) string {
	b, err := readSmall(path)
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}
