package snapshot

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"fmt"
	"io"
)

// scan reads the tarball's headers without writing anything and checks
// the bounds Extract would hit part-way: the number of entries, each
// file's size and the total. So a tarball over a limit is refused before
// its first entry costs an inode.
func scan(ctx context.Context, r io.Reader, lim Limits) error {
	gz, err := gzip.NewReader(ctxReader{ctx, r})
	if err != nil {
		return fmt.Errorf("snapshot: not a gzipped tarball: %w", err)
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	var total int64
	for n := 1; ; n++ {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("snapshot: entry %d: %w", n, err)
		}
		if n > lim.Entries {
			return fmt.Errorf("%w: more than %d entries", ErrUnsafe, lim.Entries)
		}
		if h.Typeflag == tar.TypeReg {
			total += h.Size
			if h.Size > lim.FileBytes || total > lim.TotalBytes {
				return fmt.Errorf("snapshot: %s: %w: over the size limit (%d bytes a file, %d in all)", h.Name, ErrUnsafe, lim.FileBytes, lim.TotalBytes)
			}
		}
	}
}

// ctxReader fails its reads once ctx is done, so that decompressing and
// extracting stop within one read of a cancellation (SIGINT, SIGTERM).
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	return c.r.Read(p)
}
