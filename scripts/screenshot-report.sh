#!/bin/bash
# Opens a Verbatim HTML report in headless Chromium, as a person would, and saves what it shows:
# a full-width screenshot (PNG) and the printed version (PDF, A4, as the print CSS lays it out).
#
# Usage: scripts/screenshot-report.sh REPORT_DIR OUT.png [HEIGHT]
#   REPORT_DIR  a folder holding index.html (what `verbatim analyze --out` writes)
#   OUT.png     the screenshot; the PDF goes next to it as OUT.pdf
#   HEIGHT      window height in pixels (default 4000; the page is cut there)
# Also: REPORT_PAGE=index.en.html picks another page of the folder.
#
# The report of the shipped corpus:
#   make analyze && scripts/screenshot-report.sh verbatim-report /tmp/report.png 16000
#
# Chromium comes from Debian (`apt-get install -y chromium`); it is installed when missing.
# No network is needed: the page is self-contained, and Chromium runs with networking off.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 REPORT_DIR OUT.png [HEIGHT]" >&2
  exit 64
fi
dir=$(cd "$1" && pwd)
page="$dir/${REPORT_PAGE:-index.html}"
out=$2
height=${3:-4000}
[ -f "$page" ] || { echo "screenshot-report: $page not found (expected the report's index.html)" >&2; exit 1; }
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
pdf="${out%.png}.pdf"

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "screenshot-report: installing chromium (Debian)" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >&2
  browser=$(command -v chromium)
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# --no-sandbox: we may run as root in a container. The proxy settings make any network request
# fail, so a page that needed the network would show it.
common=(--headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile"
  --proxy-server="http://127.0.0.1:9" --proxy-bypass-list="<-loopback>" --no-first-run
  --disable-extensions --lang="${REPORT_LANG:-fr-FR}")

"$browser" "${common[@]}" --window-size="1280,$height" --screenshot="$out" "file://$page" 2>"$profile/shot.log" || {
  cat "$profile/shot.log" >&2; exit 1; }
"$browser" "${common[@]}" --print-to-pdf="$pdf" --no-pdf-header-footer "file://$page" 2>"$profile/pdf.log" || {
  cat "$profile/pdf.log" >&2; exit 1; }
[ -s "$out" ] && [ -s "$pdf" ] || { echo "screenshot-report: chromium wrote nothing" >&2; exit 1; }
echo "screenshot: $out"
echo "pdf: $pdf"
if command -v pdfinfo >/dev/null 2>&1; then pdfinfo "$pdf" | grep -E '^Pages|^Page size' || true; fi
