package client

import (
	"encoding/json"
	"fmt"
	"testing"

	jsoniter "github.com/json-iterator/go"

	"github.com/fleetbench/fleetbench/stack/wire"
)

// BenchmarkDecodeState: one state of a match of 50, as the reader decodes
// it (json-iterator) beside encoding/json.
func BenchmarkDecodeState(b *testing.B) {
	m := wire.Message{Type: wire.TypeState, Room: "fleetbench-room-abcde", Seq: 123456}
	for i := range 50 {
		m.Players = append(m.Players, wire.PlayerState{Player: fmt.Sprintf("p%d", 100000+i), LastInput: 17, Applied: 17})
	}
	state := wire.Encode(m)
	for _, d := range []struct {
		name      string
		unmarshal func([]byte, any) error
	}{{"jsoniter", jsoniter.ConfigCompatibleWithStandardLibrary.Unmarshal}, {"encoding-json", json.Unmarshal}} {
		b.Run(d.name, func(b *testing.B) {
			b.SetBytes(int64(len(state)))
			for b.Loop() {
				var got wire.Message
				if err := d.unmarshal(state, &got); err != nil || len(got.Players) != 50 {
					b.Fatal(err)
				}
			}
		})
	}
}
