package audit

import (
	"path/filepath"
	"strings"
)

// readSysctl reads one sysctl under root/sys and returns its
// whitespace-separated fields. It reads the whole file: procfs's
// SysctlStrings stops after 128 bytes, which silently cuts long values such
// as ip_local_reserved_ports. In a dotted key a '/' stands for a '.' inside
// one name (net.ipv4.conf.eth0/100.rp_filter), as sysctl(8) spells it.
func readSysctl(root, key string) ([]string, error) {
	parts := strings.Split(key, ".")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(p, "/", ".")
	}
	b, err := readSmall(filepath.Join(append([]string{root, "sys"}, parts...)...))
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(b)), nil
}
