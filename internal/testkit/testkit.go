// Package testkit holds the waiting helpers fleetbench's tests share. A
// deadline here is a hang guard, not a performance figure: it is long
// against what it waits for, so a loaded machine does not fail a test.
package testkit

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"testing"
	"time"
)

// Poll is how often conditions are checked.
const Poll = 10 * time.Millisecond

// Eventually waits until cond holds, failing the test (naming what it
// waited for) if within passes first.
func Eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !cond(); time.Sleep(Poll) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
	}
}

// Stays checks that cond holds at every poll for the whole of d: a value
// that passes through the right one and goes on (a controller that
// overshoots) fails, where Eventually would pass it.
func Stays(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(Poll) {
		if !cond() {
			t.Fatalf("%s stopped holding", what)
		}
	}
}

// HDR is an HdrHistogram in V2 compressed form (base64) whose header asks
// for the given geometry and whose payload is empty: what a hostile run
// file would carry to make a decoder allocate.
func HDR(lowest, highest int64, digits int32) string {
	var inner bytes.Buffer
	binary.Write(&inner, binary.BigEndian, struct {
		Cookie, PayloadLength, NormalizingOffset, Digits int32
		Lowest, Highest                                  int64
		Ratio                                            float64
	}{0x1c849303, 0, 0, digits, lowest, highest, 1})
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(inner.Bytes())
	w.Close()
	var outer bytes.Buffer
	binary.Write(&outer, binary.BigEndian, []int32{0x1c849304, int32(z.Len())})
	outer.Write(z.Bytes())
	return base64.StdEncoding.EncodeToString(outer.Bytes())
}
