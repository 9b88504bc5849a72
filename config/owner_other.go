//go:build !unix

package config

// checkTrust accepts every file where Unix ownership does not exist.
func checkTrust(string) error { return nil }
