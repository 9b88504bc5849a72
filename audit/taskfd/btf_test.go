package taskfd

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// TestReadLayoutFixture reads the fixture kernel in both byte orders.
func TestReadLayoutFixture(t *testing.T) {
	for _, order := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
		blob, fn := fixtureKernel(order, nil)
		got, err := readLayout(bytes.NewReader(blob), int64(len(blob)))
		if err != nil {
			t.Fatalf("%v: %v", order, err)
		}
		if want := fixtureLayout(fn); got != want {
			t.Errorf("%v: layout\n%+v\nwant\n%+v", order, got, want)
		}
	}
}
