#!/usr/bin/env bash
# Renders the sample incident as HTML and screenshots it in headless Chromium
# (Debian's package) at desktop and phone widths, and prints it to PDF, so a
# person can look at what the HTML report shows. Not part of .ci/run (it needs
# a browser); run it after changing the HTML renderer.
#   usage: .ci/screenshot-report.sh [outdir]   (default /tmp/triage-screens)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/triage-screens}
mkdir -p "$out"
command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
swift build -c release --product triage >/dev/null
.build/release/triage --format html -o "$out/report.html" --deploys SampleLogs/deploys.txt SampleLogs/nginx/access.log* --app-log SampleLogs/app/production.log --app-log SampleLogs/app/payments.log.gz
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="$out/desktop.png" --window-size=1280,4200 "file://$out/report.html" 2>/dev/null
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="$out/phone.png" --window-size=420,6000 "file://$out/report.html" 2>/dev/null
chromium --headless --no-sandbox --disable-gpu --print-to-pdf="$out/report.pdf" "file://$out/report.html" 2>/dev/null
grep -q '<script' "$out/report.html" && { echo "report.html contains a script tag" >&2; exit 1; }
grep -Eq '(src|href)="https?:' "$out/report.html" && { echo "report.html references the network" >&2; exit 1; }
echo "wrote $out/desktop.png $out/phone.png $out/report.pdf"
