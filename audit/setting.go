package audit

// SourceConfig is satisfied when a sysctl configuration tree was resolved
// and Facts.Configured holds what it sets.
const SourceConfig Source = "sysctl.d"

// Setting is a value the sysctl configuration applies at boot, and the file
// and line that set it.
type Setting struct {
	Value string `json:"value"`
	File  string `json:"file"`
	Line  int    `json:"line"`
}
