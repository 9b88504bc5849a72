//go:build !linux || tcpaudit_portable

package audit

// dirFDs is empty where readAt is not used.
type dirFDs struct{}

// readAt is not used here: readSmall reads every file.
func (p *procFiles) readAt(string) (fileRead, bool) { return fileRead{}, false }

func (dirFDs) close() {}
