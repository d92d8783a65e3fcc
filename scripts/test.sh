#!/usr/bin/env bash
# Installs the dependencies, builds everything with warnings as errors, runs every
# test (ctest), then rebuilds the tests under AddressSanitizer + UndefinedBehaviorSanitizer
# and runs them again. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs=$(nproc)

echo "== build (Release, -Wall -Wextra -Wpedantic -Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="-Werror" >/dev/null
cmake --build build -j"$jobs"
echo "== tests"
(cd build && ctest --output-on-failure -j"$jobs")

echo "== build (AddressSanitizer + UndefinedBehaviorSanitizer)"
# -O1 with line tables only (-g1): backtraces keep file:line, and the build takes ~40 %
# less time than RelWithDebInfo's -O2 -g (the longest step of CI).
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPROSPECT_SANITIZE=ON \
      -DPROSPECT_BUILD_BENCH=OFF -DPROSPECT_BUILD_EXAMPLES=OFF -DPROSPECT_BUILD_CLI=OFF \
      -DCMAKE_CXX_FLAGS="-Werror" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" >/dev/null
cmake --build build-sanitize -j"$jobs"
echo "== tests under sanitizers"
(cd build-sanitize && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j"$jobs")
