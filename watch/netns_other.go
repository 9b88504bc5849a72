//go:build !unix

package watch

import (
	"fmt"

	"github.com/tcpaudit/tcpaudit/internal/visible"
)

// NamespaceInode reports that this system has no network namespaces.
func NamespaceInode(procRoot, spec string) (uint32, error) {
	return 0, fmt.Errorf("network namespace %s: namespaces need Linux", visible.Quote(spec))
}
