// src/blas_threads.hpp — keeps OpenBLAS on one thread while small linear algebra runs.
#pragma once

#include <dlfcn.h>

namespace prospect::detail {

/// Runs BLAS single-threaded for its lifetime when the BLAS is OpenBLAS (found at run
/// time, so that any BLAS links). Why: OpenBLAS's pthread build ignores OpenMP, so its
/// threads inside the parallel restarts oversubscribe the cores (an order of magnitude
/// slower), and its results round differently with its thread count, which follows
/// OMP_NUM_THREADS; the fit must not depend on either.
/// Small problems (model fits and asks below a few hundred observations) call BLAS
/// with tiny matrices thousands of times: OpenBLAS's worker threads then cost more in
/// wake-ups and sched_yield spinning than they give (a third of an ask's time).
class SingleThreadedBlas {
 public:
  SingleThreadedBlas() {
    set_ = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    auto get = reinterpret_cast<GetFn>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    if (set_ && get) {
      previous_ = get();
      if (previous_ != 1) set_(1);
    }
  }
  ~SingleThreadedBlas() {
    if (set_ && previous_ > 1) set_(previous_);
  }
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

 private:
  using SetFn = void (*)(int);
  using GetFn = int (*)();
  SetFn set_ = nullptr;
  int previous_ = 1;
};

}  // namespace prospect::detail
