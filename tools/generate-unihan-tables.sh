#!/usr/bin/env bash
# Regenerates the scoring core's Chinese tables from the Unicode Unihan database (Debian package
# `unicode-data`, Unicode licence): toneless pinyin per character (kMandarin) and the
# traditional-to-simplified map (kSimplifiedVariant). Output is committed; rerun after a Unicode update.
#   apt-get install unicode-data && tools/generate-unihan-tables.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
unihan="${UNIHAN_DIR:-/usr/share/unicode}"
out="$root/src/QaPipeline.Scoring/TextNormalization/Data"
mkdir -p "$out"
version="$(bzcat "$unihan/Unihan_Readings.txt.bz2" | sed -n 's/^# Unicode version: //p' | head -1)"

# kMandarin gives the most customary reading first; tones are dropped (ASR homophones differ in tone
# far more often than in syllable) and ü is written v, as pinyin input methods do.
{
  echo "# codepoint<TAB>toneless pinyin, from Unihan kMandarin (Unicode $version)"
  bzcat "$unihan/Unihan_Readings.txt.bz2" | awk -F'\t' '$1 ~ /^U\+/ && $2=="kMandarin" { split($3, r, " "); print substr($1,3) "\t" r[1] }' |
    sed -e 'y/āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ/aaaaeeeeiiiioooouuuuvvvvvnnnm/' -e 's/ḿ/m/g'
} > "$out/pinyin.tsv"

# Where a traditional character maps to several simplified ones or to itself as well (e.g. 乾 keeps
# 乾 in 乾隆), leave it alone: a wrong conversion would hide a real phrase.
{
  echo "# traditional codepoint<TAB>simplified codepoint, from Unihan kSimplifiedVariant (Unicode $version)"
  bzcat "$unihan/Unihan_Variants.txt.bz2" | awk -F'\t' '$1 ~ /^U\+/ && $2=="kSimplifiedVariant" {
      n = split($3, v, " "); self = 0
      for (i = 1; i <= n; i++) if (v[i] == $1) self = 1
      if (!self && n == 1) print substr($1,3) "\t" substr(v[1],3) }'
} > "$out/traditional-to-simplified.tsv"
wc -l "$out"/*.tsv >&2
