//go:build !unix

package watch

import "fmt"

// NamespaceInode reports that this system has no network namespaces.
func NamespaceInode(procRoot, spec string) (uint32, error) {
	return 0, fmt.Errorf("network namespace %q: namespaces need Linux", spec)
}
