#pragma once
// A small pool of persistent worker threads for the lattice models. run(fn)
// calls fn(t) once for every worker index t in [0, size()) (the calling
// thread does t = 0) and returns when all calls have finished. Work is split
// by the caller with a fixed partition (partition() below), so which thread
// computes what never depends on timing; together with per-element
// arithmetic that does not depend on the partition, results are identical
// for every thread count.
//
// Waiting spins briefly and then blocks (std::atomic::wait), so an idle pool
// costs nothing and a busy one dispatches in well under a microsecond.

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

namespace spikecube {

class ThreadPool {
 public:
  // threads = 0 picks std::thread::hardware_concurrency(); 1 runs everything
  // on the calling thread and starts no worker.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return size_; }
  // Calls fn(t) for t in [0, size()); fn must not call run() itself.
  void run(const std::function<void(int)>& fn);

  // Splits [0, count) into `parts` contiguous ranges of near-equal length;
  // returns range `part` as [begin, end).
  static std::pair<std::int64_t, std::int64_t> partition(std::int64_t count, int parts, int part) {
    const std::int64_t base = count / parts, extra = count % parts;
    const std::int64_t begin = part * base + (part < extra ? part : extra);
    return {begin, begin + base + (part < extra ? 1 : 0)};
  }

 private:
  void worker(int index);

  int size_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* job_ = nullptr;
  std::atomic<std::uint64_t> generation_{0};  // bumped once per run(); workers wait on it
  std::atomic<int> pending_{0};               // workers still busy with the current job
  std::atomic<bool> stop_{false};
};

}  // namespace spikecube
