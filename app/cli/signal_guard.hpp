#pragma once
// SIGINT and SIGTERM for the span of one command (`run`, `sweep`): the
// handler only records the signal, which the command reads between steps or
// runs; the previous handlers come back when the guard goes.

#include <signal.h>

namespace spikecube::cli {

class SignalGuard {
 public:
  // sa_flags as for sigaction: `run` passes SA_RESETHAND | SA_RESTART (a
  // second Ctrl-C ends the process at once; system calls resume), `sweep`
  // passes 0 (every signal is recorded, and interrupts its waitpid).
  explicit SignalGuard(int sa_flags);
  ~SignalGuard();
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

  // The signal received since the guard was made (SIGINT or SIGTERM), or 0.
  static int received();

 private:
  struct sigaction old_int_ = {};
  struct sigaction old_term_ = {};
};

}  // namespace spikecube::cli
