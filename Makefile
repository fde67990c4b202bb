# Verbatim: the two commands of the README's quick start, and a few helpers.
#   make analyze   the main job on the shipped Corpus/ and Codebooks/
#   make test      every test (Swift tests, then the oracle scripts in Tests/scripts/)
SWIFT ?= swift
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: analyze test build release deps test-deps bench clean

deps:
	@scripts/ensure-deps.sh build

test-deps:
	@scripts/ensure-deps.sh test

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The main job on the shipped corpus and codebooks: import Corpus/ into .verbatim/ (incremental),
# index, code with every codebook of Codebooks/, and write the report to verbatim-report/.
analyze: release
	.build/release/verbatim analyze

test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(SWIFT) build -c release --product verbatim
	Tests/scripts/run-all.sh .build/release/verbatim

bench: release
	Benchmarks/side-by-side.sh

clean:
	rm -rf .build verbatim-report .verbatim
