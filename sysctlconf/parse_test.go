package sysctlconf

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func parse(t *testing.T, text string) *File {
	t.Helper()
	f, err := Parse(strings.NewReader(text), "t.conf")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestParse covers docs/sysctl-d-format.md §2 to §6 line by line.
func TestParse(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // brief entries without the file
		codes      []string // diagnostic "line:severity:code"
	}{
		{"LF", "a.b = 1\nc.d=2\n", []string{"a.b=1 @t.conf:1", "c.d=2 @t.conf:2"}, nil},
		{"CRLF §2", "a.b = 1\r\nc.d = 2\r\n", []string{"a.b=1 @t.conf:1", "c.d=2 @t.conf:2"}, nil},
		{"CR only §2", "a.b = 1\rc.d = 2\r", []string{"a.b=1 @t.conf:1", "c.d=2 @t.conf:2"}, []string{"1:warning:procps-systemd-difference"}},
		{"LF CR is one line end §2", "a.b = 1\n\rc.d = 2\n", []string{"a.b=1 @t.conf:1", "c.d=2 @t.conf:2"}, nil},
		{"NUL ends a line §2", "a.b = 1\x00c.d = 2", []string{"a.b=1 @t.conf:1", "c.d=2 @t.conf:2"}, nil},
		{"blank lines count §2", "\n\n  a.b = 1  \n", []string{"a.b=1 @t.conf:3"}, nil},
		{"no final newline", "a.b = 1", []string{"a.b=1 @t.conf:1"}, nil},
		{"BOM kept §2", "\ufeff# comment\na.b = 1\n", []string{"a.b=1 @t.conf:2"}, []string{"1:warning:syntax", "1:error:syntax"}},
		{"BOM in key", "\ufeffa.b = 1\n", []string{"\ufeffa.b=1 @t.conf:1"}, []string{"1:warning:syntax"}},
		{"comments §3", "# x\n  # y\n; z\na.b = 1\n", []string{"a.b=1 @t.conf:4"}, []string{"3:info:procps-systemd-difference"}},
		{"no inline comment §3", "vm.swappiness = 10 # note\n", []string{"vm.swappiness=10 # note @t.conf:1"}, []string{"1:warning:syntax"}},
		{"first = splits §4", "a.b = x=y \"q\"\n", []string{"a.b=x=y \"q\" @t.conf:1"}, nil},
		{"inner blanks kept §4", "net.ipv4.tcp_rmem = 4096   87380\t6291456\n", []string{"net.ipv4.tcp_rmem=4096   87380\t6291456 @t.conf:1"}, nil},
		{"empty value §4", "a.b =\n", []string{"a.b= @t.conf:1"}, []string{"1:info:procps-systemd-difference"}},
		{"empty key §4", "= 1\n", []string{"=1 @t.conf:1"}, []string{"1:error:syntax"}},
		{"not an assignment §9", "a.b\nc.d = 1\n", []string{"c.d=1 @t.conf:2"}, []string{"1:error:syntax"}},
		{"ignore failure §5", "-a.b = 1\n", []string{"-a.b=1 @t.conf:1"}, nil},
		{"exclusion §5", "-a.b\n", []string{"-a.b @t.conf:1"}, nil},
		{"blank after dash §5", "- a.b = 1\n-  c.d\n", []string{"-a.b=1 @t.conf:1", "-c.d @t.conf:2"},
			[]string{"1:warning:procps-systemd-difference", "2:warning:procps-systemd-difference"}},
		{"slash key §6", "kernel/domainname = x\n", []string{"kernel.domainname=x @t.conf:1"}, nil},
		{"mixed separators §6", "key/middle.part.with.dots/foo = 1\nkey.middle/part/with/dots.foo = 2\n",
			[]string{"key.middle/part/with/dots.foo=1 @t.conf:1", "key.middle/part/with/dots.foo=2 @t.conf:2"}, nil},
		{"interface with dot §6", "net.ipv4.conf.eth0/1.rp_filter = 1\nnet/ipv4/conf/eth0.1/rp_filter = 1\n",
			[]string{"net.ipv4.conf.eth0/1.rp_filter=1 @t.conf:1", "net.ipv4.conf.eth0/1.rp_filter=1 @t.conf:2"}, nil},
		{"dotted interface is wrong §6", "net.ipv4.conf.eth0.1.rp_filter = 1\n", []string{"net.ipv4.conf.eth0.1.rp_filter=1 @t.conf:1"}, []string{"1:warning:syntax"}},
		{"repeated separators §6", "a...b...c = 1\n/a///b///c = 2\nvm.dirty_ratio. = 3\n",
			[]string{"a.b.c=1 @t.conf:1", "a.b.c=2 @t.conf:2", "vm.dirty_ratio=3 @t.conf:3"},
			[]string{"1:warning:procps-systemd-difference", "2:warning:procps-systemd-difference", "3:warning:procps-systemd-difference"}},
		{"dot-dot component §6", "net/../kernel/x = 1\n", []string{"net.//.kernel.x=1 @t.conf:1"}, []string{"1:error:syntax"}},
		{"glob §7", "net.ipv4.conf.*.rp_filter = 2\n", []string{"net.ipv4.conf.*.rp_filter=2 @t.conf:1"}, nil},
		{"glob exclusion §7", "-fs.protected_regul*\n", []string{"-fs.protected_regul* @t.conf:1"}, []string{"1:warning:procps-systemd-difference"}},
		{"no continuation", "a.b = 1 \\\n2\n", []string{"a.b=1 \\ @t.conf:1"}, []string{"2:error:syntax"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parse(t, tt.text)
			if d := cmp.Diff(tt.want, briefs(f.Entries), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("entries (-want +got):\n%s", d)
			}
			var codes []string
			for _, d := range f.Diagnostics {
				codes = append(codes, strconv.Itoa(d.Line)+":"+string(d.Severity)+":"+d.Code)
			}
			if d := cmp.Diff(tt.codes, codes, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("diagnostics (-want +got):\n%s\n%v", d, f.Diagnostics)
			}
		})
	}
}

