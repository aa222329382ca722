package settings

import (
	"flag"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/internal/dist"
	"github.com/fleetbench/fleetbench/policy"
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
	m := Matchmaker{PerMatch: 10, MatchTimeout: 20 * time.Second, AllocTimeout: 90 * time.Second, OnTimeout: Requeue, OnNoServer: Fail, Placement: policy.Distributed,
		Controller: OKG}
	mb := DefaultMatchmaker()
	roundTrip(t, "matchmaker", m.Args(), mb.Register)
	if !reflect.DeepEqual(mb, m) {
		t.Errorf("matchmaker:\n got %+v\nwant %+v", mb, m)
	}
	r := RoomServer{Capacity: 10, AfterMatch: Recycle, Window: 2 * time.Minute, Grace: 5 * time.Second, Startup: dist.Uniform(time.Second, 3*time.Second),
		Controller: OKG, IdleTimeout: 40 * time.Second, Tick: 100 * time.Millisecond, StateBytes: 500}
	rb := DefaultRoomServer()
	roundTrip(t, "roomserver", r.Args(), rb.Register)
	if !reflect.DeepEqual(rb, r) {
		t.Errorf("roomserver:\n got %+v\nwant %+v", rb, r)
	}
	// Settings made without a controller are fleetd's (the stack's e2e
	// tests write them so): no empty --controller the flags refuse.
	unset := RoomServer{Capacity: 2, AfterMatch: Reuse, Window: 30 * time.Second, Grace: 5 * time.Second}
	rb = DefaultRoomServer()
	roundTrip(t, "roomserver", unset.Args(), rb.Register)
	if rb.Controller != ByFleetd {
		t.Errorf("roomserver without a controller: %q, want fleetd", rb.Controller)
	}
	// And the defaults' words, read over the others.
	roundTrip(t, "matchmaker", DefaultMatchmaker().Args(), m.Register)
	if !reflect.DeepEqual(m, DefaultMatchmaker()) {
		t.Errorf("matchmaker:\n got %+v\nwant %+v", m, DefaultMatchmaker())
	}
	roundTrip(t, "roomserver", DefaultRoomServer().Args(), r.Register)
	if !reflect.DeepEqual(r, DefaultRoomServer()) {
		t.Errorf("roomserver:\n got %+v\nwant %+v", r, DefaultRoomServer())
	}
}

func iop(t *testing.T, s string) policy.IntOrPercent {
	t.Helper()
	v, err := policy.ParseIntOrPercent(s)
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

// Each enum-like flag refuses any other word, naming the flag and the
// words it takes.
func TestEnumsRefuseOtherWords(t *testing.T) {
	t.Parallel()
	var (
		f Fleetd
		m Matchmaker
		r RoomServer
	)
	for _, c := range []struct {
		register func(*flag.FlagSet)
		arg      string
		want     []string
	}{
		{f.Register, "--policy=minavailable", []string{"-policy", "minAvailable buffer"}},
		{f.Register, "--update=rollout", []string{"-update", "rolling ondelete"}},
		{f.Register, "--max-surge=lots", []string{"-max-surge", "integer or a percentage"}},
		{f.Register, "--max-unavailable=1.5", []string{"-max-unavailable", "integer or a percentage"}},
		{m.Register, "--on-timeout=wait", []string{"-on-timeout", "start requeue"}},
		{m.Register, "--on-no-server=Wait", []string{"-on-no-server", "wait fail"}},
		{m.Register, "--placement=spread", []string{"-placement", "packed distributed"}},
		{r.Register, "--after-match=delete", []string{"-after-match", "reuse recycle"}},
		{r.Register, "--controller=agones", []string{"-controller", "fleetd okg"}},
		{m.Register, "--controller=OKG", []string{"-controller", "fleetd okg"}},
		{r.Register, "--startup-delay=fixed -1s", []string{"-startup-delay", "negative"}},
	} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.SetOutput(new(strings.Builder))
		c.register(fs)
		err := fs.Parse([]string{c.arg})
		if err == nil {
			t.Errorf("%s accepted", c.arg)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", c.arg, err, w)
			}
		}
	}
}
