package rules

const qdiscWhy = `net.core.default_qdisc is the queueing discipline for device queues ` +
	`created after it is set; existing qdiscs keep theirs until the device is reset. ` +
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
		advice:  "Only queues created afterwards use it: reload the interface or replace the root qdisc with tc.",
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
			"net/sched/sch_generic.c",
		},
		Check: c.check,
	}
}
