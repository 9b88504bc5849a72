//go:build unix && !linux

package atomicfile

// openDir opens root/rel with an O_NOFOLLOW walk: no openat2 here.
func openDir(root, rel string) (int, error) { return walkDir(root, rel) }
