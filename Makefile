GO ?= go
OUT ?= out

.PHONY: simulate test test-okg test-short fuzz deps bins kind-image nightly baseline loadtest bench bench-cluster bench-stack bench-loadgen components cluster-up cluster-down lint clean

## simulate: run the model on the evening-peak scenario and size its buffer: $(OUT)/model.json,
## check.json and report.html (the run, the sizing check and the recommended value)
simulate:
	$(GO) build -o bin/sim ./cmd/sim
	@bin/sim check scenarios/evening-peak.yaml -o $(OUT)/; status=$$?; \
	  if [ $$status -eq 1 ]; then echo "(sim check exit 1: the configured fleet misses its SLO — see above)"; \
	  elif [ $$status -ne 0 ]; then exit $$status; fi

## test: vet with and without the e2e build tag; the unit tests under -race -short (every package:
## ~3 min; the model's long runs take sim past 10 min under -race, so -short skips them here); then,
## without -race, the e2e tests (the ones that bring up a cluster, built from the components once,
## cached; the real runs) and what -short skipped, in the packages that have them
## (the kind runs go last, alone: their node containers would share the two cores with the local
## clusters' timed known answers; they skip with one line where no Docker daemon answers)
LONG_TEST_PKGS = $(sort $(dir $(shell grep -rl --include='*_test.go' -e '^//go:build e2e' -e 'testing.Short()' .)))
test: deps components
	$(GO) vet ./...
	$(GO) vet -tags e2e ./...
	$(GO) vet -tags okg ./clusters/okg
	$(GO) test -race -short -count=1 -timeout 20m ./...
	$(GO) test -tags e2e -count=1 -timeout 30m $(filter-out ./loadgen/onkind/,$(LONG_TEST_PKGS))
	$(GO) test -tags e2e -count=1 -timeout 40m ./loadgen/onkind/

## test-short: the inner loop — the unit tests (no e2e tag: no cluster, no real run) without the
## long model runs, the room-server process tests, the debootstrap test and the go list of the docs'
## import table, which -short skips (installs what deps installs: the room tests need redis-server)
test-short: deps
	$(GO) test -short -count=1 ./...

## fuzz: every fuzz target for FUZZTIME each (scenarios, alias expansion, --set flags, traces, axes, run and sweep files,
## comparisons, emitted manifests, wire messages, distribution flags)
FUZZTIME ?= 30s
fuzz:
	@for t in scenarios:FuzzParse scenarios:FuzzParseWith scenarios:FuzzParseAliases scenarios:FuzzParseOverride scenarios:FuzzParseTrace \
	  sim:FuzzParseAxis sim:FuzzReadSweep results:FuzzReadRun results:FuzzCompare emit:FuzzEmit stack/wire:FuzzDecode stack/wire:FuzzVerify internal/dist:FuzzUnmarshalText; do \
	  pkg=$${t%%:*}; fn=$${t#*:}; echo "== $$pkg $$fn"; \
	  $(GO) test ./$$pkg -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) || exit 1; done

## deps: Debian packages the tests use, installed when missing and root: redis-server (needed),
## chromium (the report's browser test; skipped without it), and where a Docker daemon answers,
## debootstrap (the kind node image's root filesystem; the kind tests skip without Docker)
deps:
	@missing=""; command -v redis-server >/dev/null || missing="redis-server"; \
	command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null || missing="$$missing chromium"; \
	if docker version >/dev/null 2>&1; then command -v debootstrap >/dev/null || missing="$$missing debootstrap"; fi; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ]; then export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -q $$missing >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q $$missing >/dev/null; }; \
	elif [ -n "$$missing" ]; then echo "not root: install Debian's $$missing yourself (the browser test skips without chromium)"; fi; \
	command -v redis-server >/dev/null || { echo "redis-server is needed by the tests"; exit 1; }

## components: build the local cluster's Kubernetes, etcd, kwok and Karpenter into the cache,
## and the stack's binaries into bin/ (the local runner's fleetbench/* images)
components: bins
	bin/loadgen cluster build

## test-okg: OpenKruise, kruise-game and KEDA built (cold: tens of minutes, then cached) and
## installed on kind; the manifests `sim plan --emit okg` writes, run against the real HPA, and
## the whole stack under fleet.controller okg against the model of the run
test-okg: deps kind-image
	bin/loadgen cluster build --provider kind --controller okg
	$(GO) test -tags okg -count=1 -timeout 60m -v ./clusters/okg

## kind-image: the kind provider's offline node image (Debian rootfs, Kubernetes and its images
## built here; cached in Docker and under ~/.cache/fleetbench)
kind-image: bins
	bin/loadgen cluster build --provider kind

## bins: the commands into bin/ (the stack's binaries are the local runner's fleetbench/* images)
bins:
	$(GO) build -o bin/ ./cmd/sim ./cmd/loadgen ./cmd/roomserver ./cmd/matchmaker ./cmd/fleetd ./cmd/report

## cluster-up / cluster-down: the local cluster (SCENARIO=FILE sizes its node pool)
cluster-up: components
	bin/loadgen cluster up $(if $(SCENARIO),--scenario $(SCENARIO))

