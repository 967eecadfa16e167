# teleport-swift. The two commands a newcomer needs: `make reproduce` and `make test`.
#
#   make reproduce   install what is missing, build, fetch data, run every result (PROFILE=default),
#                    update its report (REPRODUCE.md for paper, REPRODUCE-default.md for default), print the summary table of verdicts
#   make test        install what is missing, build with optimisation, run all tests
#   make bench       benchmarks (medians, % of sgemm peak) into results/bench/ and REPRODUCE.md
#   make time-table  the README's table of wall times, from the run records in results/
#   make datasets    fetch and verify MNIST, Fashion-MNIST and, when a mirror has it, the JPEG copy
#                    of CIFAR-10 (the official CIFAR-10: make datasets DATA="mnist fashion-mnist cifar-10")
#   make gallery     render one example of every figure type into results/gallery/
#   make clean       remove build outputs (results/ and Datasets/ data are kept)

PROFILE ?= default
RESULTS ?= displacement convergence correlation generalization optimizers metalearning
# Results whose published algorithm (`--algorithm published`) `make reproduce` also runs.
PUBLISHED ?= displacement correlation generalization optimizers metalearning
DATA    ?= mnist fashion-mnist
# Fetched when a source has it, else its rows say "not run here": the JPEG copy of CIFAR-10 from
# the offline mirror (the experiments prefer the official cifar-10 whenever it is present).
OPTIONAL_DATA ?= cifar-10-jpeg
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
# With STOP_AFTER=90m (or seconds, or 2h), make reproduce starts no run after that much wall time;
# finished runs are kept and the same command continues (REPRODUCE.md waits for every run).
STOP_AFTER ?=
SWIFT   ?= swift
# One set of OpenBLAS kernels on every x86-64 machine (its kernels round differently, and the
# quick profile's chaotic runs amplify that into other verdicts); the result executables pin
# the same by themselves (pinBLASKernels), this covers the test process too.
ifeq ($(shell uname -m),x86_64)
export OPENBLAS_CORETYPE ?= Haswell
endif
BIN     := .build/release
# One set of build flags for the tools and the tests, so `make test` after `make build` (or the
# reverse) reuses the build instead of recompiling everything.
BUILD   := -c release -Xswiftc -enable-testing

.PHONY: all setup build test reproduce bench time-table datasets gallery clean

all: build

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build $(BUILD)

# Fetches the data the tests read (tests that need it say so when no copy can be had).
datasets: build
	$(BIN)/datasets fetch $(DATA)
	@$(BIN)/datasets fetch $(OPTIONAL_DATA) || echo "note: $(OPTIONAL_DATA) unavailable; its rows will say 'not run here'" >&2

# As root, setup --test also installs Slurm and munge for the one-node cluster test. The dataset
# readers' fuzz targets replay their corpus and run FUZZ_RUNS more inputs each (scripts/fuzz.sh). The tests run
# with the counting allocator preloaded (scripts/malloc-counter.c), for the allocation test. A test
# whose golden file, data or tool is missing skips, or fails under TELEPORT_REQUIRE_REFERENCE=1 (CI).
MALLOC_COUNTER := .build/malloc-counter.so
# Inputs each dataset-reader fuzz target runs in `make test` after replaying its corpus, with a
# fixed seed so every machine runs the same inputs (longer runs: scripts/fuzz.sh 600).
FUZZ_RUNS ?= 3000

test:
	@scripts/setup.sh --test
	$(SWIFT) build $(BUILD) --product datasets
	@$(BIN)/datasets fetch mnist fashion-mnist cifar-10-jpeg || \
	  echo "warning: a dataset is unavailable; tests that need it will be skipped (failed in CI)" >&2
	$(CC) -shared -fPIC -O2 -o $(MALLOC_COUNTER) scripts/malloc-counter.c
	$(SWIFT) build $(BUILD) --build-tests
	FUZZ_RUNS=$(FUZZ_RUNS) scripts/fuzz.sh 0
	LD_PRELOAD="$(abspath $(MALLOC_COUNTER))$${LD_PRELOAD:+ $$LD_PRELOAD}" $(SWIFT) test $(BUILD) --skip-build

# Runs the results, regenerates the profile's report and prints the summary table (scripts/reproduce.sh).
reproduce: build
	@$(BIN)/datasets fetch $(DATA)
	@$(BIN)/datasets fetch $(OPTIONAL_DATA) || echo "note: $(OPTIONAL_DATA) unavailable; its rows will say 'not run here'" >&2
	@PUBLISHED="$(PUBLISHED)" STOP_AFTER="$(STOP_AFTER)" scripts/reproduce.sh "$(PROFILE)" "$(JOBS)" $(RESULTS)

# The README's time table: every profile's wall times, from the run records and provenance in
# results/ (scripts/runs.sh restore PROFILE brings back the committed ones).
time-table: build
	$(BIN)/report --time-table results/times/time-table.md > /dev/null
	@scripts/update-reproduce.sh times

# Benchmarks: results/bench/bench.json and bench.md, then REPRODUCE.md's Benchmarks section.
# Also times the numeric modules built with -Ounchecked (TELEPORT_OUNCHECKED=1, its own build folder)
# and writes the medians side by side (results/bench/unchecked.md).
bench: build
	TELEPORT_OUNCHECKED=1 $(SWIFT) build -c release --scratch-path .build-unchecked --product bench
	.build-unchecked/release/bench --json results/bench/unchecked.json > /dev/null
	$(BIN)/bench --json results/bench/bench.json --markdown results/bench/bench.md \
	  --unchecked results/bench/unchecked.json --unchecked-markdown results/bench/unchecked.md
	@scripts/update-reproduce.sh bench

gallery: setup
	$(SWIFT) test $(BUILD) --filter PlotTests.Gallery

clean:
	rm -rf .build
