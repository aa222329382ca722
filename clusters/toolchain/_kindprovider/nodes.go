package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// nodeCommand runs fleetbench's kind node command: create, delete, list.
type nodeCommand struct{ argv []string }

// node is one kind node container as the command lists it.
type node struct {
	Name         string    `json:"name"`
	ProviderID   string    `json:"providerID"`
	InstanceType string    `json:"instanceType"`
	Created      time.Time `json:"created"`
}

// nodeCommandFromEnv reads FLEETBENCH_KIND_NODES, the command's argv as a
// JSON array (a path may hold spaces).
func nodeCommandFromEnv() (nodeCommand, error) {
	raw := os.Getenv("FLEETBENCH_KIND_NODES")
	var argv []string
	if err := json.Unmarshal([]byte(raw), &argv); err != nil || len(argv) == 0 {
		return nodeCommand{}, fmt.Errorf("FLEETBENCH_KIND_NODES: want a JSON array naming the node command, got %q", raw)
	}
	return nodeCommand{argv: argv}, nil
}

func (c nodeCommand) run(ctx context.Context, args ...string) ([]byte, error) {
	var out bytes.Buffer
	if err := c.runTo(ctx, &out, args...); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// runTo runs the command with its stdout to w.
func (c nodeCommand) runTo(ctx context.Context, w io.Writer, args ...string) error {
	cmd := exec.CommandContext(ctx, c.argv[0], append(append([]string{}, c.argv[1:]...), args...)...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("node %s: %s", args[0], msg)
	}
	return nil
}

// create makes a node's container, not yet started: the instance exists
// (List shows it) from the moment Karpenter asks for it.
func (c nodeCommand) create(ctx context.Context, name, providerID, instanceType, claim string) error {
	_, err := c.run(ctx, "create", name, providerID, instanceType, claim)
	return err
}

// start boots, joins and wires a created node; it returns once the node
// has registered (Karpenter then finds it by its provider ID), or has
// failed and been removed. Its progress, the node's stages timed, goes
// to this process's log.
func (c nodeCommand) start(ctx context.Context, name, providerID, instanceType, claim string) error {
	return c.runTo(ctx, os.Stderr, "start", name, providerID, instanceType, claim)
}

// remove deletes the node's container; a node already gone is no error.
func (c nodeCommand) remove(ctx context.Context, name string) error {
	_, err := c.run(ctx, "delete", name)
	return err
}

func (c nodeCommand) list(ctx context.Context) ([]node, error) {
	out, err := c.run(ctx, "list")
	if err != nil {
		return nil, err
	}
	var nodes []node
	if err := json.Unmarshal(out, &nodes); err != nil {
		return nil, fmt.Errorf("node list: %w", err)
	}
	return nodes, nil
}

var errNoNode = errors.New("no such node container")

func (c nodeCommand) get(ctx context.Context, providerID string) (node, error) {
	nodes, err := c.list(ctx)
	if err != nil {
		return node{}, err
	}
	for _, n := range nodes {
		if n.ProviderID == providerID {
			return n, nil
		}
	}
	return node{}, fmt.Errorf("%s: %w", providerID, errNoNode)
}
