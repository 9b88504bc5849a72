//go:build !linux

package containers

// isProcfs reports false: only Linux has a procfs to compare namespaces in.
func isProcfs(string) bool { return false }

// nsInode reports false: only Linux has nsfs.
func nsInode(string) (uint64, bool) { return 0, false }
