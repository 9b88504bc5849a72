// Package portable holds the tests of tcpaudit built for systems other than
// Linux: the portable code (the census from net/tcp and net/tcp6 files, the
// descriptor scan through os.ReadDir and os.Readlink, no netlink) audits a
// captured proc tree exactly as the Linux build does.
package portable
