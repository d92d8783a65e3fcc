#!/usr/bin/env bash
# The device check of issue #7: builds prospect with its CUDA part, runs the GPU tests
# (tests/test_gpu.cpp) and the CPU tests of the shared element math, then the GPU
# benchmark (bench/bench_gpu.cpp), and prints one table. Budget: under 8 minutes on one
# GPU (the build included when the machine has the build dependencies).
#
#   scripts/gpu-check.sh                 build here (needs nvcc and the README's
#                                        dependencies) and run everything
#   scripts/gpu-check.sh --bundle DIR    build here, then pack the three executables and
#                                        the non-CUDA shared libraries they load into DIR,
#                                        for a GPU machine that lacks the build
#                                        dependencies (it needs only the CUDA libraries)
#   scripts/gpu-check.sh --from-bundle DIR   run a bundle made by --bundle (no build)
#
# Options: --quick (small benchmark sizes), --memcheck (first run the GPU tests, all but
# the fit, under compute-sanitizer's memcheck, at most 3 minutes), --out DIR (where the
# table and the logs go; default results/gpu-check). Environment: PROSPECT_CUDA_ARCHITECTURES (default "90",
# Hopper; "80;90" adds Ampere), JOBS (build jobs, default nproc).
# Exit status: non-zero when a test fails or the benchmark cannot run; a target the
# benchmark misses is reported in the table, not as a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
mode=build
bundle=""
quick=""
memcheck=""
out=results/gpu-check
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) mode=bundle; bundle="$2"; shift 2 ;;
    --from-bundle) mode=from-bundle; bundle="$2"; shift 2 ;;
    --quick) quick="--quick"; shift ;;
    --memcheck) memcheck=1; shift ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "gpu-check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
start=$(date +%s)
step() { echo "== [$(( $(date +%s) - start )) s] $*"; }

build() {
  local arch="${PROSPECT_CUDA_ARCHITECTURES:-90}"
  step "configure (CUDA architectures $arch)"
  cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DPROSPECT_CUDA=ON \
        -DPROSPECT_CUDA_ARCHITECTURES="$arch" -DCMAKE_CUDA_ARCHITECTURES="$arch" \
        -DPROSPECT_BUILD_EXAMPLES=OFF -DPROSPECT_BUILD_CLI=OFF >"$out/configure.log" 2>&1 \
    || { cat "$out/configure.log"; exit 1; }
  step "build test_gpu test_device_math bench_gpu"
  cmake --build build-gpu -j"${JOBS:-$(nproc)}" --target test_gpu test_device_math bench_gpu \
        >"$out/build.log" 2>&1 || { tail -50 "$out/build.log"; exit 1; }
  bin=build-gpu
}

# Directories holding the CUDA libraries on this machine (for a bundle's loader path).
cuda_library_dirs() {
  local dirs=""
  for d in /usr/local/cuda/lib64 /usr/local/cuda/lib /usr/local/cuda/targets/x86_64-linux/lib /usr/local/nvidia/lib64 \
           /usr/lib/x86_64-linux-gnu; do
    [ -e "$d/libcublas.so.13" ] || [ -e "$d/libcusolver.so.12" ] && dirs="$dirs:$d"
  done
  if [ -z "$dirs" ]; then
    for f in $(find /usr /opt -name 'libcublas.so.13' -o -name 'libcusolver.so.1[0-9]' 2>/dev/null | head -4); do
      dirs="$dirs:$(dirname "$f")"
    done
  fi
  echo "${dirs#:}"
}

case "$mode" in
  build) build ;;
  bundle)
    build
    step "bundle into $bundle"
    rm -rf "$bundle" && mkdir -p "$bundle/lib"
    cp build-gpu/tests/test_gpu build-gpu/tests/test_device_math build-gpu/bench/bench_gpu "$bundle/"
    strip "$bundle"/test_gpu "$bundle"/test_device_math "$bundle"/bench_gpu
    # Every shared library they load except glibc's and the CUDA toolkit's own, which
    # the GPU machine has in the version its driver wants.
    for exe in "$bundle"/test_gpu "$bundle"/test_device_math "$bundle"/bench_gpu; do
      ldd "$exe" | awk '/=> \// {print $3}'
    done | sort -u | grep -Ev '/(libc|libm|libdl|librt|libpthread|ld-linux[^/]*)\.so|/libcu|/libnv' |
      while read -r lib; do cp -L "$lib" "$bundle/lib/"; done
    cp "$0" "$bundle/gpu-check.sh"
    tar -cJf "$bundle.tar.xz" -C "$(dirname "$bundle")" "$(basename "$bundle")"
    du -sh "$bundle" "$bundle.tar.xz"
    echo "bundle ready: unpack $bundle.tar.xz on the GPU machine and run" \
         "'<dir>/$(basename "$bundle")/gpu-check.sh --from-bundle <dir>/$(basename "$bundle")'"
    exit 0 ;;
  from-bundle)
    bin="$bundle"
    export LD_LIBRARY_PATH="$bundle/lib:$(cuda_library_dirs)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    step "running the bundle in $bundle (LD_LIBRARY_PATH=$LD_LIBRARY_PATH)"
    ldd "$bundle/test_gpu" | grep "not found" && { echo "gpu-check: libraries missing" >&2; exit 1; } ;;
esac

exe() {  # the path of an executable in the build tree or the bundle
  if [ "$mode" = from-bundle ]; then echo "$bin/$1"; else
    case "$1" in bench_gpu) echo "$bin/bench/$1" ;; *) echo "$bin/tests/$1" ;; esac; fi
}
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

status=0
step "CPU tests of the shared element math"
"$(exe test_device_math)" >"$out/test_device_math.log" 2>&1 || { status=1; tail -30 "$out/test_device_math.log"; }
tail -3 "$out/test_device_math.log"
if [ -n "$memcheck" ]; then
  step "GPU tests under compute-sanitizer memcheck"
  if command -v compute-sanitizer >/dev/null; then
    timeout 180 compute-sanitizer --tool memcheck --leak-check no --error-exitcode 3 \
      "$(exe test_gpu)" --test-case-exclude='*fitted*' >"$out/memcheck.log" 2>&1
    rc=$?
    tail -5 "$out/memcheck.log"
    [ $rc -eq 0 ] || { echo "memcheck: exit $rc (124: timed out)"; [ $rc -eq 124 ] || status=1; }
  else
    echo "memcheck: compute-sanitizer not found; skipped"
  fi
fi
step "GPU tests"
# Time limits per step, so that one hang cannot spend the whole device lease.
timeout 240 "$(exe test_gpu)" >"$out/test_gpu.log" 2>&1
rc=$?
if [ $rc -eq 77 ]; then
  echo "gpu-check: no usable CUDA device: $(head -1 "$out/test_gpu.log")" >&2; exit 1
elif [ $rc -ne 0 ]; then
  status=1; [ $rc -eq 124 ] && echo "test_gpu: timed out after 240 s"; tail -40 "$out/test_gpu.log"
fi
tail -4 "$out/test_gpu.log"
step "GPU benchmark"
timeout 300 "$(exe bench_gpu)" $quick --out "$out/gpu.json" 2>"$out/bench_gpu.log" |
  tee "$out/gpu-table.md" || { status=1; tail -20 "$out/bench_gpu.log"; }
step "done (tests $([ $status -eq 0 ] && echo passed || echo FAILED)); table: $out/gpu-table.md"
exit $status
