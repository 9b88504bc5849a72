package audit

// Owner is a process holding some of the sockets looked for.
type Owner struct {
	PID     int    `json:"pid"`
	Command string `json:"command"`
	Sockets int    `json:"sockets"`
}

// Attribution maps a set of socket inodes to the processes holding them.
type Attribution struct {
	// Owners, most sockets first.
	Owners []Owner
	// Unattributed counts inodes found in no readable process.
	Unattributed int
	// Unreadable counts processes whose fd directory could not be read
	// (another user's process when not running as root).
	Unreadable int
	// Root is true when the scan ran as root: then the unreadable
	// processes are ones even root may not inspect (ptrace policy).
	Root bool
}

// Owners joins the wanted socket inodes on the processes holding them,
// with one pass over <root>/<pid>/fd (see Processes). Processes that exit
// during the scan are skipped; a socket shared by several processes (after
// fork) counts for each of them.
func (fsys FS) Owners(wanted map[uint64]struct{}) (Attribution, error) {
	var a Attribution
	if len(wanted) == 0 {
		return a, nil
	}
	inodes := make(map[uint64]State, len(wanted))
	for ino := range wanted {
		inodes[ino] = CloseWait
	}
	pc, err := fsys.Processes(inodes)
	if err != nil {
		return a, err
	}
	a.Unattributed, a.Unreadable, a.Root = pc.Unattributed, pc.Unreadable, pc.Root
	for _, p := range pc.Processes {
		a.Owners = append(a.Owners, Owner{PID: p.PID, Command: p.Command, Sockets: p.Total})
	}
	return a, nil
}
