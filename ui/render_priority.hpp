#pragma once
// Lowers the scheduling priority of the calling thread (Linux; a no-op
// elsewhere). Called on the GUI thread once the simulation thread exists:
// every thread started afterwards from the GUI thread (Qt3D's aspect
// threads, Mesa's raster threads) inherits the lower priority, so on a busy
// machine drawing yields to stepping. The environment variable
// SPIKECUBE_RENDER_NICE sets the nice increment (default 5; 0 = the
// simulation's priority).

namespace spikecube::ui {

void lower_render_priority();

}  // namespace spikecube::ui
