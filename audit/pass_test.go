package audit

import (
	"encoding/binary"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit/nsiter"
)

// passSocket builds a socket of the pass from its decoded form.
func passSocket(t *testing.T, netns, inode, tgid uint32, st State, local, remote string, lport, rport uint16) nsiter.Socket {
	t.Helper()
	var s nsiter.Socket
	err := nsiter.Decode(strings.NewReader(string(record(netns, inode, tgid, st, local, remote, lport, rport))), func(d *nsiter.Socket) { s = *d }, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// record encodes one struct socket_record of nsiter.bpf.c (IPv4).
func record(netns, inode, tgid uint32, st State, local, remote string, lport, rport uint16) []byte {
	b := make([]byte, 80)
	put := func(off int, v uint32) {
		b[off], b[off+1], b[off+2], b[off+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	put(0, 1)
	put(4, netns)
	put(8, inode)
	put(12, tgid)
	b[16], b[17] = 2, byte(st)
	b[18], b[19] = byte(lport), byte(lport>>8)
	b[20], b[21] = byte(rport>>8), byte(rport)
	put(28, 128) // backlog
	put(36, 500) // idle jiffies
	l, r := netip.MustParseAddr(local).As4(), netip.MustParseAddr(remote).As4()
	copy(b[48:], l[:])
	copy(b[64:], r[:])
	return b
}

// TestNewSocketPass: sockets are grouped by namespace, listeners first; a
// socket written twice (a full map) counts once, its second writer kept
// as a holder.
func TestNewSocketPass(t *testing.T) {
	if !isLittleEndian() {
		t.Skip("the test's records are little-endian")
	}
	est := passSocket(t, 1, 10, 100, Established, "127.0.0.1", "127.0.0.2", 40000, 80)
	again := est
	again.TGID = 101
	lis := passSocket(t, 1, 11, 100, Listen, "0.0.0.0", "0.0.0.0", 80, 0)
	other := passSocket(t, 2, 12, 200, CloseWait, "127.0.0.1", "127.0.0.3", 80, 40001)
	p := newSocketPass([]nsiter.Socket{est, other, lis, again}, []nsiter.Holder{{Netns: 2, Inode: 12, TGID: 201}}, 250, nil)
	one := p.Namespace(1)
	if got := []uint32{one.sockets[0].Inode, one.sockets[1].Inode}; len(one.sockets) != 2 || got[0] != 11 {
		t.Fatalf("namespace 1: sockets %v, want the listener 11 first, then 10", got)
	}
	if want := []nsiter.Holder{{Netns: 1, Inode: 10, TGID: 101}}; !cmp.Equal(one.holders, want) {
		t.Errorf("namespace 1 holders %v, want %v", one.holders, want)
	}
	if two := p.Namespace(2); len(two.sockets) != 1 || len(two.holders) != 1 {
		t.Errorf("namespace 2: %d sockets, %d holders; want 1 and 1", len(two.sockets), len(two.holders))
	}
	if none := p.Namespace(3); none == nil || len(none.sockets) != 0 {
		t.Errorf("a namespace the pass did not see: %+v, want empty", none)
	}
	if p.Len() != 3 {
		t.Errorf("Len %d, want 3", p.Len())
	}
	var nilPass *SocketPass
	if nilPass.Namespace(1) != nil {
		t.Error("a nil pass gives sockets")
	}
}

func isLittleEndian() bool { return binary.NativeEndian.Uint16([]byte{1, 0}) == 1 }

// TestPassCheck judges a namespace's sockets against its sockstat files.
func TestPassCheck(t *testing.T) {
	if !isLittleEndian() {
		t.Skip("the test's records are little-endian")
	}
	est := passSocket(t, 1, 10, 100, Established, "127.0.0.1", "127.0.0.2", 40000, 80)
	closed := passSocket(t, 1, 13, 100, Close, "0.0.0.0", "0.0.0.0", 0, 0)
	cw := passSocket(t, 1, 14, 100, CloseWait, "127.0.0.1", "127.0.0.2", 80, 40001)
	pending := passSocket(t, 1, 11, 100, Listen, "0.0.0.0", "0.0.0.0", 80, 0)
	pending.Requests = 1
	for _, c := range []struct {
		name    string
		sockets []nsiter.Socket
		hz      int
		stat    string
		ok      bool
	}{
		{"all seen", []nsiter.Socket{est, closed, cw}, 250, "TCP: inuse 1 orphan 0 tw 0 alloc 9 mem 1\n|TCP6: inuse 1\n", true},
		{"one more hashed", []nsiter.Socket{est}, 250, "TCP: inuse 2 orphan 0 tw 0 alloc 9 mem 1\n|TCP6: inuse 0\n", false},
		{"time-wait", []nsiter.Socket{est}, 250, "TCP: inuse 1 orphan 0 tw 1 alloc 9 mem 1\n|TCP6: inuse 0\n", false},
		{"request pending", []nsiter.Socket{pending}, 250, "TCP: inuse 1 orphan 0 tw 0 alloc 9 mem 1\n|TCP6: inuse 0\n", false},
		{"no HZ", []nsiter.Socket{cw}, 0, "TCP: inuse 1 orphan 0 tw 0 alloc 9 mem 1\n|TCP6: inuse 0\n", false},
		{"no sockstat6", []nsiter.Socket{est}, 250, "TCP: inuse 1 orphan 0 tw 0 alloc 9 mem 1\n|", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			fsys := sockstatRoot(t, c.stat)
			p := &PassSockets{sockets: c.sockets, hz: c.hz}
			err := p.check(fsys)
			if (err == nil) != c.ok {
				t.Errorf("check: %v, want ok %v", err, c.ok)
			}
		})
	}
}

// sockstatRoot makes a proc root whose net/sockstat and net/sockstat6 are
// the two parts of stat split at "|" (the second absent when empty).
func sockstatRoot(t *testing.T, stat string) FS {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "net"), 0o755); err != nil {
		t.Fatal(err)
	}
	v4, v6, _ := strings.Cut(stat, "|")
	os.WriteFile(filepath.Join(dir, "net/sockstat"), []byte(v4), 0o644)
	if v6 != "" {
		os.WriteFile(filepath.Join(dir, "net/sockstat6"), []byte(v6), 0o644)
	}
	fsys, err := NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

// TestPassReplay: the census of a pass counts as a dump would: listeners
// first, CLOSE sockets left out, a listener's backlog, the idle time of a
// CLOSE_WAIT socket in milliseconds.
func TestPassReplay(t *testing.T) {
	if !isLittleEndian() {
		t.Skip("the test's records are little-endian")
	}
	lis := passSocket(t, 1, 11, 100, Listen, "0.0.0.0", "0.0.0.0", 80, 0)
	cw := passSocket(t, 1, 14, 100, CloseWait, "127.0.0.1", "127.0.0.2", 80, 40001)
	closed := passSocket(t, 1, 13, 100, Close, "0.0.0.0", "0.0.0.0", 0, 0)
	p := newSocketPass([]nsiter.Socket{cw, closed, lis}, nil, 250, nil).Namespace(1)
	c := NewCensus(32768, 60999, WithSocketInfo())
	p.replay(c)
	if diff := cmp.Diff(map[string]int{"LISTEN": 1, "CLOSE_WAIT": 1}, c.ByState()); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
	if len(c.Listeners) != 1 || c.Listeners[0].Backlog != 128 || c.Listeners[0].Port != 80 {
		t.Errorf("listeners %+v, want port 80 with backlog 128", c.Listeners)
	}
	info := c.SocketInfos()
	if len(info) != 1 || info[0].Idle != 2*time.Second || info[0].Remote != netip.MustParseAddrPort("127.0.0.2:40001") {
		t.Errorf("CLOSE_WAIT info %+v, want 500 jiffies at HZ 250 = 2 s, toward 127.0.0.2:40001", info)
	}
}

func TestJiffiesToMs(t *testing.T) {
	for _, c := range []struct {
		j    uint32
		hz   int
		want uint64
	}{{250, 250, 1000}, {1, 1000, 1}, {7, 100, 70}, {1, 300, 4}, {300, 300, 1000}, {3, 2000, 2}, {5, 0, 0}, {1<<32 - 1, 100, (1<<32 - 1) * 10}} {
		if got := jiffiesToMs(c.j, c.hz); got != c.want {
			t.Errorf("jiffiesToMs(%d, HZ %d) = %d, want %d", c.j, c.hz, got, c.want)
		}
	}
}

func TestParseHZ(t *testing.T) {
	for in, want := range map[string]int{
		"# CONFIG_HZ_100 is not set\nCONFIG_HZ_250=y\nCONFIG_HZ=250\n": 250,
		"CONFIG_HZ=1000":  1000,
		"CONFIG_HZ=-5\n":  0,
		"CONFIG_HZ=abc\n": 0,
		"CONFIG_NET=y\n":  0,
		"":                0,
	} {
		if got := ParseHZ(strings.NewReader(in)); got != want {
			t.Errorf("ParseHZ(%q) = %d, want %d", in, got, want)
		}
	}
}

// TestPassFor: no pass is taken for one namespace, another source than
// auto, or another proc root than the live /proc.
func TestPassFor(t *testing.T) {
	for _, c := range []struct {
		src  CensusSource
		root string
		n    int
	}{{CensusAuto, "/proc", 1}, {CensusNetlink, "/proc", 5}, {CensusProc, "/proc", 5}, {CensusAuto, t.TempDir(), 5}} {
		if p := PassFor(c.src, c.root, c.n); p != nil {
			t.Errorf("PassFor(%q, %s, %d) took a pass", c.src, c.root, c.n)
		}
	}
}
