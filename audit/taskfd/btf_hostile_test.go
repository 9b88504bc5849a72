package taskfd

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the BTF blobs of testdata/btf and the fuzz seeds")

// blobCase is a BTF blob of testdata/btf: the fixture kernel, or one
// broken on purpose.
type blobCase struct {
	name string
	blob []byte
}

// hostileBlobs are blobs readLayout must refuse with an error: cut,
// mislabelled, looping, or lacking what the program needs.
func hostileBlobs() []blobCase {
	fixture, _ := fixtureKernel(binary.LittleEndian, nil)
	with := func(hook func(b *blob, roles map[string]uint32)) []byte {
		blob, _ := fixtureKernel(binary.LittleEndian, hook)
		return blob
	}
	patched := func(at int, v uint32) []byte {
		b := bytes.Clone(fixture)
		binary.LittleEndian.PutUint32(b[at:], v)
		return b
	}
	renamed := func(old, new string) []byte {
		return bytes.Replace(fixture, []byte(old+"\x00"), []byte(new+"\x00"), 1)
	}
	return []blobCase{
		{"empty", nil},
		{"short-header", fixture[:10]},
		{"bad-magic", append([]byte{0x9f, 0x9f}, fixture[2:]...)},
		{"version-2", append([]byte{0x9f, 0xeb, 2}, fixture[3:]...)},
		{"header-length-huge", patched(4, 1<<30)},
		{"truncated", fixture[:len(fixture)/2]},
		{"type-header-cut", patched(12, binary.LittleEndian.Uint32(fixture[12:])-5)},
		{"string-section-past-end", patched(20, 1<<31)},
		{"huge-vlen", with(func(b *blob, _ map[string]uint32) { b.add(kindStruct, "", 0xffff, false, 8) })},
		{"unknown-kind", with(func(b *blob, _ map[string]uint32) { b.add(31, "", 0, false, 0) })},
		{"typedef-loop", with(func(b *blob, r map[string]uint32) {
			r["tgid"] = b.ref(kindTypedef, "a", b.n+2)
			b.ref(kindTypedef, "b", r["tgid"])
		})},
		{"typedef-chain-too-long", with(func(b *blob, r map[string]uint32) {
			id := r["int"]
			for range maxChain + 1 {
				id = b.ref(kindConst, "", id)
			}
			r["tgid"] = id
		})},
		{"anonymous-loop", with(func(b *blob, r map[string]uint32) {
			r["task_anon"] = b.compound(kindStruct, "", 8, mem{"", b.n + 1, 0}, mem{"", b.n + 1, 0})
		})},
		{"tgid-bitfield", with(func(b *blob, r map[string]uint32) {
			r["task_anon"] = b.add(kindStruct, "", 1, true, 8, b.str("tgid"), r["int"], 5<<24|32)
		})},
		{"tgid-8-bytes", with(func(b *blob, r map[string]uint32) { r["tgid"] = r["ulong"] })},
		{"tgid-void", with(func(b *blob, r map[string]uint32) { r["tgid"] = 0 })},
		{"tgid-past-the-last", with(func(b *blob, r map[string]uint32) { r["tgid"] = 1 << 20 })},
		{"f_inode-not-a-pointer", with(func(b *blob, r map[string]uint32) { r["f_inode"] = r["ulong"] })},
		{"f_inode-void-pointer", with(func(b *blob, r map[string]uint32) { r["f_inode"] = b.ref(kindPtr, "", 0) })},
		{"fd-8-bytes", with(func(b *blob, r map[string]uint32) { r["fd"] = r["ulong"] })},
		{"two-functions", with(func(b *blob, r map[string]uint32) { b.ref(kindFunc, attachFunc, r["int"]) })},
		{"two-task-structs", with(func(b *blob, r map[string]uint32) {
			b.compound(kindStruct, "task_struct", 8, mem{"tgid", r["int"], 0})
		})},
		{"no-function", renamed(attachFunc, attachFunc[:len(attachFunc)-1]+"X")},
		{"no-skc_state", renamed("skc_state", "skc_statX")},
		{"no-fd-parameter", renamed("fd", "fX")},
		{"parameter-past-the-first-four", with(func(b *blob, r map[string]uint32) { r["first_param"] = r["int"] })},
	}
}

// TestReadLayoutRefusesHostileBlobs reads every hostile blob: an error
// that wraps errBTF, no panic.
func TestReadLayoutRefusesHostileBlobs(t *testing.T) {
	for _, c := range hostileBlobs() {
		golden.Compare(t, filepath.Join("testdata", "btf", c.name+".btf"), c.blob, *update, sameBytes)
		l, err := readLayout(bytes.NewReader(c.blob), int64(len(c.blob)))
		if !errors.Is(err, errBTF) {
			t.Errorf("%s: layout %+v, error %v; want an error of the BTF", c.name, l, err)
			continue
		}
		t.Logf("%s: %v", c.name, err)
	}
}

// TestFixtureFiles keeps the fixture kernel's blobs in testdata/btf (the
// fuzz target's seeds) as fixtureKernel writes them.
func TestFixtureFiles(t *testing.T) {
	le, _ := fixtureKernel(binary.LittleEndian, nil)
	be, _ := fixtureKernel(binary.BigEndian, nil)
	golden.Compare(t, filepath.Join("testdata", "btf", "fixture-le.btf"), le, *update, sameBytes)
	golden.Compare(t, filepath.Join("testdata", "btf", "fixture-be.btf"), be, *update, sameBytes)
	corpus := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", le)
	golden.Compare(t, filepath.Join("testdata", "fuzz", "FuzzReadLayout", "fixture-le"), []byte(corpus), *update, sameBytes)
}

func sameBytes(want, got []byte) string {
	if bytes.Equal(want, got) {
		return ""
	}
	return fmt.Sprintf("%d bytes, want %d (the generator changed: -update)", len(got), len(want))
}

// FuzzReadLayout reads any blob: an error or a layout whose loads the
// program can make, never a panic.
func FuzzReadLayout(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "btf", "*.btf"))
	for _, name := range seeds {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := readLayout(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if !errors.Is(err, errBTF) {
				t.Fatalf("error %v does not wrap errBTF", err)
			}
			return
		}
		if _, err := program(l, 1, 2); err != nil {
			t.Fatalf("layout %+v read, but no program: %v", l, err)
		}
		if strings.Contains(fmt.Sprint(l), "-") {
			t.Fatalf("a negative offset: %+v", l)
		}
	})
}
