#!/usr/bin/env bash
# Builds llama.cpp's `llama-server` from the llama.cpp source that the npm package node-llama-cpp
# ships (a git bundle in llama/gitRelease.bundle), and caches the binary OUTSIDE the clone so later
# runs reuse it. Prints the binary's path on the last line of stdout.
#
#   IBTPO_LLAMA_CACHE   cache folder (default ~/.cache/ibtpo/llama-server)
#   NODE_LLAMA_CPP_VERSION  npm version of node-llama-cpp to take the source from (default below)
#   IBTPO_LLAMA_JOBS    parallel compile jobs (default: nproc)
#
# About 13 minutes on 2 cores. Needs cmake, a C++ compiler, git and npm.
set -euo pipefail

version="${NODE_LLAMA_CPP_VERSION:-3.22.1}"
cache="${IBTPO_LLAMA_CACHE:-$HOME/.cache/ibtpo/llama-server}"
jobs="${IBTPO_LLAMA_JOBS:-$(nproc)}"
prefix="$cache/node-llama-cpp-$version"
binary="$prefix/bin/llama-server"

if [ -x "$binary" ] && "$binary" --version >/dev/null 2>&1; then
  echo "$binary"
  exit 0
fi

for tool in cmake c++ git npm tar; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build-llama-server: '$tool' is not installed; it is needed to build llama-server" >&2
    exit 2
  fi
done

work="$prefix/work"
rm -rf "$work"
mkdir -p "$work"
(cd "$work" && npm pack --silent "node-llama-cpp@$version" >/dev/null)
tar -xzf "$work/node-llama-cpp-$version.tgz" -C "$work" package/llama/gitRelease.bundle package/llama/llama.cpp.info.json
git -c advice.detachedHead=false clone --quiet "$work/package/llama/gitRelease.bundle" "$work/llama.cpp"
echo "build-llama-server: llama.cpp $(git -C "$work/llama.cpp" rev-parse HEAD) from node-llama-cpp@$version" >&2

cmake -S "$work/llama.cpp" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
  -DGGML_NATIVE=OFF -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_BUILD_SERVER=ON -DBUILD_SHARED_LIBS=OFF >"$work/cmake-configure.log" 2>&1 ||
  { tail -30 "$work/cmake-configure.log" >&2; exit 3; }
cmake --build "$work/build" --target llama-server -j "$jobs" >"$work/cmake-build.log" 2>&1 ||
  { tail -40 "$work/cmake-build.log" >&2; exit 3; }

mkdir -p "$prefix/bin.tmp"
cp "$work/build/bin/llama-server" "$prefix/bin.tmp/llama-server"
git -C "$work/llama.cpp" rev-parse HEAD >"$prefix/bin.tmp/llama.cpp.commit"
rm -rf "$prefix/bin"
mv "$prefix/bin.tmp" "$prefix/bin"
rm -rf "$work"
echo "$binary"
