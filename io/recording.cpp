#include "io/recording.hpp"

#include <algorithm>
#include <climits>
#include <stdexcept>

#include "io/recording_file.hpp"

namespace spikecube::io {
using detail::RecordingFile;

RecordSlice parse_record_slice(const std::string& text) {
  const auto bad = [&] {
    return std::invalid_argument("--record-slice " + text +
                                 ": expected AXIS:INDEX with AXIS x, y or z and INDEX >= 0, e.g. z:0");
  };
  if (text.size() < 3 || text[1] != ':' || (text[0] != 'x' && text[0] != 'y' && text[0] != 'z')) throw bad();
  const std::string num = text.substr(2);
  if (num.empty() || num.size() > 9 ||
      !std::all_of(num.begin(), num.end(), [](char c) { return c >= '0' && c <= '9'; }))
    throw bad();
  return {text[0], std::stoi(num)};
}

RecordingHeader recording_header(const Simulation& sim) {
  const Config& cfg = sim.config();
  return {std::string(sim.model().kind()), to_toml(cfg), static_cast<std::int64_t>(cfg.seed), cfg.n,
          sim.model().dims()};
}

struct Recorder::Impl {
  std::unique_ptr<RecordingFile> file;
  Dims dims;
  NeuronView view;
};

Recorder::Recorder(std::string path, const Simulation& sim, RecordOptions opt)
    : path_(std::move(path)), impl_(std::make_unique<Impl>()) {
  impl_->dims = sim.model().dims();
  impl_->file = std::make_unique<RecordingFile>(path_, recording_header(sim), opt);
}

Recorder::~Recorder() = default;

void Recorder::record(const Simulation& sim) {
  Impl& m = *impl_;
  RecordingFile& file = *m.file;
  const std::int64_t step = sim.step_count();
  file.begin_step(step);
  sim.model().view(m.view, static_cast<int>(std::min<std::int64_t>(m.dims.count(), INT_MAX)));
  const auto count = static_cast<std::size_t>(m.dims.count());
  if (m.view.stride != 1 || m.view.spiked.size() != count || m.view.potential.size() != count) {
    throw RecordingError(path_, "the model's view is sub-sampled; cannot record every neuron");
  }
  file.add_flags(RecordingFile::kHidden, step, m.view.spiked, 0);
  file.add_flags(RecordingFile::kOutput, step, sim.output_frame(), 0);
  file.add_flags(RecordingFile::kInput, step, sim.input_frame(), 0);
  if (file.samples_at(step)) {
    const Slab whole{0, m.dims.nz, m.dims.nz};
    for (std::size_t i = 0; i < file.slices().size(); ++i)
      detail::fill_slice_rows(file.slices()[i], m.dims, whole, m.view.potential, file.sample(i).data());
    file.write_sample(step);
  }
}

void Recorder::close() { impl_->file->close(); }

}  // namespace spikecube::io
