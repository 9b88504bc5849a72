package snapshot

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tcpaudit/tcpaudit/containers"
)

// WriteOrigin writes o, the network namespace a snapshot is taken in
// (containers.OriginFile), into stage, an empty directory, and returns its
// entry.
func WriteOrigin(o containers.Origin, stage string) (Entry, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return Entry{}, fmt.Errorf("snapshot: origin: %w", err)
	}
	p := filepath.Join(stage, filepath.Base(containers.OriginFile))
	if err := os.WriteFile(p, append(b, '\n'), 0o644); err != nil {
		return Entry{}, fmt.Errorf("snapshot: %w", err)
	}
	return Entry{Path: containers.OriginFile, From: p}, nil
}
