#!/usr/bin/env bash
# Installs the dependencies, builds prospect (Release) and runs the built-in default
# study: minimize Branin with 40 evaluations. Results go to ./results/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target prospect_cli
./build/prospect run --out results "$@"
echo "run-default-study: results are in $(pwd)/results/ (default-study.csv, default-study.json)"
