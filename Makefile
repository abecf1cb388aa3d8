# civicast -- the two commands of the quick start, and a few more.
#   make demo   install what is needed, build, run the main job on the demo city
#   make test   install what is needed, build, run every test, then the suite under
#               ASan+UBSan and the threaded tests under TSan
#   make bench  benchmarks against peers (R forecast, pandas/numpy); Markdown table
# Builds live in build/<preset> (see CMakePresets.json).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_ARGS ?= --output-on-failure
DEMO_OUT ?= build/demo

.PHONY: all deps build release demo test test-dev test-asan bench clean fuzz test-tsan

all: build

deps:
	@bash .ci/install-deps.sh test

build: deps
	cmake --preset dev >/dev/null
	cmake --build --preset dev -j $(JOBS)

# The demo needs only the library and the command, not the tests.
release:
	@bash .ci/install-deps.sh build
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS) --target civicast_cli civicast

# The plan (datasets/demo_city/plan.toml) forecasts every community 36 months
# ahead, allocates the 2026 fund by plan.spec with the forecasts as the demand
# factor, runs the Monte Carlo and projects the 2025-2027 need, runs the
# monitoring stage ([monitor]: the month's alerts by department, early warning,
# the risk levels, inactivity alerts, 2025 demand against its forecast), and
# prints the allocation summary, the alerts and the risk levels.  It exits 6 when some series' forecasts failed (their
# rows in the report say why; they count as 0 demand); the demo counts that
# as done.
demo: release
	@mkdir -p $(DEMO_OUT)
	build/release/civicast info datasets/demo_city/meals.csv --attributes datasets/demo_city/communities.csv
	@echo "== the whole job: forecast demand, allocate, Monte Carlo, multi-year need, monitoring"
	@build/release/civicast plan datasets/demo_city/plan.toml --out $(DEMO_OUT); \
	  rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 6 ] || exit $$rc
	@echo "== the plan report (open it in a browser; docs/REPORT.md): $(DEMO_OUT)/report.html"
	@echo "== the allocation for the budget office (open it in Excel or WPS): $(DEMO_OUT)/allocation.xlsx"
	@echo "== the month's alerts for the departments (open it in Excel or WPS): $(DEMO_OUT)/monitoring.xlsx"

test-dev: build
	ctest --preset dev -j $(JOBS) $(CTEST_ARGS)

test-asan: deps
	cmake --preset asan-ubsan >/dev/null
	cmake --build --preset asan-ubsan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --preset asan-ubsan -j $(JOBS) $(CTEST_ARGS)

test: test-dev test-asan test-tsan

# Fuzzing (tests/fuzz/README.md): builds the libFuzzer harnesses with clang
# (-fsanitize=fuzzer,address,undefined) and runs each target for FUZZ_SECONDS,
# in parallel at nice 19.  Findings: build/fuzz/run/<target>/artifacts.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= csv hdf5 alloc_spec date model_spec xlsx
fuzz:
	cmake -S tests/fuzz -B build/fuzz -DCMAKE_C_COMPILER=clang >/dev/null
	cmake --build build/fuzz -j $(JOBS)
	bash tests/fuzz/run.sh build/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# ThreadSanitizer on the threaded paths (forecast batch, determinism across
# thread counts, allocation Monte Carlo, backtest windows, the chunked forecast
# writer, hierarchy sample paths, the allocation solve's OpenMP loops, the
# table reader's parallel parse), part of `make test` (about 60 s: only these
# tests are built; test_alloc about 8 s and test_csv about 27 s of it).
# docs/HOSTILE_INPUTS.md, "Sanitizers", has the OpenMP caveat (libgomp is not instrumented; tests/tsan.supp).
TSAN_TESTS ?= test_forecast test_determinism test_alloc_uncertainty test_backtest test_forecast_write test_hier \
              test_alloc test_csv
test-tsan: deps
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan -j $(JOBS) --target $(TSAN_TESTS)
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(CURDIR)/tests/tsan.supp" \
	  OMP_NUM_THREADS=4 ctest --test-dir build/tsan --output-on-failure \
	  -R '^($(subst $(eval) ,|,$(strip $(TSAN_TESTS))))$$'

bench:
	@bash .ci/install-deps.sh bench
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)
	bash bench/run.sh build/release

clean:
	rm -rf build
