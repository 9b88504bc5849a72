package containers

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tcpaudit/tcpaudit/sysctl"
)

// Setting is one sysctl to set, with why.
type Setting struct {
	Key, Value string
	// Comment says why (the finding); shown as a comment.
	Comment string
}

// Form says where a namespace's sysctls are kept, and so how the fix is
// applied.
type Form string

// The forms of a fix.
const (
	// FormPod is the pod's securityContext.sysctls.
	FormPod Form = "pod"
	// FormContainer is docker (or podman) run --sysctl and compose sysctls:.
	FormContainer Form = "container"
	// FormLXC is the container's lxc.sysctl configuration.
	FormLXC Form = "lxc"
	// FormIPNetns is ip netns exec NAME sysctl -w.
	FormIPNetns Form = "ip-netns"
	// FormNsenter is nsenter --net=/proc/PID/ns/net sysctl -w; it does
	// not persist.
	FormNsenter Form = "nsenter"
	// FormSysctl is sysctl -w run inside the namespace, for an owner that
	// is not known (no PID); it does not persist.
	FormSysctl Form = "sysctl"
)

// Fix is how to set a namespace's sysctls where its owner keeps them.
type Fix struct {
	Form Form
	// Settings are the per-namespace keys the fix sets.
	Settings []Setting
	// Host are the global keys: only the initial network namespace has
	// them, so they are never offered per namespace.
	Host []Setting
	// Unsafe are the pod's keys outside Kubernetes' safe set: the node's
	// kubelet must allow them.
	Unsafe []string
	// Text is the fix for a person: commands or a snippet, with notes as
	// comments.
	Text string
}

// SysctlFix renders settings for the network namespace that id owns, in the
// form its owner keeps them: a pod's securityContext.sysctls, the --sysctl
// flags and compose sysctls: of a Docker or Podman container, LXC's
// lxc.sysctl keys, ip netns exec lines for a namespace named nsName under
// /run/netns (any name ip netns accepts that a terminal shows as it is,
// quoted for the shell), else nsenter into the process's namespace (which
// does not persist), or, commented out, sysctl -w lines to run in the
// namespace (named when nsName is given) when id has no PID. A global key is never offered per namespace: the text says it
// belongs to the host.
func SysctlFix(id Identity, nsName string, settings []Setting) Fix {
	fx := Fix{Form: form(id, nsName)}
	var b strings.Builder
	for _, s := range settings {
		k, ok := sysctl.Lookup(s.Key)
		switch {
		case printable(s.Key) != s.Key || printable(s.Value) != s.Value:
			fmt.Fprintf(&b, "# %s = %s: left out, it holds characters a shell or terminal would act on.\n", printable(s.Key), printable(s.Value))
		case ok && k.Global():
			fx.Host = append(fx.Host, s)
		case ok && k.Scope == sysctl.ScopeRemoved:
			fmt.Fprintf(&b, "# %s: no current kernel has this key (removed in %s); left out.\n", s.Key, k.Removed)
		default:
			fx.Settings = append(fx.Settings, s)
		}
	}
	if len(fx.Settings) > 0 {
		switch fx.Form {
		case FormPod:
			fx.Unsafe = podYAML(&b, id, fx.Settings)
		case FormContainer:
			containerFlags(&b, id, fx.Settings)
		case FormLXC:
			lxcConfig(&b, id, fx.Settings)
		case FormIPNetns:
			ipNetns(&b, nsName, fx.Settings)
		case FormSysctl:
			// Commented out: pasted into a shell of the host, a bare
			// sysctl -w would change the host's values.
			if nsName != "" {
				fmt.Fprintf(&b, "# Network namespace %s (ip netns; its name cannot be given to a shell as it is).\n", printable(nsName))
			}
			b.WriteString("# Run these inside this network namespace, not in a shell of the host (which they\n")
			b.WriteString("# would change): enter it first. They do not persist: the values are lost with the\n")
			b.WriteString("# namespace; have whatever makes it set them there.\n")
			sysctlW(&b, "#", fx.Settings)
		default:
			nsenter(&b, id, fx.Settings)
		}
	}
	hostKeys(&b, fx.Host)
	fx.Text = b.String()
	return fx
}

