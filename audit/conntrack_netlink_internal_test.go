package audit

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// encodeCT appends one IPCTNL_MSG_CT_NEW message as a ctnetlink dump sends
// it: nfgenmsg, a CTA_TUPLE_ORIG placeholder, then CTA_PROTOINFO nesting
// CTA_PROTOINFO_TCP nesting CTA_PROTOINFO_TCP_STATE, the nested attributes
// flagged NLA_F_NESTED as the kernel flags them. state < 0 leaves out
// the protocol info, as for a UDP entry.
func encodeCT(b []byte, seq uint32, state int) []byte {
	const nested = 0x8000
	body := []byte{afInet, 0, 0, 0}
	body = append(body, attr(1|nested, make([]byte, 8))...) // CTA_TUPLE_ORIG
	if state >= 0 {
		tcp := append(attr(ctaProtoinfoTCPState, []byte{byte(state)}), attr(2, []byte{7})...)
		body = append(body, attr(ctaProtoinfo|nested, attr(ctaProtoinfoTCP|nested, tcp))...)
	}
	m := make([]byte, nlmsgHdrLen, nlmsgHdrLen+len(body))
	ne := binary.NativeEndian
	ne.PutUint32(m[0:], uint32(nlmsgHdrLen+len(body)))
	ne.PutUint16(m[4:], nfnlSubsysCTNetlink<<8|ipctnlMsgCTNew)
	ne.PutUint32(m[8:], seq)
	return append(b, append(m, body...)...)
}

// done appends NLMSG_DONE.
func done(b []byte, seq uint32) []byte {
	m := make([]byte, nlmsgHdrLen+4)
	binary.NativeEndian.PutUint32(m[0:], uint32(len(m)))
	binary.NativeEndian.PutUint16(m[4:], nlmsgDone)
	binary.NativeEndian.PutUint32(m[8:], seq)
	return append(b, m...)
}

func TestConntrackMessagesByState(t *testing.T) {
	var b []byte
	for _, st := range []int{3, 3, 7, -1, 5, 3} {
		b = encodeCT(b, 1, st)
	}
	b = encodeCT(b, 9, 8) // a reply to another request: ignored
	states := map[string]int64{}
	end, err := conntrackMessages(b, 1, states)
	if err != nil || end {
		t.Fatalf("end %v, err %v", end, err)
	}
	if end, err = conntrackMessages(done(nil, 1), 1, states); err != nil || !end {
		t.Fatalf("NLMSG_DONE: end %v, err %v", end, err)
	}
	if d := cmp.Diff(map[string]int64{"ESTABLISHED": 3, "TIME_WAIT": 1, "CLOSE_WAIT": 1}, states); d != "" {
		t.Errorf("states (-want +got):\n%s", d)
	}
}

func TestConntrackMessagesErrors(t *testing.T) {
	msg := encodeCT(nil, 1, 3)
	binary.NativeEndian.PutUint32(msg, uint32(len(msg)+4))
	if _, err := conntrackMessages(msg, 1, map[string]int64{}); !errors.Is(err, ErrMalformed) {
		t.Errorf("a message longer than its datagram: err %v, want malformed", err)
	}
	refused := make([]byte, nlmsgHdrLen+4)
	binary.NativeEndian.PutUint32(refused[0:], uint32(len(refused)))
	binary.NativeEndian.PutUint16(refused[4:], nlmsgError)
	binary.NativeEndian.PutUint32(refused[8:], 1)
	binary.NativeEndian.PutUint32(refused[16:], uint32(0xffffffff)) // -EPERM
	if _, err := conntrackMessages(refused, 1, map[string]int64{}); !errors.Is(err, ErrConntrackNetlink) {
		t.Errorf("NLMSG_ERROR: err %v, want ErrConntrackNetlink", err)
	}
	if got := ConntrackTCPStateName(200); got != "STATE_200" {
		t.Errorf("unknown state named %q", got)
	}
}

// FuzzConntrackMessages feeds arbitrary datagrams to the ctnetlink walker:
// it must never panic, and counts only named states.
func FuzzConntrackMessages(f *testing.F) {
	f.Add(done(encodeCT(encodeCT(nil, 1, 3), 1, -1), 1))
	f.Add([]byte{20, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		states := map[string]int64{}
		_, _ = conntrackMessages(b, 1, states)
		for k, v := range states {
			if k == "" || v <= 0 {
				t.Fatalf("state %q counted %d", k, v)
			}
		}
	})
}
