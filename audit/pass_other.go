//go:build !linux || tcpaudit_portable

package audit

// TakePass needs Linux and its BPF iterators: the error wraps ErrNoPass.
func TakePass() (*SocketPass, error) { return nil, ErrNoPass }
