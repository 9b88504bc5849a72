package audit

import (
	"encoding/binary"
	"time"
)

// TCPInfo holds the fields of the kernel's struct tcp_info
// (include/uapi/linux/tcp.h) that sizing buffers needs. A field the kernel
// did not send (an older, shorter struct) is 0.
type TCPInfo struct {
	// RTT and RTTVar are the smoothed round-trip time and its variance
	// (tcpi_rtt, tcpi_rttvar); RcvRTT is the receiver's estimate
	// (tcpi_rcv_rtt); MinRTT the lowest RTT seen (tcpi_min_rtt).
	RTT, RTTVar, RcvRTT, MinRTT time.Duration
	// SndCwnd is the congestion window in segments; SndMSS and AdvMSS the
	// segment sizes.
	SndCwnd, SndMSS, AdvMSS uint32
	// PacingRate and DeliveryRate are in bytes per second.
	PacingRate, DeliveryRate uint64
	// BytesAcked and BytesReceived count the payload bytes of the
	// connection so far in each direction.
	BytesAcked, BytesReceived uint64
	// AppLimited is tcpi_delivery_rate_app_limited: the delivery rate was
	// measured while the application had nothing more to send.
	AppLimited bool
}

// Offsets of the fields of struct tcp_info read by DecodeTCPInfo.
const (
	tcpiFlags         = 7
	tcpiSndMSS        = 16
	tcpiRTT           = 68
	tcpiRTTVar        = 72
	tcpiSndCwnd       = 80
	tcpiAdvMSS        = 84
	tcpiRcvRTT        = 92
	tcpiPacingRate    = 104
	tcpiBytesAcked    = 120
	tcpiBytesReceived = 128
	tcpiMinRTT        = 148
	tcpiDeliveryRate  = 160
)

// DecodeTCPInfo decodes a struct tcp_info as the kernel sends it in an
// INET_DIAG_INFO attribute (host byte order); the fields beyond the end of
// b are left 0.
func DecodeTCPInfo(b []byte) TCPInfo {
	var t TCPInfo
	u32 := func(off int) uint32 {
		if len(b) < off+4 {
			return 0
		}
		return binary.NativeEndian.Uint32(b[off:])
	}
	u64 := func(off int) uint64 {
		if len(b) < off+8 {
			return 0
		}
		return binary.NativeEndian.Uint64(b[off:])
	}
	us := func(off int) time.Duration { return time.Duration(u32(off)) * time.Microsecond }
	if len(b) > tcpiFlags {
		t.AppLimited = b[tcpiFlags]&1 != 0
	}
	t.RTT, t.RTTVar, t.RcvRTT, t.MinRTT = us(tcpiRTT), us(tcpiRTTVar), us(tcpiRcvRTT), us(tcpiMinRTT)
	t.SndCwnd, t.SndMSS, t.AdvMSS = u32(tcpiSndCwnd), u32(tcpiSndMSS), u32(tcpiAdvMSS)
	t.PacingRate, t.DeliveryRate = u64(tcpiPacingRate), u64(tcpiDeliveryRate)
	t.BytesAcked, t.BytesReceived = u64(tcpiBytesAcked), u64(tcpiBytesReceived)
	return t
}