cluster-down:
	$(GO) build -o bin/loadgen ./cmd/loadgen
	bin/loadgen cluster down

## bench-cluster: warm up time, pods realized per second, node scale-up stages
bench-cluster: components
	$(GO) test -run '^$$' -bench . -benchtime 1x ./clusters/local/

## loadtest: a short real run of the rolling-deploy scenario on the local cluster
## (2 h compressed 60× into 2 min, at a fifteenth of its arrival rate: 2 cores)
loadtest: deps components
	bin/loadgen run scenarios/rolling-deploy.yaml --set speedup=60 \
	  --set 'arrivals.segments[0].constant.rate=0.2' -o $(OUT)/loadtest

## nightly: the regression suite — the model of every shipped scenario (compared exactly) and
## REPS real runs of each scenarios/suite/ scenario on PROVIDER — against $(BASELINE); writes
## $(OUT)/nightly/report.html, junit.xml and compare.json; exit 1 on a regression, a changed model
## or a newly missed SLO. PROVIDER=kind: one cluster per room pool; NODE_IMAGE=kind uses kind's
## published node image (a registry must answer) instead of the offline build
REPS ?= 3
PROVIDER ?= local
BASELINE ?= baselines/$(PROVIDER)
# The local provider needs the locally built cluster components; kind its
# offline node image (built on first use by cluster up, or by kind-image).
SUITE_DEPS = deps $(if $(filter local,$(PROVIDER)),components,$(if $(and $(filter kind,$(PROVIDER)),$(if $(NODE_IMAGE),,y)),kind-image,bins))
nightly: $(SUITE_DEPS)
	NODE_IMAGE=$(NODE_IMAGE) bash scripts/nightly.sh $(OUT)/nightly/current
	bin/loadgen compare --baseline $(BASELINE) --current $(OUT)/nightly/current \
	  --junit $(OUT)/nightly/junit.xml --html $(OUT)/nightly/report.html --json $(OUT)/nightly/compare.json

## baseline: record the suite's runs as the new baseline (commit $(BASELINE) deliberately)
baseline: $(SUITE_DEPS)
	NODE_IMAGE=$(NODE_IMAGE) bash scripts/nightly.sh $(BASELINE) --slim

## bench-loadgen: the pacer's arrival-rate error and lateness at 2,000 arrivals/s; sessions held
## per GB of RSS (50,000 sessions) and CPU per 1,000 messages against an echo target, beside k6
## v1.8.1 (installed into the cache from the module proxy when missing), with the ratios; a
## session's memory and CPU at the margin under a room's 20 Hz state stream (matches of 50),
## against the echo's and k6's; a state's decoding; the time to merge 64 workers' shards of
## 5,000 players into one run
K6_VERSION := v1.8.1
K6 ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/fleetbench/k6-$(K6_VERSION)/k6
bench-loadgen:
	$(GO) test -run '^$$' -bench PacerRate -benchtime 1x ./loadgen/
	$(GO) test -run '^$$' -bench Merge64Shards -benchtime 3x ./loadgen/
	@test -x $(K6) || GOBIN=$(dir $(K6)) $(GO) install go.k6.io/k6@$(K6_VERSION)
	$(GO) test -run '^$$' -bench DecodeState ./stack/client/
	cd loadgen/wsbench && K6=$(K6) $(GO) test -run '^$$' -bench 'VsK6' -benchtime 1x -timeout 30m .

## bench-stack: allocations/s and p99 through the matchmaker, room-server memory per player, tick cost,
## and the stack's capacity: sessions per core (room server and Redis) by tick rate, players per room
## and state size
bench-stack: deps components
	$(GO) test -run '^$$' -bench AllocationHTTP -benchtime 1x ./stack/matchmaker/
	$(GO) test -run '^$$' -bench 'MemoryPerPlayer|RoomCapacity' -benchtime 1x -timeout 30m ./cmd/roomserver/
	$(GO) test -run '^$$' -bench TickFullRoom -benchtime 2000x ./stack/room/

## bench: model throughput vs SimPy, the 1M-player day, and sweep scaling on 1 vs 2 cores
bench:
	bash scripts/bench-basestock.sh
	$(GO) test -run '^$$' -bench 'EveningPeak1M' -benchtime 1x -cpu 1 -timeout 20m ./sim/
	$(GO) build -o bin/sim ./cmd/sim
	bash scripts/bench-sweep.sh bin/sim
	@echo "sim plan evening-peak on one core (target: under a minute):"
	@GOMAXPROCS=1 bin/sim plan evening-peak --workers 1 | grep '^days simulated'

## lint: gofmt, go vet, staticcheck (fetched from the module proxy, pinned) and every path the docs name
## exists (internal/docpaths)
lint:
	@test -z "$$(gofmt -l .)" || (gofmt -l .; echo "gofmt needed"; exit 1)
	$(GO) vet ./...
	$(GO) vet -tags okg ./clusters/okg
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
	$(GO) test -count=1 ./internal/docpaths

clean:
	rm -rf $(OUT) bin
