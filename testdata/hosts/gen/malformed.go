package main

import (
	"fmt"
	"strings"
)

// malformedCase is a complete proc tree (the healthy host) with one file
// broken at a known line.
type malformedCase struct {
	name    string
	file    string
	line    int // 1-based line that is broken
	corrupt func(line string) string
	// drop removes the line instead of replacing it.
	drop bool
}

func malformedCases() []malformedCase {
	return []malformedCase{
		{name: "tcp-nonhex-address", file: "net/tcp", line: 5, corrupt: func(l string) string {
			return replaceField(l, 1, "0100G07F:0050")
		}},
		{name: "tcp-wrong-columns", file: "net/tcp", line: 4, corrupt: func(l string) string {
			return pad(strings.Join(strings.Fields(l)[:7], " "))
		}},
		{name: "tcp-missing-header", file: "net/tcp", line: 1, drop: true},
		{name: "netstat-count-mismatch", file: "net/netstat", line: 2, corrupt: func(l string) string {
			return l[:strings.LastIndexByte(l, ' ')]
		}},
		{name: "sockstat-nonnumber", file: "net/sockstat", line: 2, corrupt: func(l string) string {
			return strings.Replace(l, " tw ", " tw x", 1)
		}},
		{name: "tcp6-truncated", file: "net/tcp6", line: 3, corrupt: func(l string) string {
			return l[:60]
		}},
	}
}

func (m malformedCase) files() tree {
	t := healthy().files()
	lines := strings.SplitAfter(t[m.file], "\n")
	if m.line > len(lines) {
		panic(fmt.Sprintf("%s: %s has no line %d", m.name, m.file, m.line))
	}
	i := m.line - 1
	if m.drop {
		lines = append(lines[:i], lines[i+1:]...)
	} else {
		lines[i] = m.corrupt(strings.TrimSuffix(lines[i], "\n")) + "\n"
	}
	t[m.file] = strings.Join(lines, "")
	return t
}

// replaceField replaces the i-th space-separated field of a line and keeps
// the line's width.
func replaceField(line string, i int, value string) string {
	f := strings.Fields(line)
	old := f[i]
	at := strings.Index(line, " "+old+" ") + 1
	return line[:at] + value + line[at+len(old):]
}
