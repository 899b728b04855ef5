// The halo of a lattice split over ranks (CubeModel::start_halo,
// finish_halo; docs/architecture.md, "Several ranks").
#include <chrono>

#include "core/cube_model.hpp"

namespace spikecube {
namespace {

// tags of the four transfers between two neighbouring ranks
constexpr int kSpikesUp = 7301, kTraceUp = 7302, kSpikesDown = 7303, kTraceDown = 7304;

template <typename T>
std::span<std::byte> bytes_of(T* p, std::int64_t count) {
  return std::as_writable_bytes(std::span<T>(p, static_cast<std::size_t>(count)));
}

}  // namespace

// What the next step reads across the slab's faces: the gather, the
// neighbour's latest spikes; the deferred STDP, those spikes and the
// neighbour's pre trace as it stood before them (whose sign bit is the
// spike). Both are final once the step's spikes are (after winners), and
// stay so until the next pass integrates: the transfers run meanwhile.
void CubeModel::start_halo() {
  if (!p_.below && !p_.above) return;
  const int me = comm_->rank();
  const std::int64_t nn = p_.nn;
  std::uint8_t* s = st_.spikes();
  float* tp = st_.pre_trace();
  if (p_.below) {  // plane -1 from the rank below; our plane 0 to it
    halo_.push_back(comm_->irecv(me - 1, bytes_of(s - nn, nn), kSpikesUp));
    halo_.push_back(comm_->irecv(me - 1, bytes_of(tp - nn, nn), kTraceUp));
    halo_.push_back(comm_->isend(me - 1, bytes_of(s, nn), kSpikesDown));
    halo_.push_back(comm_->isend(me - 1, bytes_of(tp, nn), kTraceDown));
    halo_bytes_ += nn * static_cast<std::int64_t>(sizeof(std::uint8_t) + sizeof(float));
  }
  if (p_.above) {  // plane depth from the rank above; our last plane to it
    const std::int64_t last = p_.count - nn;
    halo_.push_back(comm_->irecv(me + 1, bytes_of(s + p_.count, nn), kSpikesDown));
    halo_.push_back(comm_->irecv(me + 1, bytes_of(tp + p_.count, nn), kTraceDown));
    halo_.push_back(comm_->isend(me + 1, bytes_of(s + last, nn), kSpikesUp));
    halo_.push_back(comm_->isend(me + 1, bytes_of(tp + last, nn), kTraceUp));
    halo_bytes_ += nn * static_cast<std::int64_t>(sizeof(std::uint8_t) + sizeof(float));
  }
}

void CubeModel::finish_halo() const {
  if (halo_.empty()) return;
  const auto t0 = std::chrono::steady_clock::now();
  comm_->wait_all(halo_);
  halo_wait_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // the spike counts of the halo planes' rows (the STDP's test for spikes nearby)
  if (p_.below) count_row_spikes(-p_.n, 0);
  if (p_.above) count_row_spikes(p_.rows, p_.rows + p_.n);
}

}  // namespace spikecube
