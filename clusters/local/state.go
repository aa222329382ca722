package local

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/clusters/hostproc"
)

// state is what `up` leaves behind for `status` and `down`, written after
// every component start so a failed or interrupted `up` can be undone.
type state struct {
	Name       string              `json:"name"`
	Server     string              `json:"server"`
	Kubeconfig string              `json:"kubeconfig"`
	Processes  []*hostproc.Process `json:"processes"`
	// Spec is what the cluster was made for: a run of another scenario
	// would measure on its node pool, pod startup and time scale.
	Spec *clusters.Spec `json:"spec,omitempty"`
}

const stateFile = "cluster.json"

func readState(dir string) (*state, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return nil, err
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, stateFile), err)
	}
	return &st, nil
}

func (st *state) write(dir string) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, stateFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, stateFile))
}

// checkPortFree fails with the component's name when a fixed port is taken.
func checkPortFree(component string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("%s: port 127.0.0.1:%d is taken: %w", component, port, errors.Unwrap(err))
	}
	return l.Close()
}

// waitPortFree polls until a component's port can be bound again.
func waitPortFree(port int, within time.Duration) error {
	for deadline := time.Now().Add(within); ; time.Sleep(50 * time.Millisecond) {
		err := checkPortFree("", port)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("port 127.0.0.1:%d still taken after down", port)
		}
	}
}
