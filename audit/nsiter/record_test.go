package nsiter

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// socketRecord encodes s as nsiter.bpf.c writes a struct socket_record;
// family is the kernel's (2 or 10).
func socketRecord(s Socket, family uint8) []byte {
	b := make([]byte, socketLen)
	ne := binary.NativeEndian
	ne.PutUint32(b[0:], kindSocket)
	ne.PutUint32(b[4:], s.Netns)
	ne.PutUint32(b[8:], s.Inode)
	ne.PutUint32(b[12:], s.TGID)
	b[16], b[17] = family, s.State
	ne.PutUint16(b[18:], s.LocalPort)
	binary.BigEndian.PutUint16(b[20:], s.RemotePort)
	for i, v := range []uint32{s.RxQueue, s.Backlog, s.Drops, s.IdleJiffies, s.Requests} {
		ne.PutUint32(b[24+4*i:], v)
	}
	copy(b[48:], s.local[:])
	copy(b[64:], s.remote[:])
	return b
}

func holderRecord(h Holder) []byte {
	b := make([]byte, holderLen)
	ne := binary.NativeEndian
	ne.PutUint32(b[0:], kindHolder)
	ne.PutUint32(b[4:], h.Netns)
	ne.PutUint32(b[8:], h.Inode)
	ne.PutUint32(b[12:], h.TGID)
	return b
}

func decodeAll(b []byte) ([]Socket, []Holder, error) {
	var ss []Socket
	var hs []Holder
	err := Decode(bytes.NewReader(b), func(s *Socket) { ss = append(ss, *s) }, func(h Holder) { hs = append(hs, h) })
	return ss, hs, err
}

func TestDecode(t *testing.T) {
	v4 := Socket{Netns: 4026531840, Inode: 77, TGID: 12, Family: 4, State: 10, LocalPort: 8080, Backlog: 4096, Drops: 3, Requests: 1}
	copy(v4.local[:], []byte{127, 0, 0, 1})
	v6 := Socket{Netns: 4026532000, Inode: 78, TGID: 13, Family: 6, State: 8, LocalPort: 8080, RemotePort: 51000, RxQueue: 1, IdleJiffies: 250}
	v6.local = netip.MustParseAddr("::ffff:127.0.0.1").As16()
	v6.remote = netip.MustParseAddr("::1").As16()
	h := Holder{Netns: 4026532000, Inode: 78, TGID: 14}
	in := append(append(socketRecord(v4, afInet), holderRecord(h)...), socketRecord(v6, afInet6)...)
	ss, hs, err := decodeAll(in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Socket{v4, v6}, ss, cmp.AllowUnexported(Socket{})); diff != "" {
		t.Errorf("sockets (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Holder{h}, hs); diff != "" {
		t.Errorf("holders (-want +got):\n%s", diff)
	}
	if got := ss[0].Local(); got != netip.MustParseAddr("127.0.0.1") {
		t.Errorf("IPv4 local %s", got)
	}
	if got := ss[1].Local(); got != netip.MustParseAddr("::ffff:127.0.0.1") {
		t.Errorf("IPv6 local %s: a mapped address stays IPv6, as a sock_diag dump reports it", got)
	}
}

// TestDecodeHostile: records cut short, of an unknown kind or of another
// address family are errors naming the record, never a panic.
func TestDecodeHostile(t *testing.T) {
	good := socketRecord(Socket{Inode: 1, State: 1}, afInet)
	unix := socketRecord(Socket{Inode: 2, State: 1}, 1)
	cases := map[string][]byte{
		"short kind":    {1, 0},
		"short socket":  good[:socketLen-1],
		"short holder":  holderRecord(Holder{})[:holderLen-4],
		"unknown kind":  {9, 0, 0, 0, 0, 0, 0, 0},
		"bad family":    unix,
		"second short":  append(slicesClone(good), good[:10]...),
		"zero kind":     make([]byte, socketLen),
		"family 0 kind": append(slicesClone(good[:16]), make([]byte, socketLen-16)...),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			if _, _, err := decodeAll(b); !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v, want ErrMalformed", err)
			}
		})
	}
	if ss, _, err := decodeAll(nil); err != nil || len(ss) != 0 {
		t.Errorf("empty input: %v, %d sockets; want none and no error", err, len(ss))
	}
}

func slicesClone(b []byte) []byte { return append([]byte(nil), b...) }

// FuzzDecode: any input decodes or fails with ErrMalformed.
func FuzzDecode(f *testing.F) {
	f.Add(socketRecord(Socket{Inode: 1, State: 10}, afInet))
	f.Add(append(socketRecord(Socket{Inode: 1, State: 1}, afInet6), holderRecord(Holder{Inode: 1})...))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, _, err := decodeAll(b); err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("error %v does not wrap ErrMalformed", err)
		}
	})
}
