package exporter

import (
	"time"

	"github.com/tcpaudit/tcpaudit/internal/promtext"
	"github.com/tcpaudit/tcpaudit/report"
)

// collectEvaluation adds the exporter's own series, about e, the last of
// evaluations started, at now.
func collectEvaluation(s *promtext.Set, e evaluation, evaluations int, now time.Time) {
	gauge := func(name, help string, v float64) {
		s.Add(promtext.NewDesc(name, help, promtext.Gauge), v)
	}
	up := 1.0
	if e.err != nil {
		up = 0
		reason := promtext.NewDesc("tcpaudit_error_info", "Constant 1, labelled with why tcpaudit_up is 0; absent when it is 1.", promtext.Gauge, "reason")
		s.Add(reason, 1, report.LabelValue(e.err.Error()))
	}
	gauge("tcpaudit_up", "1 if the last evaluation succeeded and its metrics are served, 0 if not.", up)
	s.Add(promtext.NewDesc("tcpaudit_evaluations_total", "Evaluations started since the exporter started.", promtext.Counter), float64(evaluations))
	if !e.at.IsZero() {
		gauge("tcpaudit_evaluation_duration_seconds", "How long the last evaluation took.", e.took.Seconds())
		gauge("tcpaudit_last_evaluation_timestamp_seconds", "When the last evaluation started, in Unix seconds.", float64(e.at.UnixNano())/1e9)
		gauge("tcpaudit_last_evaluation_age_seconds", "Age of the result served: seconds since the last evaluation started.", now.Sub(e.at).Seconds())
	}
}