func form(id Identity, nsName string) Form {
	switch {
	case id.Monitor:
	case id.Kind == KindPod:
		return FormPod
	case id.Kind == KindContainer && (id.Runtime == RuntimeDocker || id.Runtime == RuntimePodman):
		return FormContainer
	case id.Kind == KindContainer && id.Runtime == RuntimeLXC:
		return FormLXC
	}
	switch {
	case ipNetnsName(nsName):
		return FormIPNetns
	case id.PID == 0:
		return FormSysctl
	}
	return FormNsenter
}

// sysctlW writes one `PREFIX sysctl -w KEY=VALUE` line per setting, each
// after its comment.
func sysctlW(b *strings.Builder, prefix string, settings []Setting) {
	for _, s := range settings {
		comment(b, "", s.Comment)
		fmt.Fprintln(b, strings.TrimSpace(prefix+" sysctl -w "+shellQuote(s.Key+"="+s.Value)))
	}
}

// ipNetnsName reports whether name is a name ip netns accepts (a file
// name under /run/netns: not empty, "." or "..", no "/" or NUL, at most
// 255 bytes) that a terminal shows as it is (valid UTF-8, printable), so
// that a command naming it, quoted for the shell, can be printed.
func ipNetnsName(name string) bool {
	switch {
	case name == "" || name == "." || name == ".." || len(name) > 255 || strings.ContainsAny(name, "/\x00"):
		return false
	}
	return printable(name) == name
}

func ipNetns(b *strings.Builder, name string, settings []Setting) {
	fmt.Fprintf(b, "# Network namespace %s (ip netns): the values last until the namespace is deleted;\n", name)
	b.WriteString("# run these where the namespace is made (after `ip netns add`) to keep them.\n")
	sysctlW(b, "ip netns exec "+shellQuote(name), settings)
}

func nsenter(b *strings.Builder, id Identity, settings []Setting) {
	fmt.Fprintf(b, "# Network namespace of %s: set now with nsenter. This does not persist: the\n", id.Name)
	b.WriteString("# values are lost with the namespace; have its owner set them where it is made.\n")
	sysctlW(b, fmt.Sprintf("nsenter --net=/proc/%d/ns/net", id.PID), settings)
}

func lxcConfig(b *strings.Builder, id Identity, settings []Setting) {
	fmt.Fprintf(b, "# LXC container %s: add to its config (LXC 3.0 and later), then restart it:\n", id.Name)
	for _, s := range settings {
		comment(b, "", s.Comment)
		fmt.Fprintf(b, "lxc.sysctl.%s = %s\n", printable(s.Key), printable(s.Value))
	}
}

// hostKeys writes the global keys as notes, after their comments: only
// the host's (initial) namespace can change them, and the change acts on
// every namespace.
func hostKeys(b *strings.Builder, host []Setting) {
	for _, s := range host {
		comment(b, "", s.Comment)
		fmt.Fprintf(b, "# %s = %s belongs to the host: a global key, one value for every network\n", printable(s.Key), printable(s.Value))
		b.WriteString("# namespace, that only the host's (initial) namespace can change: set it there\n")
		b.WriteString("# (sysctl -w in a shell of the host, kept in its /etc/sysctl.d), never from this namespace.\n")
	}
}

// comment writes text as a comment line at indent, on one line.
func comment(b *strings.Builder, indent, text string) {
	if text == "" {
		return
	}
	text = strings.Join(strings.Fields(text), " ")
	fmt.Fprintf(b, "%s# %s\n", indent, printable(text))
}

// shellQuote quotes s for a POSIX shell unless it holds only characters
// that need no quoting.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./=:,+@%-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// yamlScalar writes s plain when it is a key-like word, else as a
// double-quoted YAML string (whose escapes Go's quoting uses too).
func yamlScalar(s string, quote bool) string {
	if !quote && s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-") == "" {
		return s
	}
	return strconv.Quote(s)
}
