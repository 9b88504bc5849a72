package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tcpaudit/tcpaudit/netns"
)

// censusOptions are what check and sockets share about the census: its
// source and samples, the network namespaces it is taken in, and how the
// processes holding its sockets are found.
type censusOptions struct {
	sampleOptions     `mapstructure:",squash"`
	netnsOptions      `mapstructure:",squash"`
	attributionOption `mapstructure:",squash"`
}

// addCensusFlags declares the flags of censusOptions.
func addCensusFlags(f *pflag.FlagSet) {
	addSampleFlags(f)
	addNetnsFlags(f)
	addAttributionFlag(f)
}

// netnsOptions select the network namespaces check and sockets audit.
type netnsOptions struct {
	AllNetns bool   `mapstructure:"all-netns"`
	Netns    string `mapstructure:"netns"`
}

// addNetnsFlags declares the flags of netnsOptions.
func addNetnsFlags(f *pflag.FlagSet) {
	f.Bool("all-netns", false, "audit every network namespace of the host: the host's, the ip netns names and those of every process (containers, pods)")
	f.Var(new(netnsSpec), "netns", "audit one network namespace: a `NAME` under /run/netns, a PID whose namespace is meant, or a path to an nsfs file")
}

// netnsSpec is the value of --netns: given, it may not be empty (an
// empty name would silently mean the host's namespace).
type netnsSpec string

func (v *netnsSpec) String() string { return string(*v) }

// Set refuses the empty string.
func (v *netnsSpec) Set(s string) error {
	if s == "" {
		return errors.New("empty: want a name under /run/netns, a PID or a path to an nsfs file")
	}
	*v = netnsSpec(s)
	return nil
}

// Type is "string", so that viper reads the flag as one.
func (v *netnsSpec) Type() string { return "string" }

// enabled reports whether namespaces were asked for.
func (o netnsOptions) enabled() bool { return o.AllNetns || o.Netns != "" }

// finder finds the namespaces and names them after their containers and
// pods, reading the node's files under hostRoot.
func finder(hostRoot string) netns.Finder {
	return netns.Finder{Namer: containerNamer(hostRoot)}
}

// namespaces returns the namespaces the options select on the live host,
// what discovery could not see, and the proc root to audit them under:
// /proc, also for --proc-root /proc/PID with --netns PID.
func (o netnsOptions) namespaces(procRoot string) ([]netns.Namespace, []string, string, error) {
	root, err := o.procRoot(procRoot)
	if err != nil {
		return nil, nil, "", err
	}
	f := finder(namerRoot(root, ""))
	if o.Netns != "" {
		ns, err := f.Resolve(o.Netns, root)
		return []netns.Namespace{ns}, nil, root, err
	}
	nss, unseen, err := f.Discover(root)
	if err != nil {
		return nil, nil, "", err
	}
	var notes []string
	for _, s := range unseen {
		notes = append(notes, "network namespaces not seen: "+s.String())
	}
	return nss, notes, root, nil
}

// procRoot checks the options against --proc-root: namespaces are entered
// on the live host, so the proc root is /proc, or /proc/PID naming the
// process --netns names.
func (o netnsOptions) procRoot(procRoot string) (string, error) {
	if o.AllNetns && o.Netns != "" {
		return "", errors.New("--all-netns and --netns both say which namespaces to audit: give one")
	}
	clean := filepath.Clean(procRoot)
	if clean == "/proc" {
		return clean, nil
	}
	if pid, ok := strings.CutPrefix(clean, "/proc/"); ok && pid == o.Netns {
		if _, err := strconv.Atoi(pid); err == nil {
			return "/proc", nil
		}
	}
	flag := "--all-netns"
	if o.Netns != "" {
		flag = "--netns"
	}
	return "", fmt.Errorf("%s enters namespaces of the live host: --proc-root %s is not /proc", flag, procRoot)
}
