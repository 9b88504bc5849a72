package snapshot

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/tcpaudit/tcpaudit/internal/input"
	"github.com/tcpaudit/tcpaudit/internal/visible"
	"github.com/tcpaudit/tcpaudit/netns"
)

// IndexFile lists the network namespaces of a snapshot taken with
// --all-netns, relative to the proc root: the host's, whose files are the
// proc root's own, each other one, whose files are under its Dir, and
// those that could not be captured, with the reason.
const IndexFile = "netns/namespaces.json"

// maxIndex bounds the index file read.
const maxIndex = 16 << 20

// Namespace is one network namespace of a snapshot's index.
type Namespace struct {
	// Dir holds its files, relative to the proc root: "" for the host's
	// and for one skipped, "netns/net-INODE" for the others.
	Dir   string `json:"dir"`
	ID    string `json:"id"`
	Inode uint64 `json:"inode"`
	PIDs  []int  `json:"pids"`
	netns.Identity
	// Skipped says why none of its files were captured (its processes
	// exited before it could be entered, say); "" when they were.
	Skipped string `json:"skipped,omitempty"`
}

// dirPattern is the only shape of Dir other than "" that ReadIndex
// accepts.
var dirPattern = regexp.MustCompile(`^netns/net-[0-9]+$`)

// IndexOf returns the index entry of ns, whose files are under its Dir.
func IndexOf(ns netns.Namespace) Namespace {
	n := Namespace{ID: ns.ID, Inode: ns.Inode, PIDs: ns.PIDs, Identity: ns.Identity}
	if !ns.IsHost() {
		n.Dir = "netns/net-" + strconv.FormatUint(ns.Inode, 10)
	}
	return n
}

// SkippedOf returns the index entry of ns, which could not be captured
// for the reason given: it has no files.
func SkippedOf(ns netns.Namespace, reason string) Namespace {
	n := IndexOf(ns)
	n.Dir, n.Skipped = "", reason
	return n
}

// Captured returns the namespace n describes in the snapshot whose proc
// root is procRoot, with the directory of its files (procRoot itself for
// the host's namespace, none for one skipped).
func (n Namespace) Captured(procRoot string) netns.Captured {
	c := netns.Captured{Namespace: n.Namespace(), Skipped: n.Skipped}
	if n.Skipped == "" {
		c.Root = filepath.Join(procRoot, filepath.FromSlash(n.Dir))
	}
	return c
}

// ReadCaptured reads the index of the snapshot under procRoot (ReadIndex)
// and returns its namespaces with the directories of their files.
func ReadCaptured(procRoot string) ([]netns.Captured, error) {
	index, err := ReadIndex(procRoot)
	if err != nil {
		return nil, err
	}
	out := make([]netns.Captured, len(index))
	for i, n := range index {
		out[i] = n.Captured(procRoot)
	}
	return out, nil
}

// Namespace returns the namespace n describes.
func (n Namespace) Namespace() netns.Namespace {
	return netns.Namespace{ID: n.ID, Inode: n.Inode, PIDs: n.PIDs, Identity: n.Identity}
}

// HasIndex reports whether the snapshot under procRoot was taken with
// --all-netns.
func HasIndex(procRoot string) bool {
	st, err := os.Lstat(filepath.Join(procRoot, filepath.FromSlash(IndexFile)))
	return err == nil && st.Mode().IsRegular()
}

