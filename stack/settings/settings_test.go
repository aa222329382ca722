package settings

import (
	"flag"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/scenarios"
)

// Every component's settings survive their own command line: Args, then
// the component's flags, give the same value back, field by field.
func TestArgsRoundTrip(t *testing.T) {
	t.Parallel()
	f := Fleetd{Policy: Buffer, Count: 12, Fraction: 0, Min: 2, Max: 300, CountWaiting: true, SyncInterval: 7 * time.Second,
		IdleTimeout: time.Minute, Update: OnDelete, MaxSurge: iop(t, "3"), MaxUnavailable: iop(t, "10%"),
		DrainAllocated: true, DrainedFor: 90 * time.Second}
	back := DefaultFleetd()
	roundTrip(t, "fleetd", f.Args(), back.Register)
	if !reflect.DeepEqual(back, f) {
		t.Errorf("fleetd:\n got %+v\nwant %+v", back, f)
	}
	m := Matchmaker{PerMatch: 10, MatchTimeout: 20 * time.Second, AllocTimeout: 90 * time.Second, OnTimeout: scenarios.Requeue, OnNoServer: scenarios.Fail, Placement: scenarios.Distributed}
	mb := DefaultMatchmaker()
	roundTrip(t, "matchmaker", m.Args(), mb.Register)
	if !reflect.DeepEqual(mb, m) {
		t.Errorf("matchmaker:\n got %+v\nwant %+v", mb, m)
	}
	r := RoomServer{Capacity: 10, AfterMatch: scenarios.Recycle, Window: 2 * time.Minute, Grace: 5 * time.Second}
	rb := DefaultRoomServer()
	roundTrip(t, "roomserver", r.Args(), rb.Register)
	if !reflect.DeepEqual(rb, r) {
		t.Errorf("roomserver:\n got %+v\nwant %+v", rb, r)
	}
}

func iop(t *testing.T, s string) scenarios.IntOrPercent {
	t.Helper()
	v, err := scenarios.ParseIntOrPercent(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func roundTrip(t *testing.T, name string, args []string, register func(*flag.FlagSet)) {
	t.Helper()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
}

func TestEnumsRefuseOtherWords(t *testing.T) {
	t.Parallel()
	var f Fleetd
	fs := flag.NewFlagSet("fleetd", flag.ContinueOnError)
	fs.SetOutput(new(strings.Builder))
	f.Register(fs)
	for _, a := range []string{"--policy=minavailable", "--update=rollout", "--max-surge=lots"} {
		if err := fs.Parse([]string{a}); err == nil {
			t.Errorf("%s accepted", a)
		}
	}
}
