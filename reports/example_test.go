package reports_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/fleetbench/fleetbench/reports"
	"github.com/fleetbench/fleetbench/results"
)

// HTML renders runs into one self-contained page (no network requests).
func ExampleHTML() {
	run, err := results.ReadFile("testdata/node-loss.model.json")
	if err != nil {
		panic(err)
	}
	var page bytes.Buffer
	if err := reports.HTML(&page, reports.Input{Title: "node loss", Runs: []*results.Run{run}}); err != nil {
		panic(err)
	}
	html := page.String()
	fmt.Println(strings.Contains(html, "<title>node loss</title>"), strings.Contains(html, "<svg"), strings.Contains(html, "http://"))
	// Output: true true false
}