// TestLongLine: a line over 1 MiB drops the rest of the file (§2).
func TestLongLine(t *testing.T) {
	f := parse(t, "a.b = 1\nc.d = "+strings.Repeat("9", MaxLine)+"\ne.f = 3\n")
	if d := cmp.Diff([]string{"a.b=1 @t.conf:1"}, briefs(f.Entries)); d != "" {
		t.Errorf("entries (-want +got):\n%s", d)
	}
	if err := f.Err(); err == nil || !strings.HasPrefix(err.Error(), "t.conf:2: ") {
		t.Errorf("Err() = %v, want an error at t.conf:2", err)
	}
}

// TestRoundTrip: Parse(Render(x)) reads back x.
func TestRoundTrip(t *testing.T) {
	for _, text := range []string{
		"a.b = 1\n-c.d = x y\n-e.f\nnet.ipv4.conf.eth0/1.rp_filter = 1\n",
		"= 1\n-\n--x = 2\n/a.b/c = 3\n a/ b/ = 4\n",
		"net.ipv4.conf.*.rp_filter = 2\n-fs.x*\nk = \n",
	} {
		roundTrip(t, text)
	}
}

func roundTrip(t *testing.T, text string) {
	t.Helper()
	f, err := Parse(strings.NewReader(text), "t.conf")
	if err != nil {
		return
	}
	out := Render(f.Entries)
	g, err := Parse(strings.NewReader(out), "t.conf")
	if err != nil {
		t.Fatalf("re-parse %q: %v", out, err)
	}
	ignore := cmpopts.IgnoreFields(Entry{}, "Line")
	if d := cmp.Diff(f.Entries, g.Entries, ignore, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("round trip of %q via %q (-first +second):\n%s", text, out, d)
	}
}

// FuzzParse: Parse never fails on content and its entries survive Render.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"a.b = 1\n", "-a.b\n", "\ufeff#x\r\n;y\ra=b=c\x00- k = v", "net.ipv4.conf.*.rp_filter=2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		roundTrip(t, text)
	})
}
