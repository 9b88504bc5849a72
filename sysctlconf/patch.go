package sysctlconf

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// Patch returns a unified diff, with paths relative to the root (apply with
// `patch -p1 -d ROOT`), that makes every change win at boot: a change whose
// key is set by a winning explicit line in a file under /etc edits that line
// in place; the others go to /etc/sysctl.d/dropIn, written whole, and so do
// the keys whose winning line is in that file already. A file whose text
// would not change gets no hunk. Changes the tree already makes are the
// caller's to leave out.
func (c *Config) Patch(changes []Change, dropIn string, header []string) (string, error) {
	edits := map[string][]lineEdit{} // by host-relative file path
	var rest []Change
	dest := path.Join(Dirs[0], dropIn)
	for _, ch := range changes {
		if w, ok := c.Lookup(ch.Key); ok && w.File == dest {
			rest = append(rest, ch)
			continue
		}
		file, ed, ok := c.editFor(ch)
		if !ok {
			rest = append(rest, ch)
			continue
		}
		edits[file] = append(edits[file], ed)
	}
	var b strings.Builder
	files := make([]string, 0, len(edits))
	for f := range edits {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		d, err := c.diffFile(f, edits[f])
		if err != nil {
			return "", err
		}
		b.WriteString(d)
	}
	if text, old := RenderDropIn(header, rest), c.readFile(dest); len(rest) > 0 && text != old {
		b.WriteString(replaceFileDiff(dest, old, text))
	}
	return b.String(), nil
}

// lineEdit replaces line (1-based) with text lines.
type lineEdit struct {
	line int
	text []string
}

// editFor finds the winning explicit line of a change's key in a file
// under /etc, and the file to edit (a symlink's target inside the root).
func (c *Config) editFor(ch Change) (string, lineEdit, bool) {
	w, ok := c.Lookup(ch.Key)
	if !ok || w.Glob() || !strings.HasPrefix(w.File, "/etc/") {
		return "", lineEdit{}, false
	}
	file := w.File
	for _, s := range c.Files {
		if s.Path == w.File && s.Target != "" {
			file = s.Target
		}
	}
	if !strings.HasPrefix(file, "/etc/") {
		return "", lineEdit{}, false
	}
	e := Entry{Key: ch.Key, Path: Normalize(ch.Key), Value: ch.Value, IgnoreFailure: w.IgnoreFailure}
	text := []string{"# " + oneLine(ch.Comment), strings.TrimSuffix(Render([]Entry{e}), "\n")}
	return file, lineEdit{line: w.Line, text: text}, true
}

const context = 3

// diffFile renders the hunks of edits to one file.
func (c *Config) diffFile(file string, edits []lineEdit) (string, error) {
	host, _, err := resolveIn(c.Root, file)
	if err != nil {
		return "", fmt.Errorf("patch %s: %w", file, err)
	}
	raw, err := readHost(host)
	if err != nil {
		return "", fmt.Errorf("patch: %w", err)
	}
	text := string(raw)
	if strings.ContainsAny(strings.ReplaceAll(text, "\r\n", "\n"), "\r\x00") {
		return "", fmt.Errorf("patch %s: line ends other than LF or CRLF, edit it by hand", file)
	}
	noEOL := text != "" && !strings.HasSuffix(text, "\n")
	lines := splitLines(text)
	sort.Slice(edits, func(i, j int) bool { return edits[i].line < edits[j].line })
	rel := strings.TrimPrefix(file, "/")
	var b strings.Builder
	fmt.Fprintf(&b, "--- a/%s\n+++ b/%s\n", rel, rel)
	offset := 0
	for _, group := range groupEdits(edits) {
		offset += writeHunk(&b, lines, group, offset, noEOL)
	}
	return b.String(), nil
}

// groupEdits puts edits whose context would overlap into one hunk.
func groupEdits(edits []lineEdit) [][]lineEdit {
	var out [][]lineEdit
	for _, e := range edits {
		if n := len(out); n > 0 && e.line-out[n-1][len(out[n-1])-1].line <= 2*context {
			out[n-1] = append(out[n-1], e)
			continue
		}
		out = append(out, []lineEdit{e})
	}
	return out
}

// writeHunk writes one hunk and returns how many lines it adds.
func writeHunk(b *strings.Builder, lines []string, group []lineEdit, offset int, noEOL bool) int {
	start := max(1, group[0].line-context)
	end := min(len(lines), group[len(group)-1].line+context)
	var body strings.Builder
	oldN, newN := 0, 0
	next := 0
	for n := start; n <= end; n++ {
		l := lines[n-1]
		last := n == len(lines) && noEOL
		if next < len(group) && group[next].line == n {
			writeLine(&body, "-", l, last)
			for _, t := range group[next].text {
				body.WriteString("+" + t + eol(l) + "\n")
				newN++
			}
			oldN++
			next++
			continue
		}
		writeLine(&body, " ", l, last)
		oldN++
		newN++
	}
	fmt.Fprintf(b, "@@ -%d,%d +%d,%d @@\n%s", start, oldN, start+offset, newN, body.String())
	return newN - oldN
}

// writeLine writes a line of the old file, marking a missing final newline.
func writeLine(b *strings.Builder, prefix, l string, last bool) {
	b.WriteString(prefix + l)
	if last {
		b.WriteString("\n\\ No newline at end of file\n")
	}
}

// eol keeps a CRLF file's line ends.
func eol(l string) string {
	if strings.HasSuffix(l, "\r\n") {
		return "\r"
	}
	return ""
}

// replaceFileDiff adds a file, or replaces the whole content of an
// existing one (a drop-in generated earlier).
func replaceFileDiff(file, old, text string) string {
	rel := strings.TrimPrefix(file, "/")
	oldLines, newLines := splitLines(old), splitLines(text)
	var b strings.Builder
	if old == "" {
		fmt.Fprintf(&b, "--- /dev/null\n+++ b/%s\n@@ -0,0 +1,%d @@\n", rel, len(newLines))
	} else {
		fmt.Fprintf(&b, "--- a/%s\n+++ b/%s\n@@ -1,%d +1,%d @@\n", rel, rel, len(oldLines), len(newLines))
	}
	for i, l := range oldLines {
		writeLine(&b, "-", l, i == len(oldLines)-1 && !strings.HasSuffix(old, "\n"))
	}
	for _, l := range newLines {
		b.WriteString("+" + l)
	}
	return b.String()
}

func splitLines(text string) []string {
	lines := strings.SplitAfter(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}
