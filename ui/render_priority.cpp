#include "ui/render_priority.hpp"

#include <QtGlobal>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace spikecube::ui {

void lower_render_priority() {
#ifdef __linux__
  const int nice_step =
      qEnvironmentVariableIsSet("SPIKECUBE_RENDER_NICE") ? qEnvironmentVariableIntValue("SPIKECUBE_RENDER_NICE") : 5;
  // per thread (the tid, not the process): the simulation thread keeps its priority
  if (nice_step > 0) setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), nice_step);
#endif
}

}  // namespace spikecube::ui
