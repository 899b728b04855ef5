// Micro benchmarks: one layer step, and its parts (neuron integration,
// readout prediction). Run: build/bench/spikecube_bench
#include <benchmark/benchmark.h>

#include "core/neurons.hpp"
#include "core/readout.hpp"
#include "core/rng.hpp"
#include "core/simulation.hpp"

using namespace spikecube;

// One full step of preset 01_01 after the chaos phase (firing ~10%).
static void BM_LayerStep(benchmark::State& state) {
  Simulation sim(load_preset("01_01"));
  for (int i = 0; i < 2500; ++i) sim.step();
  for (auto _ : state) sim.step();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LayerStep)->Unit(benchmark::kMicrosecond);

// LIF integration with noise over N neurons.
static void BM_Integrate(benchmark::State& state) {
  const auto n = state.range(0);
  Config c;
  c.noise = 0.2;
  c.threshold = "fixed";
  const NeuronParams p = NeuronParams::from(c);
  Neurons neurons;
  neurons.init(n, p);
  std::vector<float> current(static_cast<std::size_t>(n), 0.01f);
  std::vector<std::uint8_t> spikes(static_cast<std::size_t>(n));
  std::uint32_t key = 1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(integrate(neurons, p, current.data(), spikes.data(), 0, n, key++));
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_Integrate)->Arg(48 * 48)->Arg(48 * 48 * 48);

// Readout drive from 10% of 2,304 sources into 2,304 pixels.
static void BM_ReadoutPredict(benchmark::State& state) {
  Config c;
  std::vector<Point> xy(48 * 48);
  Readout r(48, 48 * 48, xy, c, 0);
  std::vector<std::int32_t> active;
  for (std::int32_t i = 0; i < 48 * 48; i += 10) active.push_back(i);
  Frame out;
  for (auto _ : state) {
    r.predict(active, out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_ReadoutPredict)->Unit(benchmark::kMicrosecond);
