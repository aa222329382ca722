package matchmaker

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A client that stalls mid-request is cut off once the read limit passes,
// and an oversized header is refused; the server keeps serving others.
func TestHTTPServerCutsOffSlowAndOversizedClients(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	limits := Limits{ReadHeader: 200 * time.Millisecond, Read: 300 * time.Millisecond, Idle: time.Second, MaxHeader: 1 << 10}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			return // the read limit ended the body
		}
		io.WriteString(w, "ok")
	})
	srv := HTTPServer("", h, limits)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	addr := ln.Addr().String()

	// Headers that never end.
	stalled := dial(t, addr)
	io.WriteString(stalled, "POST /v1/match HTTP/1.1\r\nHost: x\r\n")
	// A body announced and never sent.
	slowBody := dial(t, addr)
	io.WriteString(slowBody, "POST /v1/match HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
	for name, c := range map[string]net.Conn{"stalled headers": stalled, "stalled body": slowBody} {
		c.SetReadDeadline(time.Now().Add(10 * time.Second)) // a hang guard, not the figure tested
		if _, err := io.ReadAll(c); err != nil {
			t.Errorf("%s: the server did not close the connection: %v", name, err)
		}
	}
	big := dial(t, addr)
	io.WriteString(big, "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: "+strings.Repeat("a", 8<<10)+"\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(big), nil)
	if err != nil || resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("oversized header: %v, %v; want 431", resp, err)
	}
	r, err := http.Post("http://"+addr+"/v1/match", "application/json", strings.NewReader("{}"))
	if err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("a well-behaved client after them: %v, %v", r, err)
	}
	r.Body.Close()
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
