#!/usr/bin/env bash
# The real-GPU benchmark on a machine with Vulkan but no Node and no package registry: unpacks
# the carry (bench/device/pack.mjs builds it here: Node, Dawn, Debian's Vulkan loader, the
# bundled bench), points the loader at the NVIDIA driver if it does not find one, and runs
# bench/device/bench.ts, which prints one JSON line on stdout (progress on stderr). Flags go to
# the bench, e.g. --populations 1,16 --widths 32 --deadline-s 120 (see bench/README.md).
#   bash bench/device/run.sh [flags]
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
carry="$repo/bench/device/carry"
for f in bench.mjs node.xz dawn.node.xz vulkan; do
  [ -e "$carry/$f" ] || { echo "bench/device/carry/$f is missing: run node bench/device/pack.mjs where npm works" >&2; exit 2; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
unxz() { # xz, or Python's lzma where xz is not installed
  if command -v xz >/dev/null; then xz -dc "$1" >"$2"; else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],"wb"))' "$1" "$2"; fi
}
unxz "$carry/node.xz" "$work/node"
chmod +x "$work/node"
# The bundle loads Dawn from dist/linux-x64/ beside itself, as the npm package does.
mkdir -p "$work/dist/linux-x64"
unxz "$carry/dawn.node.xz" "$work/dist/linux-x64/dawn.node"
cp "$carry/bench.mjs" "$work/"
# The machine's Vulkan loader, else Debian's from the carry.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  export LD_LIBRARY_PATH="$carry/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
# NVIDIA's ICD where containers mount the driver, when nothing names a driver already.
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia_icd" ] &&
  ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
  export VK_DRIVER_FILES="$nvidia_icd"
fi
"$work/node" "$work/bench.mjs" --repo "$repo" "$@"
