#!/usr/bin/env bash
# Installs the Debian packages heed needs (only those missing) and builds it into build/.
# Usage: scripts/setup.sh [BUILD_DIR [MESON_OPTIONS...]]   (as root, or with sudo available)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  g++ meson ninja-build pkg-config cmake python3    # toolchain
  libfmt-dev doctest-dev libcli11-dev                # core, tests, tools
  libpng-dev                                         # heed-train: attention pictures (--png)
  nlohmann-json3-dev zlib1g-dev                      # checkpoints (JSON header), gzipped IDX files
  libstb-dev                                         # vit on an image folder: PNG and JPEG decoding
  fortunes dataset-fashion-mnist                     # default corpora of the text and fashion-mnist tasks
  libdnnl-dev                                        # CPU backend
  libvulkan-dev glslang-tools spirv-tools            # Vulkan backend and its shader checks
  mesa-vulkan-drivers vulkan-validationlayers        # lavapipe (Vulkan on the CPU) and the validation layer
  openmpi-bin libopenmpi-dev                         # data-parallel training under mpirun (the MPI module)
)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  as_root=()
  [ "$(id -u)" = 0 ] || as_root=(sudo)
  "${as_root[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

build=${1:-build}
shift || true
# Both backends and the MPI module are required here: the packages above provide them, so a missing
# one is an error to see now, not a module that quietly is not there.
[ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=release -Dcpu=enabled -Dvulkan=enabled -Dmpi=enabled "$@"
ninja -C "$build"
