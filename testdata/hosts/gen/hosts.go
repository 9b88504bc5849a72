package main

// The kernel releases the fixtures claim.
const (
	currentRelease = "6.12.48+deb13-amd64"
	oldRelease     = "4.9.0-19-amd64"
)

func allHosts() []*host {
	return []*host{
		healthy(), closeWaitLeak(), portExhaustion(), oldKernelTwRecycle(),
		listenOverflow(), twOverflow(), ipv6Only(), container(), misconfigured(),
		memoryPressure(), conntrackFull(), conntrackEstablishedLong(), conntrackTimeoutsChanged(),
		kubernetesNode(),
	}
}

// webServer adds what every server fixture has: sshd, an nginx front end on
// 80/443 with some clients, outgoing database connections and a little
// TIME_WAIT. It returns the nginx worker.
func (h *host) webServer(clients, timeWait int) *proc {
	sshd := h.proc(612, "sshd", 0)
	h.listen(ap("0.0.0.0:22"), 0, sshd)
	h.listen(ap("[::]:22"), 0, sshd)
	h.conn(ap("10.0.1.5:22"), ap("10.0.0.2:51234"), stEstablished, h.proc(3021, "sshd", 0), true)
	master := h.proc(1080, "nginx", 0)
	worker := h.proc(1081, "nginx", 33)
	for _, p := range []string{"0.0.0.0:80", "0.0.0.0:443", "[::]:443"} {
		h.listen(ap(p), 0, master)
	}
	h.listen(ap("127.0.0.53:53"), 0, h.proc(488, "systemd-resolve", 991))
	for i := 0; i < clients; i++ {
		h.conn(ap("10.0.1.5:443"), h.client(false), stEstablished, worker, true)
	}
	for i := 0; i < clients/10; i++ {
		h.conn(ap("[2001:db8::5]:443"), h.client(true), stEstablished, worker, true)
	}
	for i := 0; i < timeWait; i++ {
		h.tw(ap("10.0.1.5:443"), h.client(false), stTimeWait)
	}
	app := h.proc(2210, "java", 1000)
	for i, port := range h.ephemeral(48) {
		dst := ap("10.0.2.10:5432")
		if i%6 == 0 {
			dst = ap("10.0.2.11:6379")
		}
		h.conn(addrPort("10.0.1.5", port), dst, stEstablished, app, true)
	}
	return worker
}

// healthy passes every rule of the baseline profile: current defaults, a
// few of each state, three CLOSE_WAIT sockets all attributed.
func healthy() *host {
	h := newHost("healthy", currentRelease, 1)
	worker := h.webServer(120, 60)
	h.tw(ap("10.0.1.5:443"), h.client(false), stFinWait2)
	h.tw(ap("10.0.1.5:443"), h.client(false), stFinWait2)
	h.req(ap("10.0.1.5:443"), h.client(false), 0)
	h.req(ap("10.0.1.5:443"), h.client(false), 0)
	for i := 0; i < 3; i++ {
		h.conn(ap("10.0.1.5:443"), h.client(false), stCloseWait, worker, true)
	}
	h.conn(ap("10.0.1.5:443"), h.client(false), stLastAck, nil, false)
	h.conn(ap("10.0.1.5:443"), h.client(false), stFinWait1, nil, false)
	for _, port := range h.ephemeral(15) {
		h.tw(addrPort("10.0.1.5", port), ap("10.0.2.10:5432"), stTimeWait)
	}
	h.withConntrack(412, 262144, 65536, map[string]int64{"found": 1830, "invalid": 14, "insert": 0, "search_restart": 3})
	return h
}

// closeWaitLeak: a Java HTTP client pool that never closes connections the
// backend closed (150), a Python server that never closes after EOF (80),
// and one CLOSE_WAIT socket no process under the proc root holds.
func closeWaitLeak() *host {
	h := newHost("close-wait-leak", currentRelease, 2)
	h.webServer(80, 40)
	java := h.proc(2214, "java", 1000)
	for _, port := range h.ephemeral(150) {
		s := h.conn(addrPort("10.0.1.5", port), ap("10.0.2.30:8080"), stCloseWait, java, true)
		s.rx = 1 // the unread FIN
	}
	py := h.proc(3377, "python3", 1001)
	h.listen(ap("0.0.0.0:8000"), 0, py)
	for i := 0; i < 80; i++ {
		h.conn(ap("10.0.1.5:8000"), h.client(false), stCloseWait, py, true)
	}
	h.conn(ap("10.0.1.5:8000"), h.client(false), stCloseWait, nil, true)
	h.proc(1, "systemd", 0, "socket:[1201]", "pipe:[5531]", "anon_inode:[eventpoll]")
	return h
}
