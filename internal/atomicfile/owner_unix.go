//go:build unix

package atomicfile

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// matchOwner gives tmp the owner and group of the file it replaces.
func matchOwner(tmp *os.File, st fs.FileInfo, file string) error {
	tst, err := tmp.Stat()
	if err != nil {
		return err
	}
	own, ok := st.Sys().(*syscall.Stat_t)
	cur, ok2 := tst.Sys().(*syscall.Stat_t)
	if !ok || !ok2 || (own.Uid == cur.Uid && own.Gid == cur.Gid) {
		return nil
	}
	if err := tmp.Chown(int(own.Uid), int(own.Gid)); err != nil {
		return fmt.Errorf("keep the owner %d:%d of %s: %w", own.Uid, own.Gid, file, err)
	}
	return nil
}
