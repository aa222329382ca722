package local

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestFailedBuildNamesComponentAndLog(t *testing.T) {
	bogus := []component{{module: "etcd", version: "v0", tools: []tool{{"nope", "example.invalid/nope"}}}}
	var progress bytes.Buffer
	_, err := ensure(context.Background(), t.TempDir(), &progress, bogus)
	if err == nil {
		t.Fatal("building a package no module provides succeeded")
	}
	for _, want := range []string{"building etcd v0", "build.log", "example.invalid/nope"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestKwokConfigHasBootDelay(t *testing.T) {
	s := testSpecForUnits()
	cfg := kwokConfig(s)
	if !strings.Contains(cfg, "durationMilliseconds: 2000") || !strings.Contains(cfg, "jitterDurationMilliseconds: 3000") {
		t.Errorf("boot delay 2–3 s missing from kwok config")
	}
	if strings.Contains(cfg, "__") {
		t.Errorf("unreplaced placeholder in kwok config")
	}
}
