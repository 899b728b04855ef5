#pragma once
// The per-link pair STDP update (docs/cube.md, "Model in one screen"), as one
// pure function so that the lattice models apply it in exactly one place and
// tests can check it against a hand-computed spike train.
//
// For a link j -> i at step t:
//   dw = A+ x_j(t-1) s_i(t) - A- y_i(t-1) s_j(t), w <- clip(w + dw, 0, w_max)
// with multiplicative (weight-dependent) updates A+ (w_max - w) and A- w.
// x is the pre-synaptic trace of the source, y the post-synaptic trace of the
// target, both as they stood before this step's spikes.

#include <algorithm>

namespace spikecube {

struct LinkRule {
  float a_plus = 0.0f;   // A+ times the link direction's rate factor
  float a_minus = 0.0f;  // A- times the link direction's rate factor
  float w_max = 1.0f;
  bool multiplicative = false;
};

// New weight of one link; call it only when s_pre or s_post is set (a link
// with neither spike does not change). The spikes enter as factors 0 or 1,
// not as branches, so that loops over many links vectorise: with finite,
// non-negative traces and rates this is exactly the rule above (a term
// times 1 is itself, times 0 is 0).
inline float stdp_link(float w, float x_pre, float y_post, bool s_pre, bool s_post, const LinkRule& r) {
  const float pot = r.a_plus * x_pre * (r.multiplicative ? r.w_max - w : 1.0f) * (s_post ? 1.0f : 0.0f);
  const float dep = r.a_minus * y_post * (r.multiplicative ? w : 1.0f) * (s_pre ? 1.0f : 0.0f);
  return std::clamp(w + pot - dep, 0.0f, r.w_max);
}

// Trace update after a step with spike s: all-to-all traces add 1, nearest-
// spike traces reset to 1.
inline float stdp_trace(float trace, bool s, float decay, bool nearest) {
  const float decayed = trace * decay;
  return s ? (nearest ? 1.0f : decayed + 1.0f) : decayed;
}

}  // namespace spikecube
