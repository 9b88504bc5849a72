package snapshot

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/tcpaudit/tcpaudit/containers"
)

// WriteOrigin writes o, the network namespace a snapshot is taken in
// (containers.OriginFile), into stage, an empty directory, and returns its
// entry.
func WriteOrigin(o containers.Origin, stage string) (Entry, error) {
	return writeOrigin(o, stage, "")
}

// WriteNamespaceOrigin stages, in sub, the origin of the namespace of a
// snapshot --all-netns whose files are under dir (relative to the proc
// root, its index Dir): a command given that directory as its proc root
// then knows it is not the host's namespace (fix offers no drop-in of the
// host for it).
func WriteNamespaceOrigin(o containers.Origin, sub, dir string) (Entry, error) {
	return writeOrigin(o, sub, dir)
}

func writeOrigin(o containers.Origin, stage, dir string) (Entry, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return Entry{}, fmt.Errorf("snapshot: origin: %w", err)
	}
	p := filepath.Join(stage, filepath.Base(containers.OriginFile))
	if err := os.WriteFile(p, append(b, '\n'), 0o644); err != nil {
		return Entry{}, fmt.Errorf("snapshot: %w", err)
	}
	return Entry{Path: path.Join(dir, containers.OriginFile), From: p}, nil
}
