package sandbox

import (
	"fmt"
	"net"
	"strings"
	"testing"
)

// TestNetwork opens a TCP connection from the sandbox to a listener on the
// host's loopback: it must fail without Spec.Network and work with it.
func TestNetwork(t *testing.T) {
	needBwrap(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
			accepted <- struct{}{}
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	script := fmt.Sprintf("exec 3<>/dev/tcp/127.0.0.1/%d && echo connected", port)
	for _, tc := range []struct {
		network bool
		want    string
	}{{false, ""}, {true, "connected\n"}} {
		t.Run(fmt.Sprintf("network=%v", tc.network), func(t *testing.T) {
			r := run(t, Bubblewrap, Spec{Argv: []string{"/bin/bash", "-c", script}, Env: []string{hostPath}, Network: tc.network})
			if (r.err == nil) != tc.network || r.stdout != tc.want {
				t.Fatalf("connect with network=%v: err %v, stdout %q, stderr %q; want stdout %q", tc.network, r.err, r.stdout, r.stderr, tc.want)
			}
			if tc.network {
				<-accepted // the host listener saw the connection
			}
		})
	}
	if len(accepted) != 0 {
		t.Errorf("the listener accepted %d connections from a step without network", len(accepted))
	}
}

// TestNetworkHint checks that a step without network that tries to reach
// another host gets told how to allow it.
func TestNetworkHint(t *testing.T) {
	needBwrap(t)
	// 192.0.2.1 is reserved for documentation: never routed anywhere.
	spec := Spec{Argv: []string{"/bin/bash", "-c", "exec 3<>/dev/tcp/192.0.2.1/80"}, Env: []string{hostPath}}
	r := run(t, Bubblewrap, spec)
	if r.err == nil {
		t.Fatal("connecting to 192.0.2.1 without network succeeded")
	}
	if hint := Explain([]byte(r.stderr), spec); !strings.Contains(hint, "set `network: true` on the step") {
		t.Errorf("Explain(%q) = %q, want the network hint", r.stderr, hint)
	}
	if r := run(t, Bubblewrap, Spec{Argv: []string{"/bin/cat", "/etc/resolv.conf"}, Network: true}); r.err != nil {
		t.Errorf("a step with network cannot read /etc/resolv.conf: %v: %s", r.err, r.stderr)
	}
}
