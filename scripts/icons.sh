#!/usr/bin/env bash
# Regenerates the PNG icon set from icons/icon.svg (the one drawn source).
set -euo pipefail
cd "$(dirname "$0")/../icons"
for s in 32 128; do rsvg-convert -w $s -h $s icon.svg -o ${s}x${s}.png; done
rsvg-convert -w 256 -h 256 icon.svg -o 128x128@2x.png
rsvg-convert -w 512 -h 512 icon.svg -o icon.png
cp icon.svg ../ui/public/icon.svg
# macOS and Windows bundle icons, made by the Tauri CLI from the same SVG.
tmp=$(mktemp -d)
(cd ../ui && npx tauri icon ../icons/icon.svg -o "$tmp" >/dev/null)
cp "$tmp/icon.icns" "$tmp/icon.ico" .
rm -rf "$tmp"
