package sim

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Limit is a budget flag's value: a finite number > 0. A plain float
// flag takes NaN, which compares false with every estimate and so
// switches the budget off, and +Inf, which does the same on purpose
// without saying so; a negative or zero one would refuse everything.
type Limit float64

// Set parses a limit such as 1e9.
func (l *Limit) Set(s string) error {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return errors.New("not a number: want a finite number > 0, such as 1e9")
	case err != nil || math.IsInf(v, 0) || math.IsNaN(v):
		return errors.New("want a finite number > 0, such as 1e9")
	case v <= 0:
		return fmt.Errorf("want a number > 0 (a budget of %g refuses everything)", v)
	}
	*l = Limit(v)
	return nil
}

func (l *Limit) String() string {
	if l == nil {
		return ""
	}
	return strconv.FormatFloat(float64(*l), 'g', -1, 64)
}

// RegisterFlags registers --max-events, --max-concurrent and
// --max-servers on fs, each a Limit defaulting to b's value (a zero
// field to DefaultBudget's).
func (b *Budget) RegisterFlags(fs *flag.FlagSet) {
	d := DefaultBudget()
	for _, f := range []struct {
		v           *float64
		fallback    float64
		name, usage string
	}{
		{&b.Events, d.Events, "max-events", "refuse a command whose players + controller ticks, over all its runs, would pass this"},
		{&b.Concurrent, d.Concurrent, "max-concurrent", "refuse a run with more players in the game at once than this"},
		{&b.Servers, d.Servers, "max-servers", "refuse a run that holds more game servers and nodes at once than this"},
	} {
		if *f.v == 0 {
			*f.v = f.fallback
		}
		fs.Var((*Limit)(f.v), f.name, f.usage)
	}
}
