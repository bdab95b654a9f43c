#!/usr/bin/env bash
# Fetches the web app's front-end libraries from the npm registry at a pinned version and checks each
# tarball against its pinned integrity (the registry's sha512) before copying the one file we serve.
# Run by the build when wwwroot/vendor is missing; the output is git-ignored.
set -euo pipefail
out="${1:-$(dirname "$0")/wwwroot/vendor/}"
registry="${NPM_REGISTRY:-$(npm config get registry 2>/dev/null || echo https://registry.npmjs.org/)}"
registry="${registry%/}"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# name version integrity file-in-package target-name
fetch() {
  local name="$1" version="$2" integrity="$3" file="$4" target="$5"
  local tgz="$tmp/$name-$version.tgz"
  curl -fsSL --retry 3 -o "$tgz" "$registry/$name/-/$name-$version.tgz"
  local actual="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [ "$actual" != "$integrity" ]; then
    echo "fetch-vendor: $name@$version integrity mismatch: expected $integrity, got $actual" >&2
    exit 1
  fi
  tar -xzf "$tgz" -C "$tmp" "package/$file"
  cp "$tmp/package/$file" "$out/$target"
  echo "fetch-vendor: $name@$version -> $out$target" >&2
}

# wavesurfer.js: the waveform player of the call page (BSD-3-Clause).
fetch wavesurfer.js 7.9.9 "sha512-8O/zu+RC7yjikxiuhsXzRZ8vvjV+Qq4PUKZBQsLLcq6fqbrSF3Vh99l7fT8zeEjKjDBNH2Qxsxq5mRJIuBmM3Q==" \
  dist/wavesurfer.min.js wavesurfer.min.js
