# lockstep — build, demo, test.
GO        ?= go
BIN       := bin/lockstep
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X lockstep.dev/lockstep/internal/engine.Version=$(VERSION)
PKGS      := ./...

.PHONY: all build demo deps test test-race test-short lint fuzz bench clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/lockstep

## demo: build lockstep and run the iris flow end to end on the embedded default.
demo:
	./scripts/demo.sh

## deps: install what the tests use when it is missing (as root: Debian packages, cosign).
deps:
	./scripts/test-deps.sh

## test: install missing test dependencies, vet, then every unit, fuzz-seed and integration test,
## and the Python package's tests (scripts/python-test.sh: a venv, pip install python/, pytest).
test: deps build
	$(GO) vet $(PKGS)
	PATH="$$($(GO) env GOPATH)/bin:$$PATH" LOCKSTEP_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 20m $(PKGS)
	LOCKSTEP_BIN=$(CURDIR)/$(BIN) ./scripts/python-test.sh

## test-race: the tests under the race detector.
test-race: deps build
	PATH="$$($(GO) env GOPATH)/bin:$$PATH" LOCKSTEP_BIN=$(CURDIR)/$(BIN) $(GO) test -race -count=1 -timeout 30m $(PKGS)

test-short:
	$(GO) test -short $(PKGS)

## lint: gofmt, vet and staticcheck.
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

## fuzz: run every fuzz target for a short while (FUZZTIME=30s by default).
FUZZTIME ?= 30s
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

## bench: the Go benchmarks, then every script under bench/ (each runs the CLI beside its floor or
## peer and ends with RESULT lines), summed up in one table (work, lockstep, floor/peer, ratio, goal, met?).
bench: build
	$(GO) test -run '^$$' -bench . -benchtime 3x ./internal/...
	./scripts/bench.sh

clean:
	rm -rf bin
