#pragma once
// Ranks as threads of one process: a RankComm for tests of distributed code
// (slab decomposition, distributed checkpoints) that need neither MPI nor
// mpirun. Each rank is a thread running the same function with its own
// ThreadComm; messages go through per-(from, to, tag) queues.
//
//   run_ranks(3, [](RankComm& comm) { ... });
//
// An exception on any rank is rethrown by run_ranks (the first in rank
// order) after every thread has ended; a rank blocked on a peer that threw
// would wait forever, so the waits give up after a timeout.

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <vector>

#include "core/rank_comm.hpp"

namespace spikecube::testing {

class ThreadWorld {
 public:
  explicit ThreadWorld(int ranks) : ranks_(ranks) {}
  int ranks() const { return ranks_; }

  void post(int from, int to, int tag, std::span<const std::byte> data) {
    std::lock_guard lock(mu_);
    queues_[{from, to, tag}].emplace_back(data.begin(), data.end());
    cv_.notify_all();
  }
  std::vector<std::byte> take(int from, int to, int tag) {
    std::unique_lock lock(mu_);
    auto& q = queues_[{from, to, tag}];
    if (!cv_.wait_for(lock, kTimeout, [&] { return !q.empty(); }))
      throw std::runtime_error("ThreadComm: rank " + std::to_string(to) + " waited too long for rank " +
                               std::to_string(from));
    std::vector<std::byte> m = std::move(q.front());
    q.pop_front();
    return m;
  }

 private:
  static constexpr std::chrono::seconds kTimeout{60};
  int ranks_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::tuple<int, int, int>, std::deque<std::vector<std::byte>>> queues_;
};

class ThreadComm final : public RankComm {
 public:
  ThreadComm(ThreadWorld& world, int rank) : world_(world), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return world_.ranks(); }
  int ranks_on_machine() const override { return world_.ranks(); }  // threads of one process

  void send(int to, std::span<const std::byte> data, int tag) override { world_.post(rank_, to, tag, data); }
  void recv(int from, std::span<std::byte> data, int tag) override {
    const std::vector<std::byte> m = world_.take(from, rank_, tag);
    if (m.size() != data.size())
      throw std::runtime_error("ThreadComm: message of " + std::to_string(m.size()) + " bytes, expected " +
                               std::to_string(data.size()));
    if (!m.empty()) std::memcpy(data.data(), m.data(), m.size());
  }

  // A send is posted at once (copied); a receive waits in wait_all(), which
  // completes every request started since the last wait_all().
  Request isend(int to, std::span<const std::byte> data, int tag) override {
    send(to, data, tag);
    return -1;
  }
  Request irecv(int from, std::span<std::byte> data, int tag) override {
    pending_.push_back({from, tag, data});
    return static_cast<Request>(pending_.size() - 1);
  }
  void wait_all(std::vector<Request>& requests) override {
    for (Request r : requests)
      if (r >= 0) {
        const Pending& p = pending_[static_cast<std::size_t>(r)];
        recv(p.from, p.data, p.tag);
      }
    requests.clear();
    pending_.clear();  // one list of requests in flight at a time (as the lattices use it)
  }

  // The collectives go through rank 0, with tags of their own.
  void barrier() override {
    std::int64_t none = 0;
    sum(std::span<std::int64_t>(&none, 1));
  }
  void broadcast(int root, std::span<std::byte> data) override {
    if (rank_ == root) {
      for (int r = 0; r < size(); ++r)
        if (r != root) send(r, data, kBroadcastTag);
    } else {
      recv(root, data, kBroadcastTag);
    }
  }
  void sum(std::span<std::int64_t> values) override {
    auto bytes = std::as_writable_bytes(values);
    if (rank_ == 0) {
      std::vector<std::int64_t> part(values.size());
      for (int r = 1; r < size(); ++r) {
        recv(r, std::as_writable_bytes(std::span(part)), kSumTag);
        for (std::size_t i = 0; i < values.size(); ++i) values[i] += part[i];
      }
    } else {
      send(0, bytes, kSumTag);
    }
    broadcast(0, bytes);
  }
  std::string first_error(const std::string& mine) override {
    std::int64_t len = static_cast<std::int64_t>(mine.size());
    std::string first;
    for (int r = 0; r < size(); ++r) {  // each rank's length, then its text, from rank r to all
      std::int64_t n = r == rank_ ? len : 0;
      broadcast(r, std::as_writable_bytes(std::span(&n, 1)));
      std::string text = r == rank_ ? mine : std::string(static_cast<std::size_t>(n), '\0');
      broadcast(r, std::as_writable_bytes(std::span(text.data(), text.size())));
      if (first.empty()) first = text;
    }
    return first;
  }

 private:
  static constexpr int kBroadcastTag = -1, kSumTag = -2;
  struct Pending {
    int from, tag;
    std::span<std::byte> data;
  };
  std::vector<Pending> pending_;
  ThreadWorld& world_;
  int rank_;
};

// Runs fn on `ranks` threads, one ThreadComm each; rethrows the first
// exception in rank order.
inline void run_ranks(int ranks, const std::function<void(RankComm&)>& fn) {
  ThreadWorld world(ranks);
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(ranks));
  std::vector<std::thread> threads;
  for (int r = 0; r < ranks; ++r)
    threads.emplace_back([&, r] {
      ThreadComm comm(world, r);
      try {
        fn(comm);
      } catch (...) {
        errors[static_cast<std::size_t>(r)] = std::current_exception();
      }
    });
  for (auto& t : threads) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace spikecube::testing
