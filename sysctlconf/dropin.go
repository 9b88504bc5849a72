package sysctlconf

import (
	"path"
	"sort"
	"strings"
)

// Change is one key a patch sets, with the comment written above it.
type Change struct {
	Key, Value string
	// Comment is one line of text (rule ID and why), without '#'.
	Comment string
}

// DefaultDropIn is the name a drop-in gets when no file forces a later one.
const DefaultDropIn = "90-tcpaudit.conf"

// Setters returns the lines that assign or exclude key explicitly (globs
// never beat an explicit key, so they do not matter for precedence).
func (c *Config) Setters(key string) []Entry {
	p := Normalize(key)
	var out []Entry
	for _, e := range c.Lines {
		if e.Path == p && !e.Glob() {
			out = append(out, e)
		}
	}
	return out
}

// LastSetter returns the name of the last file, in reading order, that
// sets any of keys explicitly, ignoring files named except (a file that a
// drop-in of that name replaces); "" when none does.
func (c *Config) LastSetter(keys []string, except string) string {
	last := ""
	for _, k := range keys {
		for _, e := range c.Setters(k) {
			if n := path.Base(e.File); n != except && n > last {
				last = n
			}
		}
	}
	return last
}

// DropInName returns a name for a new file in /etc/sysctl.d that sorts
// after every file that sets any of keys, so its values win, and that
// shadows no existing file of another directory.
//
// A drop-in tcpaudit generated earlier that sets any of keys is not a file
// to sort after but the one to replace, so that a fix run again on its own
// output names the same file.
func (c *Config) DropInName(keys []string) string {
	name := DefaultDropIn
	for {
		last := c.LastSetter(keys, name)
		if last < name {
			break
		}
		if !c.nameTaken(last) { // a drop-in generated earlier: replace it
			name = last
			continue
		}
		// '_' sorts after '.', so "99-zz_tcpaudit.conf" > "99-zz.conf".
		name = strings.TrimSuffix(last, ".conf") + "_tcpaudit.conf"
	}
	for c.nameTaken(name) {
		name = strings.TrimSuffix(name, ".conf") + "_.conf"
	}
	return name
}

// GeneratedMark starts the first line of a drop-in tcpaudit generated; such
// a file may be replaced by a new one of the same name.
const GeneratedMark = "# tcpaudit fix"

// nameTaken reports a file of that name that a new /etc/sysctl.d file must
// not replace: one in another directory (it would be shadowed entirely) or
// one in /etc/sysctl.d that tcpaudit did not generate.
func (c *Config) nameTaken(name string) bool {
	for _, s := range c.Files {
		if path.Base(s.Path) != name {
			continue
		}
		if path.Dir(s.Path) != Dirs[0] || len(s.Shadows) > 0 {
			return true
		}
		return !strings.HasPrefix(c.readFile(s.Path), GeneratedMark)
	}
	return false
}

// readFile returns a file's content under the root, "" when unreadable.
func (c *Config) readFile(p string) string {
	host, _, err := resolveIn(c.Root, p)
	if err != nil {
		return ""
	}
	b, err := readHost(host)
	if err != nil {
		return ""
	}
	return string(b)
}

// RenderDropIn writes a drop-in: header comment lines, then each change
// with its comment.
func RenderDropIn(header []string, changes []Change) string {
	var b strings.Builder
	for _, h := range header {
		b.WriteString(strings.TrimRight("# "+h, " ") + "\n")
	}
	for _, ch := range writeOrder(changes) {
		b.WriteString("\n")
		if ch.Comment != "" {
			b.WriteString("# " + oneLine(ch.Comment) + "\n")
		}
		b.WriteString(Render([]Entry{{Key: ch.Key, Path: Normalize(ch.Key), Value: ch.Value}}))
	}
	return b.String()
}

// ApplyCommands returns the commands that set every change now, one
// `sysctl -w` per key in an order where no write undoes an earlier one.
// They set exactly these keys: `sysctl -p FILE` would apply only the keys
// in that file, and every other line of it too (a line a later file
// overrides at boot included); `sysctl --system` would apply every key of
// the tree, procps's way (docs/sysctl-d-format.md).
func ApplyCommands(changes []Change) []string {
	out := make([]string, 0, len(changes))
	for _, ch := range writeOrder(changes) {
		out = append(out, "sysctl -w "+shellWord(Canonical(ch.Key)+"="+strings.Join(strings.Fields(ch.Value), " ")))
	}
	return out
}

// shellWord quotes s for a POSIX shell unless it needs none.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/=:,+-@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeOrder returns the changes sorted by writeRank, then by key.
func writeOrder(changes []Change) []Change {
	sorted := append([]Change(nil), changes...)
	sort.SliceStable(sorted, func(i, j int) bool {
		ri, rj := writeRank(sorted[i].Key), writeRank(sorted[j].Key)
		if ri != rj {
			return ri < rj
		}
		return sorted[i].Key < sorted[j].Key
	})
	return sorted
}

// writeRank orders a drop-in so that no line undoes an earlier one when it
// is applied top to bottom: writing ip_forward (or conf/all/forwarding)
// resets conf/all/accept_redirects and every interface's forwarding, and an
// IPv4 conf/default write is copied to every interface that has not set the
// key itself; so the switches come first, then conf/default, conf/all and
// the interfaces, then everything else.
func writeRank(key string) int {
	switch key {
	case "net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding", "net.ipv6.conf.all.forwarding":
		return 0
	}
	switch {
	case strings.HasPrefix(key, "net.ipv4.conf.default.") || strings.HasPrefix(key, "net.ipv6.conf.default."):
		return 1
	case strings.HasPrefix(key, "net.ipv4.conf.all.") || strings.HasPrefix(key, "net.ipv6.conf.all."):
		return 2
	case strings.HasPrefix(key, "net.ipv4.conf.") || strings.HasPrefix(key, "net.ipv6.conf."):
		return 3
	}
	return 4
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
