package results

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// A command writes no run file its readers would refuse.
func TestCheckWritable(t *testing.T) {
	t.Parallel()
	r := &Run{Meta: Meta{Scenario: "x", Source: SourceModel}}
	data, err := Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckWritable("model.json", data); err != nil {
		t.Errorf("a small run: %v", err)
	}
	big := make([]byte, MaxRunFileSize+1)
	if err := CheckWritable("model.json", big); err == nil || !strings.Contains(err.Error(),
		fmt.Sprintf("model.json would be %d bytes, more than report reads (32 MiB)", MaxRunFileSize+1)) {
		t.Errorf("past the size: %v", err)
	}
	for range maxEvents + 1 {
		r.Events = append(r.Events, Event{At: Offset(time.Second), Kind: "crash"})
	}
	if data, err = Marshal(r); err != nil {
		t.Fatal(err)
	}
	if err := CheckWritable("model.json", data); err == nil || !strings.Contains(err.Error(), "model.json would not read back: more metrics") {
		t.Errorf("past the events: %v", err)
	}
}
