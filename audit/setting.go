package audit

// Setting is a value the sysctl configuration applies at boot, and the file
// and line that set it.
type Setting struct {
	Value string `json:"value"`
	File  string `json:"file"`
	Line  int    `json:"line"`
}
