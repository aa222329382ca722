package matchmaker

import (
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fleetbench/fleetbench/internal/testkit"
	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/stack/settings"
	"k8s.io/client-go/kubernetes/fake"
)

// recordingQueue records formed matches; the getter waits for want of
// them, since matches start in goroutines, in any order. Asked for none,
// it checks that none forms for a while: a wrongly formed match would
// show within it.
func recordingQueue(t testing.TB, perMatch int, timeout time.Duration, onTimeout settings.OnTimeout) (*queue, func(want int) [][]string) {
	var mu sync.Mutex
	formed := map[string][]string{}
	q := &queue{perMatch: perMatch, timeout: timeout, onTimeout: onTimeout, maxQueue: 10, start: func(id string, ts []*ticket) {
		var names []string
		for _, tk := range ts {
			names = append(names, tk.player)
		}
		mu.Lock()
		formed[id] = names
		mu.Unlock()
	}}
	return q, func(want int) [][]string {
		count := func() int {
			mu.Lock()
			defer mu.Unlock()
			return len(formed)
		}
		if want == 0 {
			testkit.Stays(t, 200*time.Millisecond, "no match formed", func() bool { return count() == 0 })
		} else {
			testkit.Eventually(t, 10*time.Second, fmt.Sprintf("%d matches to form", want), func() bool { return count() >= want })
		}
		mu.Lock()
		defer mu.Unlock()
		// Match ids count up in formation order: "m1-…", "m2-…".
		ids := slices.Collect(maps.Keys(formed))
		slices.SortFunc(ids, func(a, b string) int { return matchNumber(a) - matchNumber(b) })
		var out [][]string
		for _, id := range ids {
			out = append(out, formed[id])
		}
		return out
	}
}

func TestQueueFormsFullMatchesInOrder(t *testing.T) {
	q, formed := recordingQueue(t, 2, 0, "start")
	t0 := time.Now()
	for _, p := range []string{"a", "b", "c", "d", "e"} {
		if err := q.add(&ticket{player: p, enqueued: t0}); err != nil {
			t.Fatal(err)
		}
	}
	got := formed(2)
	if len(got) != 2 || strings.Join(got[0], ",") != "a,b" || strings.Join(got[1], ",") != "c,d" || q.length() != 1 {
		t.Errorf("matches %v with %d waiting; want [a b] [c d] and e waiting", got, q.length())
	}
}

func TestQueueTimeoutPolicies(t *testing.T) {
	t0 := time.Now()
	start, formed := recordingQueue(t, 4, time.Second, "start")
	start.add(&ticket{player: "a", enqueued: t0})
	start.add(&ticket{player: "b", enqueued: t0})
	start.expire(t0.Add(999 * time.Millisecond))
	start.expire(t0.Add(time.Second))
	if got := formed(1); len(got) != 1 || len(got[0]) != 2 {
		t.Errorf("start: matches %v; want a short match of 2 at the timeout", got)
	}
	requeue, formed2 := recordingQueue(t, 4, time.Second, "requeue")
	requeue.add(&ticket{player: "a", enqueued: t0})
	requeue.expire(t0.Add(time.Second))
	if got := formed2(0); len(got) != 0 || requeue.length() != 1 || !requeue.waiting[0].enqueued.Equal(t0.Add(time.Second)) {
		t.Errorf("requeue: matches %v; want none and the player waiting again from the timeout", got)
	}
}

func TestQueueBounded(t *testing.T) {
	q, _ := recordingQueue(t, 100, 0, "start")
	for i := range 10 {
		if err := q.add(&ticket{player: string(rune('a' + i))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.add(&ticket{player: "z"}); err != ErrQueueFull {
		t.Errorf("11th player: %v, want ErrQueueFull", err)
	}
}

func TestBadRequestsNameTheField(t *testing.T) {
	s := New(testConfig(), NewAllocator(fake.NewClientset(), "default", policy.Packed, slog.New(slog.DiscardHandler)), slog.New(slog.DiscardHandler))
	h := s.Handler()
	for _, tc := range []struct{ path, body, want string }{
		{"/v1/match", `{}`, "player: required"},
		{"/v1/match", `{"player":"a b"}`, "player: required"},
		{"/v1/match", `{"player":"p","colour":1}`, "unknown field"},
		{"/v1/match", `not json`, "body"},
		{"/v1/match", `{"player":"` + strings.Repeat("x", 2000) + `"}`, "body"},
		{"/v1/rejoin", `{"player":"p"}`, "match: required"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, tc.path, strings.NewReader(tc.body)))
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("POST %s %.40s: %d %s; want 400 mentioning %q", tc.path, tc.body, rec.Code, rec.Body.String(), tc.want)
		}
	}
}

func matchNumber(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(strings.SplitN(id, "-", 2)[0], "m"))
	return n
}
