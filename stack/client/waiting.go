package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/fleetbench/fleetbench/stack/wire"
)

// Waiting asks the matchmaker at addr (host:port) how many matches wait
// for a room: GET /v1/waiting, with query (e.g. unlike=N to long-poll
// for a change) when given.
func Waiting(ctx context.Context, hc *http.Client, addr string, query url.Values) (int64, error) {
	u := url.URL{Scheme: "http", Host: addr, Path: wire.WaitingPath, RawQuery: query.Encode()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var body struct{ Waiting int64 }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("matchmaker /v1/waiting: %s %v", resp.Status, err)
	}
	return body.Waiting, nil
}
