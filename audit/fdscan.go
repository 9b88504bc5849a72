package audit

// socketInodeBytes parses "socket:[12345]".
func socketInodeBytes(b []byte) (uint64, bool) {
	const prefix = "socket:["
	if len(b) < len(prefix)+2 || string(b[:len(prefix)]) != prefix || b[len(b)-1] != ']' {
		return 0, false
	}
	return decUint(b[len(prefix) : len(b)-1])
}
