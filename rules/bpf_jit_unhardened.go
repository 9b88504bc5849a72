package rules

const bpfJitWhy = `net.core.bpf_jit_harden blinds constants in JIT-compiled BPF programs ` +
	`(1 for unprivileged users, 2 for everyone), which makes JIT spraying attacks much ` +
	`harder at a small performance cost. It is a global key: inside a container's ` +
	`network namespace it is not visible, and that is not a finding. The file is readable ` +
	`by root only (mode 0600), so without root the rule is skipped as unreadable.`

func bpfJitUnhardened() Rule {
	s := scalarRule{
		key: "net.core.bpf_jit_harden", accepted: acceptedParam, recommended: recommendedParam,
		problem: "BPF JIT hardening is below the profile's level",
		why:     bpfJitWhy,
	}
	return Rule{
		ID:          "bpf-jit-unhardened",
		Title:       "BPF JIT constant blinding is off",
		Category:    Hardening,
		Severity:    Info,
		Keys:        []string{s.key},
		Params:      acceptParams("bpf_jit_harden"),
		Explanation: bpfJitWhy,
		References: []string{
			"KSPP recommended settings (net.core.bpf_jit_harden = 2)",
			"Documentation/admin-guide/sysctl/net.rst bpf_jit_harden",
		},
		Check: s.check,
	}
}
