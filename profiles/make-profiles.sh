#!/usr/bin/env bash
# Rebuild the CMYK output profiles of the print edition from freely licensed
# characterisation data. Needs Debian's `icc-profiles-free` (the FOGRA .ti3
# measurement files, Zlib licence) and `argyll` (colprof).
#   apt-get install icc-profiles-free argyll && profiles/make-profiles.sh
# `-ql` keeps each profile near 150 KB: it is embedded in every print file.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for condition in 39:coated 29:uncoated; do
  number=${condition%%:*}
  paper=${condition#*:}
  cp "/usr/share/color/icc/FOGRA${number}L.ti3" "$work/"
  colprof -ql \
    -D "FOGRA${number}L: offset, ${paper} paper (ISO 12647-2), cyberbullying print kit" \
    -C "Characterization data FOGRA${number}L (Kai-Uwe Behrmann, Zlib licence); profile made with ArgyllCMS colprof" \
    "$work/FOGRA${number}L" >/dev/null
  cp "$work/FOGRA${number}L.icc" .
done
