#!/usr/bin/env bash
# spikecube set-up on Debian 12: installs what the build needs, builds, then
#   ./setup.sh gui    launches the desktop app on the default experiment
#   ./setup.sh test   runs the whole test suite (what CI runs)
#   ./setup.sh build  only installs and builds
# Idempotent: packages already installed are not fetched again, and the build
# folder is reused.
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-gui}
case $mode in gui|test|build) ;; *) echo "usage: ./setup.sh [gui|test|build]" >&2; exit 2 ;; esac

packages=(
  build-essential cmake ninja-build git pkg-config
  libeigen3-dev libspdlog-dev libtomlplusplus-dev libcli11-dev libhdf5-dev
  libopenmpi-dev openmpi-bin
  libgtest-dev libbenchmark-dev libstb-dev
  qt6-base-dev qt6-3d-dev qt6-charts-dev libqt6opengl6-dev qt6-qpa-plugins
  xvfb xauth libgl1-mesa-dri mesa-utils
  python3 python3-h5py python3-numpy python3-pytest python3-matplotlib pybind11-dev python3-pybind11
  python3-brian  # bench/brian2_cube48.py only: the Brian2 reference of the README's Performance
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp /tmp/spikecube-apt.XXXXXX)
  if ! { $sudo apt-get update -q && $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    tail -20 "$log" >&2
    echo "setup: apt-get failed; full log in $log" >&2
    exit 1
  fi
  echo "setup: packages installed (log: $log)"
fi

jobs=$(nproc)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSPIKECUBE_BUILD_GUI=ON -DSPIKECUBE_BUILD_TESTS=ON \
  -DSPIKECUBE_BUILD_BENCH=ON >/dev/null
cmake --build build -j "$jobs"

case $mode in
  build)
    echo "setup: built build/app/spikecube and build/app/spikecube-cli"
    ;;
  test)
    cd build
    ctest --output-on-failure -j "$jobs" --timeout 900
    ;;
  gui)
    shift || true
    if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} ]]; then
      # no screen: run the default experiment under a virtual X server and
      # leave a screenshot, so the command still shows what the app draws
      echo "setup: no display found; running under Xvfb and saving spikecube-screenshot.png"
      exec xvfb-run -a -s "-screen 0 1600x1000x24" ./build/app/spikecube --steps 2500 \
        --screenshot spikecube-screenshot.png --quit "$@"
    fi
    exec ./build/app/spikecube "$@"
    ;;
esac