// ReadIndex reads the namespaces of the snapshot under procRoot. The
// index is checked as hostile input: one host, IDs unique, each Dir of
// the one shape and a directory of the snapshot, none for a namespace
// skipped (never the host's).
func ReadIndex(procRoot string) ([]Namespace, error) {
	file := filepath.Join(procRoot, filepath.FromSlash(IndexFile))
	b, err := input.ReadFile(file, maxIndex)
	if err != nil {
		return nil, err
	}
	var nss []Namespace
	if err := json.Unmarshal(b, &nss); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	ids := map[string]bool{}
	hosts := 0
	for i, n := range nss {
		bad := func(what string) error {
			return fmt.Errorf("%s: namespace %d (%s): %s", file, i+1, visible.Quote(n.ID), what)
		}
		switch {
		case ids[n.ID] || n.ID == "":
			return nil, bad("ID empty or repeated")
		case n.Skipped != "" && (n.Dir != "" || n.Kind == netns.KindHost):
			return nil, bad("a namespace skipped has no directory, and the host's is never skipped")
		case n.Skipped == "" && (n.Dir == "") != (n.Kind == netns.KindHost):
			return nil, bad("only the host's namespace has no directory")
		case n.Dir != "" && !dirPattern.MatchString(n.Dir):
			return nil, bad("directory not of the form netns/net-INODE")
		}
		if n.Dir != "" {
			if st, err := os.Lstat(filepath.Join(procRoot, filepath.FromSlash(n.Dir))); err != nil || !st.IsDir() {
				return nil, bad("its directory " + n.Dir + " is missing")
			}
		} else if n.Kind == netns.KindHost {
			hosts++
		}
		ids[n.ID] = true
	}
	if hosts > 1 {
		return nil, fmt.Errorf("%s: %d host namespaces, want at most 1", file, hosts)
	}
	return nss, nil
}

// CaptureNamespace lists what a snapshot holds of the namespace ns, which
// is not the host's, under IndexOf(ns).Dir: its net/ files and the sysctl
// files of keys as they read inside it (copied into stage, an empty
// directory, from a thread that entered it), and the command and socket
// descriptors of each of its processes (every process under procRoot when
// its members are not known) holding one of its TCP sockets.
func CaptureNamespace(procRoot string, ns netns.Namespace, keys []string, stage string) ([]Entry, error) {
	links, files := filepath.Join(stage, "links"), filepath.Join(stage, "files")
	if err := os.Mkdir(links, 0o755); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	// Followed by the thread that opens them: its own net/ files, and the
	// sysctls of the namespace it is in (docs/kernel-facts.md §25).
	for name, target := range map[string]string{"net": "/proc/thread-self/net", "sys": "/proc/sys"} {
		if err := os.Symlink(target, filepath.Join(links, name)); err != nil {
			return nil, fmt.Errorf("snapshot: %w", err)
		}
	}
	err := netns.Do(ns, func() error {
		entries, err := List(links, keys)
		if err == nil {
			_, err = copyEntries(links, files, entries, true)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("namespace %s: %w", ns, err)
	}
	dir := IndexOf(ns).Dir
	var out []Entry
	err = filepath.WalkDir(files, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(files, p)
		out = append(out, Entry{Path: path.Join(dir, filepath.ToSlash(rel)), From: p})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	inodes, err := tcpInodes(files)
	if err != nil {
		return nil, err
	}
	var procs []Entry
	if members := ns.Members(); members != nil {
		procs = processesOf(procRoot, members, inodes) // its sockets are its processes'
	} else if procs, err = processes(procRoot, inodes, nil); err != nil {
		return nil, err
	}
	for _, e := range procs {
		if e.Link == "" {
			e.From = filepath.Join(procRoot, filepath.FromSlash(e.Path))
		}
		e.Path = path.Join(dir, e.Path)
		out = append(out, e)
	}
	return out, nil
}

// WriteIndex writes index (entries made by IndexOf and SkippedOf) into
// stage and returns its entry.
func WriteIndex(index []Namespace, stage string) (Entry, error) {
	b, err := json.MarshalIndent(index, "", "  ")
	if err != nil {
		return Entry{}, fmt.Errorf("snapshot: index: %w", err)
	}
	p := filepath.Join(stage, "namespaces.json")
	if err := os.WriteFile(p, append(b, '\n'), 0o644); err != nil {
		return Entry{}, fmt.Errorf("snapshot: %w", err)
	}
	return Entry{Path: IndexFile, From: p}, nil
}
