package s3test

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy is a TCP proxy between a client and a Server, for tests of a
// network that fails: Cut resets the connections open through it, Down
// also refuses new ones.
type Proxy struct {
	// Endpoint is the proxy's base URL, to use instead of the server's.
	Endpoint string

	l      net.Listener
	target string
	mu     sync.Mutex
	conns  map[net.Conn]bool
}

// Proxy starts a TCP proxy to s on a free loopback port for the rest of t.
func (s *Server) Proxy(t testing.TB) *Proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Endpoint: "http://" + l.Addr().String(), l: l, target: s.Endpoint[len("http://"):], conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(p.Down)
	return p
}

func (p *Proxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		go p.forward(c)
	}
}

// forward copies bytes both ways between c and a new connection to the
// server until either side closes or the proxy cuts them.
func (p *Proxy) forward(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	if !p.track(c, up) {
		return
	}
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, c); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done
	p.reset(c, up)
}

// track registers a connection pair, or closes it when the proxy is down.
func (p *Proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		for _, c := range conns {
			c.Close()
		}
		return false
	}
	for _, c := range conns {
		p.conns[c] = true
	}
	return true
}

// reset closes connections with a TCP reset, as a failing network does.
func (p *Proxy) reset(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		c.Close()
		delete(p.conns, c)
	}
}

// Cut resets every connection open through the proxy; new connections
// are still accepted.
func (p *Proxy) Cut() {
	p.mu.Lock()
	var open []net.Conn
	for c := range p.conns {
		open = append(open, c)
	}
	p.mu.Unlock()
	p.reset(open...)
}

// Down cuts every connection and refuses new ones from now on.
func (p *Proxy) Down() {
	p.l.Close()
	p.Cut()
	p.mu.Lock()
	p.conns = nil
	p.mu.Unlock()
}
