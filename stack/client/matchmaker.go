package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/fleetbench/fleetbench/stack/wire"
)

// Matchmaker is a client of the matchmaker's HTTP API at Addr (host:port).
type Matchmaker struct {
	HTTP *http.Client
	Addr string
}

// StatusError is the matchmaker's refusal (429 queue full, 503 no room…).
type StatusError struct{ Code int }

func (e StatusError) Error() string { return fmt.Sprintf("matchmaker answered %d", e.Code) }

// Match queues player and waits for its match's room.
func (m Matchmaker) Match(ctx context.Context, player string) (wire.Assignment, error) {
	return m.post(ctx, wire.MatchPath, wire.MatchRequest{Player: player})
}

// Rejoin asks for the room match is in now (after its room was lost).
func (m Matchmaker) Rejoin(ctx context.Context, player, match string) (wire.Assignment, error) {
	return m.post(ctx, wire.RejoinPath, wire.MatchRequest{Player: player, Match: match})
}

func (m Matchmaker) post(ctx context.Context, path string, body wire.MatchRequest) (wire.Assignment, error) {
	var a wire.Assignment
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+m.Addr+path, bytes.NewReader(b))
	if err != nil {
		return a, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := m.HTTP.Do(req)
	if err != nil {
		return a, err
	}
	defer resp.Body.Close()
	err = json.NewDecoder(resp.Body).Decode(&a) // a refusal may name the match
	if resp.StatusCode != http.StatusOK {
		return a, StatusError{resp.StatusCode}
	}
	return a, err
}
