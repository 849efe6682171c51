#!/usr/bin/env bash
# Make sure the system packages sasaeai needs are present.
# Installs missing ones with apt when running as root; otherwise stops and names them.
#   scripts/system-deps.sh base     python3-venv (to create .venv), a Japanese font and Pango (PDFs)
#   scripts/system-deps.sh test     + Debian's chromium and npm (browser tests), poppler-utils
#                                   (the tests read the PDFs back with pdftotext, pdffonts)
#   scripts/system-deps.sh bench    + wrk (load on the public pages)
set -euo pipefail
need=()
python3 -c "import venv, ensurepip" 2>/dev/null || need+=(python3-venv)
# PDFs (reports, booklets): a Japanese font and WeasyPrint's Pango
fc-list :lang=ja 2>/dev/null | grep -q . || need+=(fonts-ipaexfont fonts-noto-cjk fontconfig)
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ "${1:-base}" = "test" ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
  command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
fi
if [ "${1:-base}" = "bench" ]; then
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "sasaeai: installing system packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "sasaeai: missing system packages: ${need[*]}" >&2
  echo "sasaeai: install them with: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
