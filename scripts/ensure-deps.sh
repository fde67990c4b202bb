#!/bin/bash
# Installs the system packages Verbatim needs when they are missing (Debian/Ubuntu, apt-get).
# Usage: scripts/ensure-deps.sh [build|test]   (test also brings the test oracles' tools)
set -euo pipefail
need=()
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
if ! pkg-config --exists icu-uc icu-i18n 2>/dev/null; then need+=(libicu-dev); fi
if [ "${1:-build}" = test ]; then
  command -v python3 >/dev/null 2>&1 || need+=(python3)
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
  command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)   # XSD validation of .qdc/.qdpx
  command -v rsvg-convert >/dev/null 2>&1 || need+=(librsvg2-bin)   # Tests/scripts/graph_svg.sh renders the SVG
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "ensure-deps: installing ${need[*]}" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
