#pragma once
// Errors the Python module raises besides the translated engine errors
// (ConfigError -> ValueError, checkpoint and file errors -> OSError).

#include <stdexcept>

namespace spikecube::python {

// The model diverged (NaN/inf or runaway firing); spikecube.ModelFault, a
// RuntimeError. The message names the step and the cause, as the CLI's.
class ModelFault : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace spikecube::python
