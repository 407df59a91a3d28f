#!/usr/bin/env bash
# Redraws the report screenshots in docs/ (docs/report.md): for each example below, the narrative
# (DiagnosticReport.text.div) that `fhirmmn classify` writes, as an HTML page (docs/report-NAME.html, committed;
# ReportScreenshotTests holds it to what the builder makes now) and as a PNG rendered by Debian's headless Chromium
# (docs/report-NAME.png). Needs dotnet, node and chromium (apt-get install -y chromium); no network.
#   docs/render-reports.sh            redraw all
#   CHROMIUM=/path/to/chromium docs/render-reports.sh
set -euo pipefail
cd "$(dirname "$0")/.."

examples=(example-definite-gradual-span example-definite-segmental-snap example-insufficient-supportive-not-done)
chromium=${CHROMIUM:-/usr/bin/chromium}
width=1200

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet build src/FhirMmn.Cli -o "$work/cli" -nologo -v quiet >/dev/null

# The flags of a headless Chromium on a closed network: no first-run, sync, update or background traffic, a fresh profile.
browse() {
  "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --force-device-scale-factor=1 \
    --user-data-dir="$work/profile-$RANDOM" "$@" 2>/dev/null
}

for name in "${examples[@]}"; do
  dotnet "$work/cli/fhirmmn.dll" classify "examples/$name.json" >"$work/$name.transaction.json"
  page="docs/report-${name#example-}.html"
  # The page is a stand-in for an EHR's: a plain sans-serif body around the div, exactly as written.
  node - "$work/$name.transaction.json" "$name" >"$page" <<'JS'
const fs = require('fs');
const [file, name] = process.argv.slice(2);
const bundle = JSON.parse(fs.readFileSync(file, 'utf8'));
const report = bundle.entry.map((e) => e.resource).find((r) => r.resourceType === 'DiagnosticReport');
process.stdout.write(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>FhirMmn report narrative: ${name}</title>
<style>body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 13px; margin: 16px; max-width: 1150px; color: #111111; }</style>
</head>
<body>
${report.text.div}
</body>
</html>
`);
JS
  # Chromium's --screenshot takes the window, not the page: measure the page's height first, at the same width.
  sed 's|</body>|<script>document.body.setAttribute("data-height", document.documentElement.scrollHeight)</script></body>|' "$page" >"$work/measure.html"
  height=$(browse --window-size="$width,800" --dump-dom "file://$work/measure.html" | sed -n 's/.*data-height="\([0-9]*\)".*/\1/p' | head -n 1)
  [[ -n "$height" ]] || { echo "could not measure $page" >&2; exit 1; }
  browse --window-size="$width,$height" --screenshot="$PWD/docs/report-${name#example-}.png" "file://$PWD/$page" >/dev/null
  echo "docs/report-${name#example-}.png ($width x $height)"
done
