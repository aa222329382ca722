package loadgen

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrapeEvery is how often the rooms' /metrics are read: a room that
// goes between two reads loses what it counted since the last.
const scrapeEvery = 5 * time.Second

// roomScraper reads every live room server's /metrics while the players
// play: its ticks, how many were late (for the harness's check) and why
// its connections ended. A room's last reading is kept after it is gone.
type roomScraper struct {
	http  *http.Client
	rooms func() map[string]string // pod name → address
	check func(addr string) error  // refuses an address players may not dial either

	mu   sync.Mutex
	last map[string]roomCounts // by pod name
}

// roomCounts are one room server's counters (cumulative since it started).
type roomCounts struct {
	Ticks, TicksLate float64
	Disconnects      map[string]float64 // by cause
}

func newRoomScraper(rooms func() map[string]string, check func(string) error) *roomScraper {
	return &roomScraper{http: &http.Client{Timeout: time.Second}, rooms: rooms, check: check, last: map[string]roomCounts{}}
}

// run scrapes every scrapeEvery until ctx ends.
func (s *roomScraper) run(ctx context.Context) {
	t := time.NewTicker(scrapeEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.scrapeAll(ctx)
		}
	}
}

// scrapeOne reads one room, keeping its last reading when it does not
// answer. The observer calls it as a room's match ends and as its pod is
// deleted: a room the fleet removes after its match (recycled, or
// scaled down) goes within seconds, and its players' last disconnects
// would otherwise be lost with it.
func (s *roomScraper) scrapeOne(ctx context.Context, name, addr string) {
	if s.check(addr) != nil {
		return
	}
	if c, err := s.scrape(ctx, addr); err == nil {
		s.mu.Lock()
		s.last[name] = c.latest(s.last[name])
		s.mu.Unlock()
	}
}

// scrapeAll reads every live room once; a room that does not answer
// keeps its last reading.
func (s *roomScraper) scrapeAll(ctx context.Context) {
	for name, addr := range s.rooms() {
		if ctx.Err() != nil {
			return
		}
		s.scrapeOne(ctx, name, addr)
	}
}

func (s *roomScraper) scrape(ctx context.Context, addr string) (roomCounts, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return roomCounts{}, err
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return roomCounts{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return roomCounts{}, fmt.Errorf("room %s /metrics: %s", addr, resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return roomCounts{}, fmt.Errorf("room %s /metrics: %w", addr, err)
	}
	c := roomCounts{Ticks: counter(families["room_ticks_total"]), TicksLate: counter(families["room_ticks_late_total"]), Disconnects: map[string]float64{}}
	if f := families["room_disconnects_total"]; f != nil {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "cause" {
					c.Disconnects[l.GetValue()] += m.GetCounter().GetValue()
				}
			}
		}
	}
	return c, nil
}

// latest is the later of two readings of one room: its counters only
// grow, and two reads in flight at once (the periodic one and one at its
// match's end) may finish in either order.
func (c roomCounts) latest(prev roomCounts) roomCounts {
	out := roomCounts{Ticks: max(c.Ticks, prev.Ticks), TicksLate: max(c.TicksLate, prev.TicksLate), Disconnects: maps.Clone(c.Disconnects)}
	if out.Disconnects == nil {
		out.Disconnects = map[string]float64{}
	}
	for cause, n := range prev.Disconnects {
		out.Disconnects[cause] = max(out.Disconnects[cause], n)
	}
	return out
}

// counter is an unlabelled counter's value (0 when absent).
func counter(f *dto.MetricFamily) float64 {
	if f == nil || len(f.GetMetric()) == 0 {
		return 0
	}
	return f.GetMetric()[0].GetCounter().GetValue()
}

// totals sums the rooms' last readings; rooms is how many were read.
func (s *roomScraper) totals() (total roomCounts, rooms int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	total.Disconnects = map[string]float64{}
	for _, c := range s.last {
		total.Ticks += c.Ticks
		total.TicksLate += c.TicksLate
		for cause, n := range c.Disconnects {
			total.Disconnects[cause] += n
		}
	}
	return total, len(s.last)
}

// disconnectCounts are the rooms' disconnects by cause (nil: none read).
func (c roomCounts) disconnectCounts() map[string]int64 {
	if len(c.Disconnects) == 0 {
		return nil
	}
	out := map[string]int64{}
	for cause, n := range c.Disconnects {
		out[cause] = int64(n)
	}
	return out
}
