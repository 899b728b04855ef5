#pragma once
// Starts a private Xvfb for GUI tests (Xvfb picks a free display itself via
// -displayfd) and stops it on destruction. ok() is false, with a reason, when
// no X server can be started; tests then GTEST_SKIP with that reason.
#include <sys/types.h>
#include <string>

namespace spikecube::test {

class Xvfb {
 public:
  Xvfb();
  ~Xvfb();
  Xvfb(const Xvfb&) = delete;
  Xvfb& operator=(const Xvfb&) = delete;
  bool ok() const { return !display_.empty(); }
  const std::string& display() const { return display_; }  // ":N"
  const std::string& why_not() const { return why_not_; }

 private:
  pid_t pid_ = -1;
  std::string display_, why_not_;
};

}  // namespace spikecube::test
