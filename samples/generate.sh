#!/usr/bin/env bash
# Generates the sample calls in samples/calls/ from the dialogue scripts in samples/scripts/:
# stereo 16 kHz WAVs (agent on the left channel, customer on the right; swapped when the script's metadata
# says "agent_channel: right", as some recorders do) spoken by espeak-ng (Mandarin
# voice "cmn", English "en-us" for lines in Latin script), plus for each call NAME.json (call metadata)
# and NAME.transcript.json (the dialogue with its real timings, an imported transcript: no trained
# Whisper model is available here). The audio is generated, not committed. Needs espeak-ng and sox.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/calls}"
for tool in espeak-ng sox soxi; do
  command -v "$tool" >/dev/null || { echo "generate.sh: $tool is missing (run ./setup.sh)" >&2; exit 1; }
done
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
gap=0.6

for script in "$here"/scripts/*.txt; do
  name="$(basename "$script" .txt)"
  [ -f "$out/$name.wav" ] && [ "$out/$name.wav" -nt "$script" ] && continue
  rm -f "$tmp"/*.wav
  meta="{" sep="" body=0 n=0 t=0 segments="" lang="zh" agent_channel=left
  left=() right=()
  sox -n -r 16000 -c 1 -b 16 "$tmp/gap.wav" trim 0 "$gap"
  while IFS= read -r line || [ -n "$line" ]; do
    [ -z "$line" ] && continue
    if [ "$body" = 0 ]; then
      if [ "$line" = "---" ]; then body=1; continue; fi
      key="${line%%:*}" value="${line#*: }"
      # The transcript's language, not metadata: the pipeline finds the call's language from the transcript.
      if [ "$key" = "language" ]; then lang="$value"; continue; fi
      if [ "$key" = "agent_channel" ]; then agent_channel="$value"; fi
      meta+="$sep\"$key\": \"$value\"" sep=", "
      continue
    fi
    n=$((n + 1))
    speaker="${line%%:*}" text="${line#*: }"
    voice=cmn
    if printf '%s' "$text" | grep -q '^[ -~]*$'; then voice=en-us; fi
    espeak-ng -v "$voice" -s 165 -w "$tmp/raw$n.wav" "$text"
    sox -V1 "$tmp/raw$n.wav" -r 16000 -c 1 -b 16 "$tmp/turn$n.wav" gain -n -3
    d="$(soxi -D "$tmp/turn$n.wav")"
    sox -n -r 16000 -c 1 -b 16 "$tmp/quiet$n.wav" trim 0 "$d"
    if [ "$speaker" = "agent" ]; then left+=("$tmp/turn$n.wav"); right+=("$tmp/quiet$n.wav")
    else left+=("$tmp/quiet$n.wav"); right+=("$tmp/turn$n.wav"); fi
    left+=("$tmp/gap.wav"); right+=("$tmp/gap.wav")
    start="$(awk -v t="$t" -v g="$gap" 'BEGIN { printf "%.3f", t + g }')"
    end="$(awk -v s="$start" -v d="$d" 'BEGIN { printf "%.3f", s + d }')"
    t="$end"
    [ -n "$segments" ] && segments+=","
    segments+=$'\n    '"{\"speaker\": \"$speaker\", \"start\": $start, \"end\": $end, \"text\": \"$text\"}"
  done < "$script"
  # Leading gap, so speech starts at the first segment's start time.
  sox "$tmp/gap.wav" "${left[@]}" "$tmp/left.wav"
  sox "$tmp/gap.wav" "${right[@]}" "$tmp/right.wav"
  if [ "$agent_channel" = "right" ]; then
    sox -M "$tmp/right.wav" "$tmp/left.wav" -b 16 "$out/$name.wav"
  else
    sox -M "$tmp/left.wav" "$tmp/right.wav" -b 16 "$out/$name.wav"
  fi
  printf '%s}\n' "$meta" > "$out/$name.json"
  duration="$(soxi -D "$out/$name.wav")"
  printf '{"source": "imported", "language": "%s", "duration_s": %.3f, "segments": [%s\n]}\n' "$lang" "$duration" "$segments" \
    > "$out/$name.transcript.json"
  echo "generate.sh: $out/$name.wav (${duration%.*} s)" >&2
done
