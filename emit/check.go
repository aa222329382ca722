package emit

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/fleetbench/fleetbench/scenarios"
)

// The kinds of manifests (`sim plan --emit KIND`).
const (
	KindAgones = "agones"
	KindOKG    = "okg"
)

// Name limits the manifests' names must keep.
const (
	// fleetMaxLength: Agones refuses longer Fleet names, and both Agones
	// and OpenKruiseGame copy the name into their pods' labels.
	fleetMaxLength = content.LabelValueMaxLength
	// cronJobMaxLength: a CronJob's Jobs add 11 characters to its name,
	// which must stay a label value (63).
	cronJobMaxLength = 52
	// longestCronSuffix is what OKG appends to the fleet's name for a
	// schedule's CronJobs (window.CronID is always 10 characters).
	longestCronSuffix = "-plan-from-00h00"
)

// Check refuses, before anything is planned, manifests of kind (agones
// or okg) that could not be written for the scenario with these options:
// another policy than the kind implements (ErrPolicy), no replica cap,
// a scenario longer than the daily schedule, and names Kubernetes would
// refuse. The fleet's name defaults to the scenario's, as in OKG and
// Agones. Each error names the flag or scenario field at fault; all of
// them are returned, joined.
func Check(kind string, sc *scenarios.Scenario, o Options) error {
	if sc == nil {
		return errors.New("no scenario to write manifests for")
	}
	var errs []error
	switch kind {
	case KindOKG:
		errs = append(errs, checkOKGPolicy(sc))
	case KindAgones:
		errs = append(errs, checkAgonesPolicy(sc))
	default:
		return fmt.Errorf("--emit %q: want %s or %s", kind, KindAgones, KindOKG)
	}
	errs = append(errs, checkDuration(sc), checkFleet(kind, sc.Name, o.Fleet), checkNamespace(o.Namespace), checkTimezone(o.Timezone))
	return errors.Join(errs...)
}

// CheckStep refuses a plan step a daily cron schedule cannot start
// (`sim plan --step`): the manifests' schedules need whole minutes.
func CheckStep(step time.Duration) error {
	if step <= 0 || step%time.Minute != 0 {
		return fmt.Errorf("--step %s: the manifests' cron schedules need a whole number of minutes", step)
	}
	return nil
}

func checkOKGPolicy(sc *scenarios.Scenario) error {
	m := sc.Fleet.Policy.MinAvailable
	if m == nil || m.Count == nil {
		is := "the Agones buffer (use --emit agones, or plan it under fleet.policy.minAvailable.count)"
		if m != nil {
			is = "a minAvailable fraction: plan it under fleet.policy.minAvailable.count"
		}
		return fmt.Errorf("%w: --emit okg writes OpenKruiseGame's minAvailable; this scenario's fleet.policy is %s", ErrPolicy, is)
	}
	if n, _ := replicaCap(sc, m.Max); n <= 0 {
		return errors.New("fleet.policy.minAvailable.max: KEDA needs maxReplicaCount: set it (or a node pool, nodes.max and nodes.podsPerNode) in the scenario")
	}
	return nil
}

func checkAgonesPolicy(sc *scenarios.Scenario) error {
	b := sc.Fleet.Policy.Buffer
	if b == nil || b.Size == nil {
		is := "OpenKruiseGame's minAvailable (use --emit okg, or plan it under fleet.policy.buffer)"
		if b != nil {
			is = "a buffer percent: plan it under fleet.policy.buffer.size"
		}
		return fmt.Errorf("%w: --emit agones writes a Buffer policy; this scenario's fleet.policy is %s", ErrPolicy, is)
	}
	if n, _ := replicaCap(sc, b.Max); n <= 0 {
		return errors.New("fleet.policy.buffer.max: Agones needs maxReplicas: set it (or a node pool, nodes.max and nodes.podsPerNode) in the scenario")
	}
	return nil
}

// checkDuration: the schedule is a daily cron, so it covers a day at most.
func checkDuration(sc *scenarios.Scenario) error {
	if sc.Duration.Duration > 24*time.Hour {
		return fmt.Errorf("duration %s: a schedule repeats daily, so the scenario must last a day at most", sc.Duration)
	}
	return nil
}

// fleetName is the name the manifests give the fleet.
func fleetName(sc *scenarios.Scenario, o Options) string {
	if o.Fleet != "" {
		return o.Fleet
	}
	return sc.Name
}

// checkFleet checks the fleet's name and the names derived from it.
// OpenKruiseGame's GameServerSet is a StatefulSet whose pods take their
// host names from it, so it must be a DNS-1123 label; an Agones Fleet a
// DNS-1123 subdomain; both become pod labels, at most 63 characters.
func checkFleet(kind, scenarioName, flag string) error {
	name, at, fix := flag, "--fleet", ""
	if name == "" {
		name, at, fix = scenarioName, "name", " (the scenario's name is the fleet's unless --fleet names one): pass --fleet NAME"
	}
	errs := validation.IsDNS1123Subdomain(name)
	what := "a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)"
	most, why := fleetMaxLength, "Agones copies it into its pods' labels"
	if kind == KindOKG {
		errs = validation.IsDNS1123Label(name)
		what = "a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)"
		// A schedule's CronJobs are named after the fleet; the plan, which
		// says whether there is a schedule, is not made yet: allow for it.
		most = cronJobMaxLength - len(longestCronSuffix)
		why = fmt.Sprintf("a schedule's CronJobs are named after it (NAME%s), and Kubernetes allows a CronJob's name %d", longestCronSuffix, cronJobMaxLength)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s %q: must be %s of at most %d characters%s", at, name, what, most, fix)
	}
	if len(name) > most {
		return fmt.Errorf("%s %q: must be at most %d characters, not %d: %s%s", at, name, most, len(name), why, fix)
	}
	return nil
}

func checkNamespace(ns string) error {
	if len(validation.IsDNS1123Label(ns)) > 0 {
		return fmt.Errorf("--namespace %q: must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)", ns)
	}
	return nil
}

// tzPart is what Kubernetes allows in each /-separated part of a
// CronJob's timeZone.
var tzPart = regexp.MustCompile(`^[A-Za-z.\-_0-9+]{1,14}$`)

// checkTimezone accepts what Kubernetes' CronJob validation accepts: a
// tz database name (not "Local", which is wherever the controller runs).
func checkTimezone(tz string) error {
	const want = "must name a time zone of the tz database, such as UTC or Europe/Paris"
	if tz == "" {
		return fmt.Errorf("--timezone %q: %s", tz, want)
	}
	if strings.EqualFold(tz, "Local") {
		return fmt.Errorf("--timezone %q: %s: Local is the controller's own, not the scenario's", tz, want)
	}
	for _, part := range strings.Split(tz, "/") {
		if part == "." || part == ".." || strings.HasPrefix(part, "-") || !tzPart.MatchString(part) {
			return fmt.Errorf("--timezone %q: %s", tz, want)
		}
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return fmt.Errorf("--timezone %q: %s: it has no such zone", tz, want)
	}
	return nil
}
