#!/usr/bin/env bash
# Installs what QaPipeline needs beyond the .NET SDK on a fresh Debian machine, then builds it.
# Idempotent: each step is skipped when its result is already there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

# Debian packages: ffmpeg (decoding), sox + espeak-ng (test calls), unicode-data (Unihan, for
# regenerating the pinyin table), postgresql (the real server the integration tests run against),
# chromium + fonts-wqy-microhei (browser tests and their screenshots of the Chinese UI), curl + openssl (the web app's
# pinned front-end library, fetched and checked by src/QaPipeline.Web/fetch-vendor.sh). Nothing is compiled
# here: whisper.cpp comes prebuilt in the Whisper.net.Runtime NuGet package, restored by the build below.
apt_packages=(ffmpeg sox libsox-fmt-all espeak-ng unicode-data postgresql chromium fonts-wqy-microhei curl ca-certificates openssl)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# Silero VAD for `qa analyze`: linked from the shared model folder when it is there (never committed;
# elsewhere download it as docs/audio.md says, or point QA_VAD_MODEL at it).
if [ ! -e models/silero_vad.onnx ]; then
  for shared in ../shared ../../shared; do
    if [ -f "$shared/models/silero_vad.onnx" ]; then
      mkdir -p models && ln -sf "$(cd "$shared/models" && pwd)/silero_vad.onnx" models/silero_vad.onnx
      break
    fi
  done
fi

# Whisper test models (weightless, for tests and benchmarks): linked from ../shared/models, else fetched.
# Real models are a separate, deliberate download (models/README.md).
if [ -x models/download ]; then
  models/download for-tests >/dev/null || echo "setup: warning: test models unavailable (models/download for-tests)" >&2
fi

dotnet build QaPipeline.sln -c Release -nologo -v quiet -clp:"ErrorsOnly;NoSummary" >&2
echo "setup: done" >&2
