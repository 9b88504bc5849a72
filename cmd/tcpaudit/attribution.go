package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/tcpaudit/tcpaudit/audit"
)

// attributionOption is --attribution of check and sockets: how the
// processes holding sockets are found.
type attributionOption struct {
	Attribution string `mapstructure:"attribution"`
}

// addAttributionFlag declares the flag of attributionOption.
func addAttributionFlag(f *pflag.FlagSet) {
	f.String("attribution", "auto", "how to find the processes holding sockets: auto, bpf or fd-scan")
}

// mode parses the option.
func (o attributionOption) mode() (audit.AttributionMode, error) {
	m, err := audit.ParseAttributionMode(o.Attribution)
	if err != nil {
		return "", fmt.Errorf("--attribution: %w", err)
	}
	return m, nil
}
