#!/usr/bin/env bash
# Builds whisper.cpp as a shared library (libwhisper.so + ggml) and whisper-cli from a pinned, verified
# source tarball, into a cache folder keyed by version, so that reruns are instant.
#
#   native/build-whisper.sh            # build once, then print the cache folder
#   GGML_CUDA=ON native/build-whisper.sh   # GPU machines: adds the CUDA backend (needs the CUDA toolkit)
#
# Environment:
#   QA_NATIVE_CACHE            cache root (default ~/.cache/qapipeline); output in $QA_NATIVE_CACHE/whisper-1.9.1/
#   GGML_CUDA=ON               also build ggml's CUDA backend (off by default)
#   QA_WHISPER_CPU_VARIANTS    which CPU kernels to build, as ggml names them (default below), or "all" for
#                              every variant ggml knows; ggml picks the best one the running CPU supports.
#   QA_WHISPER_JOBS            parallel compile jobs (default: number of cores)
#
# Why this shape:
# - The source comes from the npm registry (nodejs-whisper@0.3.1 vendors whisper.cpp 1.9.1 under
#   package/cpp/whisper.cpp), the one source of whisper.cpp reachable from these machines. We check the
#   tarball against the sha512 the registry published for it before building anything from it.
# - Portable x86-64: GGML_NATIVE=OFF (no -march=native). Instead of one lowest-common-denominator build we
#   use ggml's runtime dispatch (GGML_BACKEND_DL): each CPU variant is its own libggml-cpu-<name>.so and
#   ggml loads the best one the CPU in front of it supports. Upstream's full list is 14 x86 variants, far
#   too slow to compile on a 2-core CI machine, so by default we build four that cover real servers:
#   x64 (any x86-64), sse42, haswell (AVX2/FMA/F16C, nearly every server since 2013) and
#   skylakex (AVX-512). Set QA_WHISPER_CPU_VARIANTS=all for upstream's list.
# - Never committed: sources and binaries live only in the cache folder.
set -euo pipefail

version=1.9.1
npm_package=nodejs-whisper@0.3.1
# `npm view nodejs-whisper@0.3.1 dist.integrity`
integrity=sha512-ceoilUVraRuR5FnNyXpGQT2auAR48Oc3AQBEmkXnVpSn9iN6yVRzQBFCqVTGWbk6Wdi95NhvwXNzFvuR7erLWw==

cuda="${GGML_CUDA:-OFF}"
variants="${QA_WHISPER_CPU_VARIANTS:-x64 sse42 haswell skylakex}"
jobs="${QA_WHISPER_JOBS:-$(nproc)}"
cache_root="${QA_NATIVE_CACHE:-$HOME/.cache/qapipeline}"
out="$cache_root/whisper-$version"
config="whisper=$version package=$npm_package cuda=$cuda cpu_variants=$variants"

log() { echo "build-whisper: $*" >&2; }

mkdir -p "$cache_root"
# Tests and setup.sh may call this at the same time: one builder, the others wait and then reuse.
exec 9>"$cache_root/.whisper-$version.lock"
flock 9

if [ -f "$out/build.stamp" ] && [ "$(cat "$out/build.stamp")" = "$config" ] \
   && [ -e "$out/lib/libwhisper.so" ] && [ -x "$out/bin/whisper-cli" ]; then
  log "cached: $out"
  echo "$out"
  exit 0
fi

for tool in npm cmake c++ tar flock; do
  command -v "$tool" >/dev/null || { log "error: '$tool' is required (setup.sh installs it)"; exit 1; }
done

work="$(mktemp -d "$cache_root/whisper-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
started=$SECONDS

log "fetching $npm_package"
(cd "$work" && npm pack "$npm_package" --silent >/dev/null 2>"$work/npm.log") \
  || { cat "$work/npm.log" >&2; log "error: npm pack $npm_package failed"; exit 1; }
tarball="$(ls "$work"/nodejs-whisper-*.tgz)"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$integrity" ]; then
  log "error: $tarball integrity mismatch"
  log "  expected $integrity"
  log "  actual   $actual"
  exit 1
fi
log "integrity verified ($integrity)"

tar -xzf "$tarball" -C "$work" package/cpp/whisper.cpp
src="$work/package/cpp/whisper.cpp"
grep -q "project(\"whisper.cpp\" VERSION $version)" "$src/CMakeLists.txt" \
  || { log "error: tarball does not hold whisper.cpp $version"; exit 1; }

if [ "$variants" != "all" ]; then
  # Keep only the chosen ggml_add_cpu_backend_variant(...) lines of the x86 list (see the header comment).
  keep="$(echo "$variants" | tr ' ' '|')"
  sed -i -E "/ggml_add_cpu_backend_variant\((x64|sse42|sandybridge|ivybridge|piledriver|haswell|skylakex|cannonlake|cascadelake|icelake|cooperlake|zen4|alderlake|sapphirerapids)[ )]/{/ggml_add_cpu_backend_variant\(($keep)[ )]/!d}" \
    "$src/ggml/src/CMakeLists.txt"
fi

log "configuring ($config)"
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=ON \
  -DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON \
  -DGGML_CUDA="$cuda" -DGGML_OPENMP=OFF \
  -DWHISPER_BUILD_TESTS=OFF -DWHISPER_BUILD_SERVER=OFF -DWHISPER_BUILD_EXAMPLES=ON \
  -DWHISPER_SDL2=OFF -DWHISPER_CURL=OFF \
  -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON -DCMAKE_INSTALL_RPATH='$ORIGIN' \
  >"$work/configure.log" 2>&1 || { tail -40 "$work/configure.log" >&2; log "error: cmake configure failed"; exit 1; }

log "compiling with $jobs jobs (a few minutes on 2 cores)"
cmake --build "$work/build" --config Release -j "$jobs" --target whisper whisper-cli \
  >"$work/build.log" 2>&1 || { tail -60 "$work/build.log" >&2; log "error: build failed"; exit 1; }

# One flat folder per kind: bin/ holds whisper-cli (which loads the ggml CPU variants from its own folder),
# lib/ holds the libraries the .NET binding loads (it passes lib/ to ggml_backend_load_all_from_path).
rm -rf "$out"
mkdir -p "$out/bin" "$out/lib" "$out/include"
cp -a "$work/build/bin/"lib*.so* "$out/lib/"
cp -a "$work/build/bin/"lib*.so* "$out/bin/"
cp -a "$work/build/bin/whisper-cli" "$out/bin/"
cp "$src/include/whisper.h" "$src/ggml/include/"*.h "$out/include/"
cp "$src/LICENSE" "$out/LICENSE.whisper.cpp"
# Keep the link names the loader needs even where the build wrote only versioned files.
[ -e "$out/lib/libwhisper.so" ] || ln -s "$(basename "$(ls "$out/lib"/libwhisper.so.* | head -1)")" "$out/lib/libwhisper.so"
echo "$config" >"$out/build.stamp"
log "built in $((SECONDS - started)) s: $out"
echo "$out"
