//go:build !unix

package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
)

// descriptor finds no descriptor names where there is no /dev/fd.
func descriptor(string) (int, bool) { return 0, false }

// writeFD is never called where descriptor finds none.
func writeFD(int, string, func(io.Writer) error) error {
	return errors.New("descriptor names are a Unix feature")
}

// keepOwner has nothing to keep where Unix ownership does not exist.
func keepOwner(*os.File, fs.FileInfo) error { return nil }
