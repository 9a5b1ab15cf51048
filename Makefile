# Thin wrapper over CMake + ctest. See README.md.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=
FORMAT_FILES = $(shell git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null | grep -v '^src/target/loaders/.*_blob\.h$$')

.PHONY: all deps build demo check test asan fuzz format format-check bench install deb clean loaders

all: build

deps:
	bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

demo: deps build
	bash scripts/demo.sh $(BUILD)

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# The ASan+UBSan build uses clang (so the project is proven to build with both compilers)
# and also builds and runs the libFuzzer targets briefly.
ASAN_CONFIGURE = CC=clang cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug \
	-DSTP_SANITIZE=ON -DSTP_FUZZ=ON -DSTP_SHIM_TESTS=OFF $(CMAKE_ARGS)

asan:
	$(ASAN_CONFIGURE) -DSTP_FUZZ_SECONDS=4 -DSTP_FUZZ_SEED=1
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 ctest --output-on-failure -j$(JOBS) -LE "slow"

format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format-check: OK"

# check = install deps, build from scratch with -Werror, every test, sanitizer build, format.
check: deps format-check
	rm -rf $(BUILD) $(ASAN_BUILD)
	$(MAKE) build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	$(MAKE) asan

# Open-ended fuzzing: every libFuzzer target for FUZZ_SECONDS with a random seed (ctest's
# runs in `check` are short and seeded). Crashes land in $(ASAN_BUILD)/fuzz/artifacts/.
FUZZ_SECONDS ?= 300
fuzz:
	$(ASAN_CONFIGURE) -DSTP_FUZZ_SECONDS=$(FUZZ_SECONDS) -DSTP_FUZZ_SEED=0
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j$(JOBS) -L fuzz

# Rebuilds the SRAM flash loaders into the committed src/target/loaders/*_blob.h.
loaders:
	bash src/target/loaders/build.sh

bench: build
	bash bench/run.sh $(BUILD)

# make install [PREFIX=/usr/local] [DESTDIR=/tmp/stage]: the files of the three packages.
install: build
	cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX))

# Debian packages from the build directory (CPack; docs/packaging.md): stprog, libstprog0,
# libstprog-dev, copied here for `sudo apt install ./stprog_*.deb`.
deb: deps build
	rm -rf $(BUILD)/packages
	cpack --config $(BUILD)/CPackConfig.cmake -G DEB -B $(abspath $(BUILD))/packages
	rm -f stprog_*.deb libstprog0_*.deb libstprog-dev_*.deb
	cp $(BUILD)/packages/*.deb .

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
