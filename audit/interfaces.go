package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Address families of the per-interface conf trees.
const (
	IPv4 = "ipv4"
	IPv6 = "ipv6"
)

// Pseudo-devices of a conf tree: "all" and "default" (the seed of
// interfaces created later).
const (
	ConfAll     = "all"
	ConfDefault = "default"
)

// DeviceConf maps a setting ("rp_filter") to its raw value.
type DeviceConf map[string]string

// FamilyConf is one family's sys/net/<family>/conf tree: conf/all,
// conf/default and every interface, each with the settings that were asked
// for.
type FamilyConf struct {
	All     DeviceConf
	Default DeviceConf
	// Devices holds the real interfaces by name (dots kept: "eth0.100").
	Devices map[string]DeviceConf
}

// Names returns the interface names in order.
func (c *FamilyConf) Names() []string {
	names := make([]string, 0, len(c.Devices))
	for n := range c.Devices {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// confSettings groups the per-interface settings named by dotted
// net.<family>.conf.all.<setting> keys: asking for conf/all of a setting asks
// for every interface's value too.
func confSettings(keys []string) map[string][]string {
	out := map[string][]string{}
	seen := map[string]bool{}
	for _, k := range keys {
		for _, fam := range []string{IPv4, IPv6} {
			prefix := "net." + fam + ".conf.all."
			if s, ok := strings.CutPrefix(k, prefix); ok && !seen[fam+s] {
				seen[fam+s] = true
				out[fam] = append(out[fam], s)
			}
		}
	}
	return out
}

// Conf reads sys/net/<family>/conf/*/<setting> for the settings that
// net.<family>.conf.all.<setting> keys name. Interface names come from
// directory entries and paths are built from them, so names with dots
// ("eth0.100") are read correctly. A family whose conf directory is missing
// is left nil; a missing setting file is left out of that device's map.
func (fsys FS) Conf(keys []string) (NetConf, error) {
	want := confSettings(keys)
	n := NetConf{Read: len(want) > 0}
	for fam, settings := range want {
		dir := filepath.Join(fsys.root, "sys", "net", fam, "conf")
		entries, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return NetConf{}, fmt.Errorf("read %s: %w", dir, err)
		}
		c := &FamilyConf{Devices: map[string]DeviceConf{}}
		for _, e := range entries {
			if !e.IsDir() && e.Type()&fs.ModeSymlink == 0 {
				continue
			}
			d, err := fsys.readDeviceConf(filepath.Join(dir, e.Name()), settings)
			if err != nil {
				return NetConf{}, err
			}
			switch e.Name() {
			case ConfAll:
				c.All = d
			case ConfDefault:
				c.Default = d
			default:
				c.Devices[e.Name()] = d
			}
		}
		if fam == IPv4 {
			n.IPv4 = c
		} else {
			n.IPv6 = c
		}
	}
	return n, nil
}

func (fsys FS) readDeviceConf(dir string, settings []string) (DeviceConf, error) {
	d := DeviceConf{}
	for _, s := range settings {
		p := filepath.Join(dir, s)
		b, err := fsys.files.readSmall(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		d[s] = strings.TrimSpace(string(b))
	}
	return d, nil
}

// NetConf holds the per-interface conf trees of both families; a family is
// nil when its conf directory is absent (IPv6 disabled, a partial snapshot).
type NetConf struct {
	IPv4 *FamilyConf
	IPv6 *FamilyConf
	// Read is true when Gather looked for the conf trees (some key asked
	// for them), so a nil family means its directory is absent.
	Read bool
}

// Family returns the conf tree of "ipv4" or "ipv6".
func (n NetConf) Family(fam string) *FamilyConf {
	if fam == IPv6 {
		return n.IPv6
	}
	return n.IPv4
}
