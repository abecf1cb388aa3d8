#!/usr/bin/env bash
# Installs the Debian 12 packages civicast needs to build, test and benchmark.
# Idempotent and quick when everything is present (no apt call at all then).
# Usage: install-deps.sh [build|test|bench]   (default: test)
set -euo pipefail
what=${1:-test}
pkgs=(cmake make gcc pkg-config libgsl-dev libopenblas-dev libhdf5-dev nettle-dev)
pkgs+=(libxlsxwriter-dev)  # writes .xlsx workbooks (engine/src/io/xlsx_write.c)
pkgs+=(libminizip-dev libexpat1-dev)  # reading .xlsx workbooks (engine/src/io/xlsx_read.c)
case "$what" in
  build) ;;
  test) pkgs+=(python3-openpyxl)  # tests/python/test_xlsx_write.py reads the outputs back; tests/data/xlsx/make_fixtures.py
        pkgs+=(python3-tables)  # pandas' DataFrame.to_hdf, for the foreign-file test of tests/python/test_hdf5_h5py.py
        pkgs+=(locales)  # localedef's sources: the host-locale tests compile de_DE and tr_TR (tests/CMakeLists.txt)
        pkgs+=(libcmocka-dev valgrind clang libclang-rt-14-dev python3-numpy python3-pandas python3-h5py
               python3-pytest python3-distributed python3-matplotlib chromium fonts-noto-cjk python3-websocket
               python3-venv python3-pip python3-setuptools python3-wheel) ;;  # the last four: tests/install (pip, offline)
  bench) pkgs+=(libcmocka-dev python3-numpy python3-pandas python3-h5py python3-distributed r-cran-forecast time) ;;
  *) echo "install-deps.sh: unknown set '$what' (build|test|bench)" >&2; exit 1 ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps.sh: need root to install: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
