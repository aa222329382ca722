package matchmaker

import (
	"net/http"
	"time"
)

// Limits bound what one HTTP client can hold of the matchmaker: a slow
// or stalled client is cut off instead of keeping a connection and a
// goroutine forever. Bodies are bounded per request (decode: 1 KiB).
type Limits struct {
	ReadHeader time.Duration // to send the request line and headers
	Read       time.Duration // to send the whole request, body included
	Idle       time.Duration // between requests on a kept-alive connection
	MaxHeader  int           // bytes of request headers
}

// DefaultLimits suit players and fleetd. There is no write timeout: a
// match request waits for its match and room (up to the allocation
// timeout) and fleetd's long poll for up to longPollLimit.
func DefaultLimits() Limits {
	return Limits{ReadHeader: 5 * time.Second, Read: 10 * time.Second, Idle: 2 * time.Minute, MaxHeader: 16 << 10}
}

// HTTPServer serves h on addr within the limits.
func HTTPServer(addr string, h http.Handler, l Limits) *http.Server {
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: l.ReadHeader, ReadTimeout: l.Read,
		IdleTimeout: l.Idle, MaxHeaderBytes: l.MaxHeader}
}
