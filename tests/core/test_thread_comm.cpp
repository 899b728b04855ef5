// The in-process RankComm the slab tests run on: its collectives must give
// what MPI's would, or the tests built on it prove nothing.
#include <gtest/gtest.h>

#include <atomic>

#include "support/thread_comm.hpp"

namespace spikecube {
namespace {

TEST(ThreadComm, SumsBroadcastsAndSendsBetweenRanks) {
  std::atomic<int> checked{0};
  testing::run_ranks(3, [&](RankComm& comm) {
    std::vector<std::int64_t> v = {comm.rank() + 1, 10 * (comm.rank() + 1)};
    comm.sum(v);
    EXPECT_EQ(v, (std::vector<std::int64_t>{6, 60}));
    std::int64_t root_value = comm.rank() == 2 ? 42 : 0;
    comm.broadcast(2, std::as_writable_bytes(std::span(&root_value, 1)));
    EXPECT_EQ(root_value, 42);
    // a ring: each rank sends its rank to the next
    const int next = (comm.rank() + 1) % comm.size(), prev = (comm.rank() + comm.size() - 1) % comm.size();
    std::int64_t out = comm.rank(), in = -1;
    comm.send(next, std::as_bytes(std::span(&out, 1)), 7);
    comm.recv(prev, std::as_writable_bytes(std::span(&in, 1)), 7);
    EXPECT_EQ(in, prev);
    comm.barrier();
    ++checked;
  });
  EXPECT_EQ(checked.load(), 3);
}

TEST(ThreadComm, FirstErrorIsTheLowestRanksOnEveryRank) {
  testing::run_ranks(4, [](RankComm& comm) {
    const std::string mine = comm.rank() >= 2 ? "error on rank " + std::to_string(comm.rank()) : "";
    EXPECT_EQ(comm.first_error(mine), "error on rank 2");
    EXPECT_EQ(comm.first_error(""), "");
  });
}

TEST(ThreadComm, AnExceptionOnOneRankReachesTheCaller) {
  EXPECT_THROW(testing::run_ranks(2,
                                  [](RankComm& comm) {
                                    if (comm.rank() == 1) throw std::runtime_error("rank 1 failed");
                                  }),
               std::runtime_error);
}

}  // namespace
}  // namespace spikecube
