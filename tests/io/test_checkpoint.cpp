// Checkpoints in-process: round trip of archives, bit-exact resume for every
// model this build has, and refusal of bad files without touching the state.
#include <algorithm>
#include <cstring>

#include "core/config.hpp"
#include "core/simulation.hpp"
#include "io/checkpoint.hpp"
#include "tests/io/io_test_util.hpp"

namespace spikecube {
namespace {
using testio::ScratchDir;

struct Row {
  std::int64_t step;
  double iou, iou100, fire;
  int out_px, target_px;
  bool input_on;
  std::vector<double> extra;
  bool operator==(const Row&) const = default;
};

Row row_of(const Simulation& s) {
  const auto& m = s.last();
  return {m.step, m.iou, m.iou100, m.fire, m.out_px, m.target_px, m.input_on, m.extra};
}

std::vector<Row> run_rows(Simulation& s, std::int64_t steps) {
  std::vector<Row> rows;
  for (std::int64_t i = 0; i < steps; ++i) {
    s.step();
    rows.push_back(row_of(s));
  }
  return rows;
}

class CheckpointExactness : public ::testing::TestWithParam<std::string> {};

// run(A+B) == run(A) -> checkpoint -> resume -> run(B), with A = 3500 inside
// the presets' input-off window 3001-4000 and B crossing its end.
TEST_P(CheckpointExactness, ResumeIsBitExact) {
  ScratchDir dir;
  const Config cfg = load_preset(GetParam());
  constexpr std::int64_t kA = 3500, kB = 700;
  ASSERT_FALSE(cfg.input_off.empty()) << "preset should switch the input off mid-run";

  Simulation ref(cfg);
  run_rows(ref, kA);
  const auto ref_rows = run_rows(ref, kB);

  Simulation first(cfg);
  run_rows(first, kA);
  ASSERT_FALSE(first.last().input_on) << "step 3500 should be inside the input-off window";
  const std::string path = dir / "a.h5";
  io::save_checkpoint(path, first);

  // resume without the config (as --resume does) ...
  auto resumed = io::open_checkpoint(path);
  EXPECT_EQ(resumed->step_count(), kA);
  EXPECT_EQ(resumed->model().state_hash(), first.model().state_hash());
  const auto rows = run_rows(*resumed, kB);
  ASSERT_EQ(rows.size(), ref_rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    ASSERT_EQ(rows[i], ref_rows[i]) << "first difference at step " << rows[i].step;
  EXPECT_EQ(resumed->model().state_hash(), ref.model().state_hash());
  EXPECT_TRUE(resumed->last().input_on);

  // ... and into an existing simulation built from the same preset
  Simulation fresh(cfg);
  io::load_checkpoint(path, fresh);
  run_rows(fresh, kB);
  EXPECT_EQ(fresh.model().state_hash(), ref.model().state_hash());
  const auto a = ref.summary(), b = fresh.summary();
  EXPECT_EQ(a.first_iou80, b.first_iou80);
  EXPECT_EQ(a.resume_iou50, b.resume_iou50);
  EXPECT_EQ(a.iou100_final, b.iou100_final);
}

INSTANTIATE_TEST_SUITE_P(Models, CheckpointExactness, ::testing::ValuesIn(testio::exactness_presets(preset_names())),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string n = param.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// Settings the presets do not use, each with its own state to carry: layer
// STDP input weights and recurrent links, two STDP traces, the other
// stimuli, a readout over several layers. run(A+B) must equal run(A),
// checkpoint file, resume, run(B).
struct OptionCase {
  std::string name;
  Config cfg;
};

std::vector<OptionCase> option_cases() {
  std::vector<OptionCase> out;
  Config layer = load_preset("01_01");
  layer.n = 20;
  layer.input_rule = "stdp";
  layer.rec_radius = 2;
  layer.tau_minus = 30.0;
  out.push_back({"layer_stdp_recurrent_two_traces", layer});
  Config cube = load_preset("cube-4");
  cube.n = 16;
  cube.tau_minus = 33.0;
  cube.readout_layers = 3;
  cube.stimulus = "dots";
  cube.dots = 2;
  out.push_back({"cube_two_traces_dots_readout3", cube});
  Config bar = load_preset("groups-thin");
  bar.n = 16;
  bar.stimulus = "bar";
  out.push_back({"groups_bar", bar});
  return out;
}

TEST(CheckpointOptions, ResumeIsBitExactForSettingsThePresetsDoNotUse) {
  ScratchDir dir;
  // a sequence stimulus from a text file of frames
  const std::string frames = dir / "frames.txt";
  {
    std::string text;
    for (int f = 0; f < 5; ++f) {
      for (int y = 0; y < 16; ++y) {
        for (int x = 0; x < 16; ++x) text += (x == 3 * f && y >= 4 && y < 8) ? '1' : '0';
        text += '\n';
      }
      text += '\n';
    }
    testio::write_text(frames, text);
  }
  auto cases = option_cases();
  Config seq = load_preset("01_01");
  seq.n = 16;
  seq.stimulus = "sequence";
  seq.sequence_path = frames;
  cases.push_back({"layer_sequence", seq});
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Simulation ref(c.cfg);
    run_rows(ref, 150);
    const auto ref_rows = run_rows(ref, 120);
    Simulation first(c.cfg);
    run_rows(first, 150);
    const std::string path = dir / (c.name + ".h5");
    io::save_checkpoint(path, first);
    auto resumed = io::open_checkpoint(path);
    const auto rows = run_rows(*resumed, 120);
    ASSERT_EQ(rows.size(), ref_rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i)
      ASSERT_EQ(rows[i], ref_rows[i]) << "first difference at step " << rows[i].step;
    EXPECT_EQ(resumed->model().state_hash(), ref.model().state_hash());
    // the runs did something to carry: spikes, and a prediction
    double fire = 0;
    for (const auto& r : ref_rows) fire += r.fire;
    EXPECT_GT(fire, 0.0);
  }
}

// The GUI's live input switch is part of the state too.
TEST(Checkpoint, ManualInputSwitchSurvivesResume) {
  ScratchDir dir;
  Config cfg = load_preset("01_01");
  Simulation ref(cfg), a(cfg);
  for (Simulation* s : {&ref, &a}) {
    run_rows(*s, 100);
    s->set_input_enabled(false);
    run_rows(*s, 50);
  }
  io::save_checkpoint(dir / "off.h5", a);
  auto b = io::open_checkpoint(dir / "off.h5");
  EXPECT_FALSE(b->input_enabled());
  run_rows(ref, 20);
  run_rows(*b, 20);
  ref.set_input_enabled(true);
  b->set_input_enabled(true);
  EXPECT_EQ(run_rows(ref, 80), run_rows(*b, 80));
  EXPECT_EQ(ref.model().state_hash(), b->model().state_hash());
}

TEST(Checkpoint, ArchiveRoundTripIsExact) {
  ScratchDir dir;
  StateArchive a;
  a.f32["x.f"] = {1.5f, -0.0f, std::numeric_limits<float>::infinity(), std::numeric_limits<float>::denorm_min()};
  a.f64["x.d"] = {3.141592653589793, -1e-300};
  a.i64["x.i"] = {std::numeric_limits<std::int64_t>::min(), 0, 42};
  a.i64["x.empty"] = {};
  a.u8["x.u"] = {0, 255, 7};
  a.text["model"] = "layer";
  a.text["config"] = "[model]\ntype = \"layer\"\n# unicode: \xc3\xa9\n";
  a.text["empty"] = "";
  io::write_archive(dir / "rt.h5", a);
  EXPECT_EQ(io::read_archive(dir / "rt.h5"), a);
  EXPECT_FALSE(testio::has_temp_files(dir.path()));
}

TEST(Checkpoint, OverwriteReplacesWholeFile) {
  ScratchDir dir;
  StateArchive a;
  a.text["model"] = "layer";
  a.f32["big"] = std::vector<float>(100000, 1.0f);
  io::write_archive(dir / "o.h5", a);
  a.f32["big"] = {2.0f};
  io::write_archive(dir / "o.h5", a);
  EXPECT_EQ(io::read_archive(dir / "o.h5"), a);
}

// A refused checkpoint leaves the simulation exactly as it was.
TEST(Checkpoint, RefusedLoadLeavesSimulationUnchanged) {
  ScratchDir dir;
  Simulation sim(load_preset("01_02"));
  run_rows(sim, 300);
  io::save_checkpoint(dir / "good.h5", sim);
  run_rows(sim, 10);
  const auto hash = sim.model().state_hash();
  const auto step = sim.step_count();

  const std::string good = testio::read_text(dir / "good.h5");
  testio::write_text(dir / "trunc.h5", good.substr(0, good.size() / 2));
  std::string flipped = good;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x40);
  testio::write_text(dir / "flip.h5", flipped);
  StateArchive wrong = io::read_archive(dir / "good.h5");
  wrong.f32["layer.v"].pop_back();  // wrong size deep inside the model
  io::write_archive(dir / "short.h5", wrong);

  for (const char* name : {"trunc.h5", "flip.h5", "short.h5", "missing.h5"}) {
    SCOPED_TRACE(name);
    EXPECT_THROW(io::load_checkpoint(dir / name, sim), io::CheckpointError);
    EXPECT_EQ(sim.model().state_hash(), hash);
    EXPECT_EQ(sim.step_count(), step);
  }
}

TEST(Checkpoint, ErrorsNameThePathAndTheCause) {
  ScratchDir dir;
  Simulation sim(load_preset("01_01"));
  io::save_checkpoint(dir / "good.h5", sim);
  std::string bytes = testio::read_text(dir / "good.h5");
  bytes[16] = 9;  // format version field of the header
  testio::write_text(dir / "v9.h5", bytes);
  try {
    io::read_archive(dir / "v9.h5");
    FAIL() << "no error";
  } catch (const io::CheckpointError& e) {
    EXPECT_EQ(e.path(), dir / "v9.h5");
    EXPECT_NE(e.cause().find("version 9 is newer"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
}

TEST(Checkpoint, AnotherModelIsRefused) {
  const auto names = preset_names();
  if (std::find(names.begin(), names.end(), "cube-4") == names.end()) GTEST_SKIP() << "no cube model in this build";
  ScratchDir dir;
  Simulation layer(load_preset("01_01"));
  Simulation cube(load_preset("cube-4"));
  layer.step();
  cube.step();
  io::save_checkpoint(dir / "layer.h5", layer);
  const auto hash = cube.model().state_hash();
  try {
    io::load_checkpoint(dir / "layer.h5", cube);
    FAIL() << "no error";
  } catch (const io::CheckpointError& e) {
    EXPECT_NE(e.cause().find("'layer' model"), std::string::npos) << e.what();
  }
  EXPECT_EQ(cube.model().state_hash(), hash);
}

}  // namespace
}  // namespace spikecube
