package emit

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"
)

// valid are options every check accepts.
var valid = Options{Fleet: "rooms", Namespace: "games", Timezone: "UTC"}

func with(edit func(*Options)) Options {
	o := valid
	edit(&o)
	return o
}

func TestCheckRefusesHostileOptions(t *testing.T) {
	t.Parallel()
	inject := "a\nkind: ClusterRoleBinding"
	long := strings.Repeat("a", 300)
	cases := []struct {
		name, kind string
		o          Options
		scName     string // replaces the scenario's name when set
		says       string // in the error; "" accepts
	}{
		{"valid okg", KindOKG, valid, "", ""},
		{"valid agones", KindAgones, valid, "", ""},
		{"unknown kind", "nomad", valid, "", `--emit "nomad": want agones or okg`},
		{"fleet with colon", KindOKG, with(func(o *Options) { o.Fleet = "a: b" }), "", `--fleet "a: b": must be a DNS-1123 label`},
		{"fleet injecting a document", KindOKG, with(func(o *Options) { o.Fleet = inject }), "", `--fleet "a\nkind: ClusterRoleBinding"`},
		{"fleet injecting into agones", KindAgones, with(func(o *Options) { o.Fleet = inject }), "", `--fleet "a\nkind: ClusterRoleBinding": must be a DNS-1123 subdomain`},
		{"fleet a document marker", KindAgones, with(func(o *Options) { o.Fleet = "---" }), "", `--fleet "---"`},
		{"fleet with quotes", KindOKG, with(func(o *Options) { o.Fleet = `r"o'oms` }), "", `--fleet "r\"o'oms"`},
		{"fleet unicode", KindOKG, with(func(o *Options) { o.Fleet = "salle-é" }), "", `--fleet "salle-é"`},
		{"fleet in capitals", KindAgones, with(func(o *Options) { o.Fleet = "Rooms" }), "", `--fleet "Rooms"`},
		{"fleet of 300 characters", KindAgones, with(func(o *Options) { o.Fleet = long }), "", "of at most 63 characters"},
		{"fleet of 64 characters", KindAgones, with(func(o *Options) { o.Fleet = long[:64] }), "", "must be at most 63 characters, not 64"},
		{"fleet of 63 characters", KindAgones, with(func(o *Options) { o.Fleet = long[:63] }), "", ""},
		{"okg fleet too long for its CronJobs", KindOKG, with(func(o *Options) { o.Fleet = long[:37] }), "", "must be at most 36 characters, not 37: a schedule's CronJobs"},
		{"okg fleet of 36 characters", KindOKG, with(func(o *Options) { o.Fleet = long[:36] }), "", ""},
		{"okg fleet with a dot", KindOKG, with(func(o *Options) { o.Fleet = "eu.rooms" }), "", `--fleet "eu.rooms": must be a DNS-1123 label`},
		{"agones fleet with a dot", KindAgones, with(func(o *Options) { o.Fleet = "eu.rooms" }), "", ""},
		{"fleet a path", KindAgones, with(func(o *Options) { o.Fleet = "../etc" }), "", `--fleet "../etc"`},
		{"scenario name with a colon", KindOKG, with(func(o *Options) { o.Fleet = "" }), "evening: peak", `name "evening: peak": must be a DNS-1123 label`},
		{"scenario name says to pass --fleet", KindAgones, with(func(o *Options) { o.Fleet = "" }), "Evening Peak", "pass --fleet NAME"},
		{"scenario name injecting", KindAgones, with(func(o *Options) { o.Fleet = "" }), inject, `name "a\nkind: ClusterRoleBinding"`},
		{"scenario name valid", KindOKG, with(func(o *Options) { o.Fleet = "" }), "evening-peak", ""},
		{"scenario name ignored with --fleet", KindOKG, valid, "evening: peak", ""},
		{"scenario name a dash", KindOKG, with(func(o *Options) { o.Fleet = "" }), "-", `name "-"`},
		{"namespace injecting", KindOKG, with(func(o *Options) { o.Namespace = "a\nb" }), "", `--namespace "a\nb": must be a DNS-1123 label (lowercase letters, digits and '-'`},
		{"namespace empty", KindAgones, with(func(o *Options) { o.Namespace = "" }), "", `--namespace ""`},
		{"namespace with a dot", KindOKG, with(func(o *Options) { o.Namespace = "a.b" }), "", `--namespace "a.b"`},
		{"namespace a path", KindOKG, with(func(o *Options) { o.Namespace = "../etc" }), "", `--namespace "../etc"`},
		{"namespace a document marker", KindOKG, with(func(o *Options) { o.Namespace = "---" }), "", `--namespace "---"`},
		{"namespace of 64 characters", KindOKG, with(func(o *Options) { o.Namespace = long[:64] }), "", `--namespace "` + long[:64]},
		{"timezone Local", KindOKG, with(func(o *Options) { o.Timezone = "Local" }), "", `--timezone "Local": must name a time zone of the tz database`},
		{"timezone local", KindAgones, with(func(o *Options) { o.Timezone = "local" }), "", `--timezone "local"`},
		{"timezone empty", KindOKG, with(func(o *Options) { o.Timezone = "" }), "", `--timezone ""`},
		{"timezone with a newline", KindOKG, with(func(o *Options) { o.Timezone = "UTC\n" }), "", `--timezone "UTC\n"`},
		{"timezone injecting", KindAgones, with(func(o *Options) { o.Timezone = "UTC\ntimezone: x" }), "", `--timezone "UTC\ntimezone: x"`},
		{"timezone a path", KindOKG, with(func(o *Options) { o.Timezone = "../etc" }), "", `--timezone "../etc"`},
		{"timezone absolute", KindOKG, with(func(o *Options) { o.Timezone = "/etc/localtime" }), "", `--timezone "/etc/localtime"`},
		{"timezone on Mars", KindOKG, with(func(o *Options) { o.Timezone = "Mars/Olympus" }), "", `--timezone "Mars/Olympus": must name a time zone of the tz database, such as UTC or Europe/Paris: it has no such zone`},
		{"timezone Paris", KindOKG, with(func(o *Options) { o.Timezone = "Europe/Paris" }), "", ""},
		{"everything at once", KindOKG, Options{Fleet: ": ", Namespace: "---", Timezone: "Local"}, "", `--timezone "Local"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sc, write := load(t, "../scenarios/evening-peak.yaml"), OKG
			if c.kind == KindAgones {
				sc, write = load(t, "testdata/agones-day.yaml"), Agones
			}
			if c.scName != "" {
				sc.Name = c.scName
			}
			err := Check(c.kind, sc, c.o)
			switch {
			case c.says == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.says == "":
				return
			case err == nil:
				t.Fatalf("accepted, want %q", c.says)
			case !strings.Contains(err.Error(), c.says):
				t.Errorf("error %q lacks %q", err, c.says)
			}
			// errors.Join puts a newline between errors: nothing else may
			// break or hide a line.
			for _, r := range err.Error() {
				if r != '\n' && !unicode.IsPrint(r) {
					t.Errorf("error %q holds %U raw", err, r)
				}
			}
			if c.kind != KindOKG && c.kind != KindAgones {
				return
			}
			if out, werr := write(hourly(5, 6), sc, c.o); werr == nil || werr.Error() != err.Error() {
				t.Errorf("%s wrote %q, %v: want Check's refusal %v", c.kind, out, werr, err)
			}
		})
	}
}

// Every check fails at once, and the policy is still ErrPolicy.
func TestCheckNamesEveryProblem(t *testing.T) {
	t.Parallel()
	sc := load(t, "testdata/agones-day.yaml")
	sc.Duration.Duration = 48 * time.Hour
	err := Check(KindOKG, sc, Options{Fleet: "a b", Namespace: "", Timezone: "Local"})
	if !errors.Is(err, ErrPolicy) {
		t.Fatalf("%v: not ErrPolicy", err)
	}
	for _, says := range []string{"fleet.policy is the Agones buffer", "duration 48h0m0s", `--fleet "a b"`, `--namespace ""`, `--timezone "Local"`} {
		if !strings.Contains(err.Error(), says) {
			t.Errorf("%v lacks %q", err, says)
		}
	}
	sc = load(t, "testdata/agones-day.yaml")
	sc.Name = ""
	if err := Check(KindAgones, sc, with(func(o *Options) { o.Fleet = "" })); err == nil || !strings.Contains(err.Error(), `name "": must be`) {
		t.Errorf("no fleet name at all: %v", err)
	}
}

func TestCheckNeedsAReplicaCap(t *testing.T) {
	t.Parallel()
	sc := load(t, "testdata/agones-day.yaml")
	sc.Fleet.Policy.Buffer.Max, sc.Nodes.PodsPerNode = 0, 0
	if err := Check(KindAgones, sc, valid); err == nil || !strings.Contains(err.Error(), "fleet.policy.buffer.max") {
		t.Errorf("agones without a max: %v", err)
	}
	sc = load(t, "../scenarios/evening-peak.yaml")
	sc.Nodes.PodsPerNode = 0
	if err := Check(KindOKG, sc, valid); err == nil || !strings.Contains(err.Error(), "fleet.policy.minAvailable.max") {
		t.Errorf("okg without a max: %v", err)
	}
}

func TestCheckStep(t *testing.T) {
	t.Parallel()
	for step, ok := range map[time.Duration]bool{time.Hour: true, 30 * time.Minute: true, 90 * time.Second: false, 0: false, -time.Minute: false} {
		if err := CheckStep(step); (err == nil) != ok {
			t.Errorf("CheckStep(%s) = %v", step, err)
		}
	}
}

// Free text from the scenario (its name, in the heading) stays inside
// its comment: the manifests hold the same data whatever it says.
func TestScenarioTextCannotLeaveItsComment(t *testing.T) {
	t.Parallel()
	sc := load(t, "../scenarios/evening-peak.yaml")
	plain, err := OKG(hourly(5, 9), sc, valid)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"x\n---\nkind: ClusterRoleBinding", "x\rkind: Secret", "x\u2028kind: Secret", "x\u0085y", "x\x00\x1b[2J", "x\xff\xfe", " # a: b"} {
		p := hourly(5, 9)
		p.Scenario, p.Knob = name, name
		out, err := OKG(p, sc, valid)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := docs(t, out), docs(t, plain); !reflect.DeepEqual(got, want) {
			t.Errorf("scenario %q changed the manifests:\n%s", name, out)
		}
		checkDocs(t, out, KindOKG, valid, []string{"from-00h00", "from-01h00"})
	}
}
