package sysctl

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// row builds a line of the table from its columns, "-" where not given.
func row(cols map[int]string) string {
	f := make([]string, columns)
	for i := range f {
		f[i] = "-"
		if s, ok := cols[i]; ok {
			f[i] = s
		}
	}
	return strings.Join(f, "\t")
}

var (
	goodRow   = row(map[int]string{0: "net.ipv4.tcp_syn_retries", 5: "1", 6: "1", 7: "127", 8: "netns", 12: "SYN retransmissions"})
	globalRow = row(map[int]string{0: "net.core.rmem_default", 8: "global-ro"})
)

func TestParseMalformed(t *testing.T) {
	tests := []struct {
		name string
		text string
		line int
		want error
	}{
		{"no header", goodRow + "\n", 1, errHeader},
		{"empty", "", 1, errHeader},
		{"too few columns", header + "\n" + goodRow + "\n" + strings.Repeat("-\t", columns-2) + "-\n", 3, errColumns},
		{"too many columns", header + "\n" + globalRow + "\textra\n", 2, errColumns},
		{"blank line", header + "\n" + goodRow + "\n\n" + globalRow + "\n", 3, errColumns},
		{"bad name", header + "\n" + row(map[int]string{0: "ipv4.tcp_syn_retries", 8: "netns"}) + "\n", 2, errName},
		{"slashed name", header + "\n" + row(map[int]string{0: "net/ipv4/tcp_syn_retries", 8: "netns"}) + "\n", 2, errName},
		{"duplicate key", header + "\n" + goodRow + "\n" + globalRow + "\n" + goodRow + "\n", 4, errDuplicate},
		{"unparsable min", header + "\n" + row(map[int]string{0: "net.a.b", 5: "1", 6: "zero", 7: "1", 8: "netns"}) + "\n", 2, errBound},
		{"unparsable max", header + "\n" + row(map[int]string{0: "net.a.b", 5: "1", 6: "0", 7: "INT_MAXX", 8: "netns"}) + "\n", 2, errBound},
		{"bounds without fields", header + "\n" + row(map[int]string{0: "net.a.b", 6: "0", 7: "1", 8: "netns"}) + "\n", 2, errBound},
		{"fields without bounds", header + "\n" + row(map[int]string{0: "net.a.b", 5: "1", 8: "netns"}) + "\n", 2, errBound},
		{"min above max", header + "\n" + row(map[int]string{0: "net.a.b", 5: "1", 6: "2", 7: "1", 8: "netns"}) + "\n", 2, errBound},
		{"unknown scope", header + "\n" + row(map[int]string{0: "net.a.b", 8: "yes"}) + "\n", 2, errScope},
		{"no scope", header + "\n" + row(map[int]string{0: "net.a.b"}) + "\n", 2, errScope},
		{"removed without release", header + "\n" + row(map[int]string{0: "net.a.b", 8: "removed"}) + "\n", 2, errRemoved},
		{"release without removed scope", header + "\n" + row(map[int]string{0: "net.a.b", 8: "netns", 10: "4.12"}) + "\n", 2, errRemoved},
		{"release not a version", header + "\n" + row(map[int]string{0: "net.a.b", 8: "removed", 10: "soon"}) + "\n", 2, errRemoved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := parse("test.tsv", strings.NewReader(tt.text))
			var le *lineError
			if !errors.As(err, &le) || !errors.Is(err, tt.want) {
				t.Fatalf("parse = %d keys, %v; want a %v error", len(tab), err, tt.want)
			}
			if le.file != "test.tsv" || le.line != tt.line {
				t.Errorf("error at %s line %d, want test.tsv line %d: %v", le.file, le.line, tt.line, err)
			}
			if !strings.Contains(err.Error(), "test.tsv line ") {
				t.Errorf("error %q does not name the line", err)
			}
		})
	}
}

func TestParseRow(t *testing.T) {
	tab, err := parse("test.tsv", strings.NewReader(header+"\n"+goodRow+"\n"+globalRow+"\n"+
		row(map[int]string{0: "net.ipv4.tcp_mem", 5: "3", 6: "0", 7: "LONG_MAX", 8: "global", 9: "global ipv4_table"})+"\n"+
		row(map[int]string{0: "net.ipv4.tcp_tw_recycle", 5: "1", 6: "0", 7: "1", 8: "removed", 10: "4.12"})+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := table{
		"net.ipv4.tcp_syn_retries": {Name: "net.ipv4.tcp_syn_retries", Scope: ScopeNetns, Meaning: "SYN retransmissions",
			limits: Limits{Fields: 1, Min: 1, Max: 127}},
		"net.core.rmem_default": {Name: "net.core.rmem_default", Scope: ScopeGlobalReadOnly},
		"net.ipv4.tcp_mem": {Name: "net.ipv4.tcp_mem", Scope: ScopeGlobal, ScopeNote: "global ipv4_table",
			limits: Limits{Fields: 3, Min: 0, Max: 1<<63 - 1}},
		"net.ipv4.tcp_tw_recycle": {Name: "net.ipv4.tcp_tw_recycle", Scope: ScopeRemoved, Removed: "4.12",
			limits: Limits{Fields: 1, Min: 0, Max: 1}},
	}
	if diff := cmp.Diff(want, tab, cmp.AllowUnexported(Key{})); diff != "" {
		t.Errorf("parse (-want +got):\n%s", diff)
	}
}

// FuzzParse: whatever the text, parse returns keys that hold what the
// parser promises, or an error naming a line, and never panics.
func FuzzParse(f *testing.F) {
	f.Add(keysTSV)
	f.Add(header + "\n" + goodRow + "\n" + globalRow + "\n")
	f.Add(header + "\n" + goodRow + "\n" + goodRow + "\n")
	f.Fuzz(func(t *testing.T, text string) {
		tab, err := parse("fuzz.tsv", strings.NewReader(text))
		var le *lineError
		if err != nil && !errors.As(err, &le) && !strings.HasPrefix(err.Error(), "read fuzz.tsv") {
			t.Fatalf("error without a line: %v", err)
		}
		for name, k := range tab {
			l, ok := k.Limits()
			if name != k.Name || !validName(name) || (ok && l.Min > l.Max) || (k.Scope == ScopeRemoved) != (k.Removed != "") {
				t.Errorf("parsed %q as %+v", name, k)
			}
		}
	})
}
