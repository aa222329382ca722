package reports

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/fleetbench/fleetbench/results"
)

// fullInput is every section the report can have: a model and a
// measured run of one scenario (with the comparison), a sweep, the
// regression table and the scenario.
func fullInput(t *testing.T) Input {
	in := loadInput(t)
	measured, err := results.ReadFile("testdata/node-loss.model.json")
	if err != nil {
		t.Fatal(err)
	}
	measured.Meta.Source, measured.Meta.Speedup, measured.Meta.Provider = results.SourceMeasured, 60, "local"
	measured.ScaleUps = []results.ScaleUp{{Node: "kwok-rooms-a", At: "1h2m0s", Created: 1.1, Ready: 9.1, PodRunning: 9.2, RoomReady: 10.2}}
	in.Runs = append(in.Runs, measured)
	in.Suites = suites(t)
	return in
}

// pageCheck is what headless Chromium saw of a page.
type pageCheck struct {
	problems []string // console errors and warnings, exceptions, requests outside the file
	blank    []string // captions of charts that drew nothing
	figures  int
	shot     []byte // full-page JPEG
}

// browse loads html in headless Chromium (skipping the test when there is
// none) and checks it.
func browse(t *testing.T, html []byte) pageCheck {
	t.Helper()
	var chromium string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		t.Skip("no chromium (make deps installs Debian's chromium when root)")
	}
	page := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(page, html, 0o644); err != nil {
		t.Fatal(err)
	}
	var err error
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox,
		chromedp.Flag("headless", true), chromedp.WindowSize(1100, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelTimeout()

	var mu sync.Mutex
	var c pageCheck
	report := func(s string) { mu.Lock(); c.problems = append(c.problems, s); mu.Unlock() }
	err = chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				report("console " + string(ev.Type))
			}
		case *runtime.EventExceptionThrown:
			report("exception: " + ev.ExceptionDetails.Text)
		case *network.EventRequestWillBeSent:
			if u := ev.Request.URL; !strings.HasPrefix(u, "file://") && !strings.HasPrefix(u, "data:") {
				report("external request: " + u)
			}
		}
	})
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	// A chart rendered when its SVG has a size and draws something.
	const blankCharts = `Array.from(document.querySelectorAll("figure")).filter(f => {
		const s = f.querySelector("svg");
		if (!s) return true;
		const r = s.getBoundingClientRect();
		const marks = s.querySelectorAll("path.series, rect.bar, circle");
		return r.width < 100 || r.height < 30 || marks.length === 0 ||
			Array.from(marks).every(m => { const b = m.getBBox(); return b.width === 0 && b.height === 0; });
	}).map(f => f.querySelector("figcaption").textContent)`
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+page), chromedp.WaitReady("body")); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	figures, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("figure").length`))
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	blank, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](blankCharts))
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	c.figures, c.blank, c.shot = figures, blank, shot
	return c
}

// TestReportInBrowser loads the full report in headless Chromium and
// fails on a console error, an exception, a request for anything outside
// the file, or a chart with nothing drawn; it keeps a screenshot
// (FLEETBENCH_ARTIFACTS, default out/test-artifacts at the repository's root).
func TestReportInBrowser(t *testing.T) {
	var html bytes.Buffer
	if err := HTML(&html, fullInput(t)); err != nil {
		t.Fatal(err)
	}
	c := browse(t, html.Bytes())
	for _, p := range c.problems {
		t.Error(p)
	}
	if c.figures < 15 {
		t.Errorf("%d charts in the page, want the full report's 15 or more", c.figures)
	}
	for _, b := range c.blank {
		t.Errorf("chart %q did not render", b)
	}
	dir := os.Getenv("FLEETBENCH_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "out", "test-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shotPath := filepath.Join(dir, "report.jpg")
	if err := os.WriteFile(shotPath, c.shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d charts rendered; screenshot %s", c.figures, shotPath)
}

// TestBrowserCheckCatchesFaults: the check itself sees a console error,
// an external request and a chart that draws nothing.
func TestBrowserCheckCatchesFaults(t *testing.T) {
	page := `<!DOCTYPE html><html><body>
<figure><figcaption>empty chart</figcaption><svg class="chart" viewBox="0 0 10 10"></svg></figure>
<img src="http://127.0.0.1:9/pixel.png"><script>console.error("broken")</script></body></html>`
	c := browse(t, []byte(page))
	joined := strings.Join(c.problems, "\n")
	if !strings.Contains(joined, "console error") || !strings.Contains(joined, "external request: http://127.0.0.1:9/pixel.png") {
		t.Errorf("problems %q: want the console error and the external request", c.problems)
	}
	if len(c.blank) != 1 || c.blank[0] != "empty chart" {
		t.Errorf("blank charts %q, want the empty one", c.blank)
	}
}
