# conflux — see README.md. Every target works on a fresh machine with only Go installed.

GO      ?= go
BIN     := bin
# Every module of the workspace (go.work); "./..." does not cross module roots.
MODULES := $(shell $(GO) list -m -f '{{.Dir}}' | sed "s|^$(CURDIR)/|./|")
# The slowest modules first (services/conflux: whole crawls; deployments:
# the fleet and the chaos test), so that neither starts last and runs alone.
SLOW    := ./services/conflux ./deployments
PKGS    := $(addsuffix /...,$(SLOW)) $(addsuffix /...,$(filter-out $(SLOW),$(MODULES)))
SERVICES := enumerator fetcher attachments extractor permissions sink tokenbroker conflux-sim conflux
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all build test lint demo bench bench-micro fuzz clean

all: build

## build: every binary into bin/
build:
	@mkdir -p $(BIN)
	@for s in $(SERVICES); do $(GO) build -o $(BIN)/$$s ./services/$$s/cmd/$$s || exit 1; done
	$(GO) build -o $(BIN)/oauth2-tokenfetcher ./services/tokenfetcher/cmd/oauth2-tokenfetcher
	@echo "built: $$(ls $(BIN) | tr '\n' ' ')"

## test: every module of the workspace, with the race detector, against a
## throw-away PostgreSQL on 127.0.0.1 (scripts/with-postgres.sh installs
## Debian's postgresql if needed, sets CONFLUX_TEST_PG_DSN, stops it after).
## -parallel 4: the end-to-end tests mostly wait, so 4 at once beat 2 cores.
test:
	scripts/with-postgres.sh $(GO) test -race -count=1 -parallel 4 -timeout 30m $(PKGS)

## lint: gofmt, go vet, staticcheck
lint:
	@out=$$(gofmt -l proto pkg services deployments); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run $(STATICCHECK) $(PKGS)

## demo: build, start the simulator with the demo tenant, crawl it once on the embedded NATS server
demo: build
	@scripts/demo.sh

## bench: one run of the system benchmarks against the simulator (API cost,
## latency-bound crawl, pipeline overhead, memory, horizontal scale, sink
## rebuild), one table next to the limits, bench/results.json
## (scripts/bench.sh; BENCH_SCALE=0.1 shrinks every tenant)
bench:
	scripts/bench.sh

## bench-micro: every Go benchmark of the workspace (the packages' own)
bench-micro:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 $(PKGS)

## fuzz: every fuzz target of the workspace for FUZZTIME each (default 10s);
## their seeds also run in `make test`, as normal tests
FUZZTIME ?= 10s
fuzz:
	FUZZTIME=$(FUZZTIME) GO=$(GO) scripts/fuzz.sh

clean:
	rm -rf $(BIN) demo
