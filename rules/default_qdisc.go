package rules

const qdiscWhy = `net.core.default_qdisc is the queueing discipline the kernel attaches when ` +
	`a device first leaves the noop qdisc (dev_activate), normally when it is first brought ` +
	`up; taking a link down and up keeps its existing root qdisc. An existing device needs ` +
	`tc qdisc replace dev DEV root, or to be created again. ` +
	`Multiqueue NICs keep mq as the root and use the default for each queue; virtual ` +
	`devices such as lo and veth use noqueue. fq paces each flow, which suits hosts ` +
	`that send bulk data to many receivers; fq_codel keeps latency low under load. It is ` +
	`a global key: inside a container's network namespace it is not visible, and that is ` +
	`not a finding.`

func defaultQdisc() Rule {
	c := choiceRule{
		key:     "net.core.default_qdisc",
		problem: "Default qdisc differs from the profile",
		why:     qdiscWhy,
		advice:  "Existing devices keep their qdisc, even across a link down and up: run tc qdisc replace dev DEV root QDISC for each (or re-create the device).",
	}
	return Rule{
		ID:          "default-qdisc",
		Title:       "Default queueing discipline differs from the profile",
		Category:    Performance,
		Severity:    Info,
		Keys:        []string{c.key},
		Params:      choiceParams("default_qdisc"),
		Explanation: qdiscWhy,
		References: []string{
			"Documentation/admin-guide/sysctl/net.rst default_qdisc",
			"net/sched/sch_generic.c dev_activate, attach_default_qdiscs (only a noop qdisc is replaced)",
		},
		Check: c.check,
	}
}
