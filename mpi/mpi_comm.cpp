#include "mpi/mpi_comm.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

namespace spikecube::mpi {

bool launched_by_mpirun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr;
}

double default_timeout() {
  if (const char* env = std::getenv("SPIKECUBE_MPI_TIMEOUT")) {
    char* end = nullptr;
    const double s = std::strtod(env, &end);
    if (end != env && s > 0) return s;
  }
  return 60.0;
}

class MpiComm final : public RankComm {
 public:
  MpiComm() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm machine;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &machine);
    MPI_Comm_size(machine, &on_machine_);
    MPI_Comm_free(&machine);
  }
  int rank() const override { return rank_; }
  int ranks_on_machine() const override { return on_machine_; }
  int size() const override { return size_; }
  double waited_seconds() const override { return waited_s_; }
  void set_timeout(double s) { timeout_s_ = s; }

  void send(int to, std::span<const std::byte> data, int tag) override {
    MPI_Request r;
    MPI_Isend(data.data(), count_of(data.size()), MPI_BYTE, to, tag, MPI_COMM_WORLD, &r);
    wait(r, "a send to rank " + std::to_string(to));
  }
  void recv(int from, std::span<std::byte> data, int tag) override {
    MPI_Request r;
    MPI_Irecv(data.data(), count_of(data.size()), MPI_BYTE, from, tag, MPI_COMM_WORLD, &r);
    wait(r, "rank " + std::to_string(from));
  }
  Request isend(int to, std::span<const std::byte> data, int tag) override {
    requests_.emplace_back();
    MPI_Isend(data.data(), count_of(data.size()), MPI_BYTE, to, tag, MPI_COMM_WORLD, &requests_.back());
    return static_cast<Request>(requests_.size() - 1);
  }
  Request irecv(int from, std::span<std::byte> data, int tag) override {
    requests_.emplace_back();
    MPI_Irecv(data.data(), count_of(data.size()), MPI_BYTE, from, tag, MPI_COMM_WORLD, &requests_.back());
    return static_cast<Request>(requests_.size() - 1);
  }
  void wait_all(std::vector<Request>& requests) override {
    for (Request id : requests) wait(requests_[static_cast<std::size_t>(id)], "a neighbouring rank (halo)");
    requests.clear();
    requests_.clear();  // one list in flight at a time (as the lattices use it)
  }

  void barrier() override {
    MPI_Request r;
    MPI_Ibarrier(MPI_COMM_WORLD, &r);
    wait(r, "every rank (barrier)");
  }
  void broadcast(int root, std::span<std::byte> data) override {
    MPI_Request r;
    MPI_Ibcast(data.data(), count_of(data.size()), MPI_BYTE, root, MPI_COMM_WORLD, &r);
    wait(r, "rank " + std::to_string(root) + " (broadcast)");
  }
  void sum(std::span<std::int64_t> values) override {
    MPI_Request r;
    MPI_Iallreduce(MPI_IN_PLACE, values.data(), count_of(values.size()), MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD, &r);
    wait(r, "every rank (sum)");
  }
  // The lowest rank with an error, then its text from it: one reduction
  // when no rank has any.
  std::string first_error(const std::string& mine) override {
    int first = mine.empty() ? size_ : rank_;
    MPI_Request r;
    MPI_Iallreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD, &r);
    wait(r, "every rank (error agreement)");
    if (first == size_) return {};
    std::int64_t len = first == rank_ ? static_cast<std::int64_t>(mine.size()) : 0;
    broadcast(first, std::as_writable_bytes(std::span(&len, 1)));
    std::string text = first == rank_ ? mine : std::string(static_cast<std::size_t>(len), '\0');
    broadcast(first, std::as_writable_bytes(std::span(text.data(), text.size())));
    return text;
  }

 private:
  static int count_of(std::size_t bytes) {
    if (bytes > static_cast<std::size_t>(INT32_MAX)) {
      std::cerr << "spikecube-cli: a transfer of " << bytes << " bytes exceeds MPI's 2 GiB count; aborting\n";
      MPI_Abort(MPI_COMM_WORLD, 3);
    }
    return static_cast<int>(bytes);
  }
  // Polls r until it completes; past the deadline, ends every rank.
  void wait(MPI_Request& r, const std::string& peer) {
    const auto t0 = std::chrono::steady_clock::now();
    int done = 0;
    // spin for the first 50 us (the usual wait of a small lattice's step),
    // then sleep, twice as long each time up to 256 us: a rank that waits
    // for a slower one leaves it the processor (a shared or oversubscribed
    // machine, the other hardware thread of a core) and still answers
    // within about the time it has already waited
    std::chrono::microseconds nap{2};
    for (int spins = 1;; ++spins) {
      MPI_Test(&r, &done, MPI_STATUS_IGNORE);
      if (done) {
        waited_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return;
      }
      if (spins % 64 != 0) continue;
      const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (waited < 50e-6) continue;
      if (waited > timeout_s_) {
        std::cerr << "spikecube-cli: rank " << rank_ << " waited " << timeout_s_ << " s for " << peer
                  << " without an answer (a rank died or hangs; --mpi-timeout); aborting every rank\n";
        MPI_Abort(MPI_COMM_WORLD, 3);
      }
      std::this_thread::sleep_for(nap);
      nap = std::min(nap * 2, std::chrono::microseconds{256});
    }
  }

  int rank_ = 0, size_ = 1, on_machine_ = 1;
  double timeout_s_ = default_timeout();
  double waited_s_ = 0.0;
  std::vector<MPI_Request> requests_;
};

MpiSession::MpiSession(int& argc, char**& argv) {
  if (!launched_by_mpirun()) return;
  int provided = 0;
  // the ranks' worker threads never call MPI: the main thread does all of it
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  comm_ = std::make_unique<MpiComm>();
}

MpiSession::~MpiSession() {
  if (!comm_) return;
  comm_.reset();
  MPI_Finalize();
}

RankComm& MpiSession::comm() { return comm_ ? static_cast<RankComm&>(*comm_) : single_rank(); }

void MpiSession::set_timeout(double seconds) {
  if (comm_) comm_->set_timeout(seconds);
}

}  // namespace spikecube::mpi
