#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, then builds and runs a tiny
# outside program against it twice: with find_package(civicast) and with
# pkg-config.  Then the Python package, as docs/PYTHON.md tells a Debian
# user: into a virtual environment made with the system interpreter and
# --system-site-packages (numpy, pandas from Debian), `pip install
# --no-build-isolation --no-index ./python-bindings` (offline), and
# `import civicast` with no environment variable at all:
#   a. the C library installed into the venv's own prefix (found there);
#   b. the C library in another prefix, found through pkg-config when pip
#      installs (PKG_CONFIG_PATH at install time only) and recorded.
# Usage: run.sh BUILD_DIR CONSUMER_SOURCE_DIR [SOURCE_ROOT]
set -euo pipefail
build=$1 src=$2
root=${3:-$(cd "$src/../.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cmake -S "$src" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/consumer/consumer"
PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig" cc -o "$tmp/consumer_pc" "$src/consumer.c" \
  $(PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig" pkg-config --cflags --libs civicast)
LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/consumer_pc"
test -x "$tmp/prefix/bin/civicast"
# the command finds libcivicast.so through its RPATH ($ORIGIN/../lib), with no LD_LIBRARY_PATH
env -u LD_LIBRARY_PATH "$tmp/prefix/bin/civicast" --version
env -u LD_LIBRARY_PATH "$tmp/prefix/bin/civicast" forecast --list-models | grep -q ets

# ---- Python ---------------------------------------------------------------
if ! /usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null; then
  echo "install test: python3-venv is missing (.ci/install-deps.sh test installs it)" >&2
  exit 1
fi
# pip builds in place: install from a copy so the source tree stays clean (with
# engine/include beside it: the package's version is read from civicast.h)
mkdir -p "$tmp/src/engine"
cp -r "$root/engine/include" "$tmp/src/engine/"
cp -r "$root/python-bindings" "$tmp/src/python-bindings"
ln -s "$tmp/src/python-bindings" "$tmp/pkg"
rm -rf "$tmp/pkg/build" "$tmp/pkg"/*.egg-info "$tmp/pkg/civicast/libcivicast.so"* "$tmp/pkg/civicast/_install.py"
check_import() { # venv expected-library-prefix
  # a clean environment: no CIV_LIBRARY, PYTHONPATH, LD_LIBRARY_PATH or PKG_CONFIG_PATH
  (cd "$tmp" && env -i PATH=/usr/bin:/bin HOME="$tmp" "$1/bin/python" - "$2" <<'PYEOF')
import sys, os
import civicast
want = os.path.realpath(sys.argv[1])
assert os.path.realpath(civicast.library_path).startswith(want + os.sep), (civicast.library_path, want)
assert civicast.__file__.startswith(sys.prefix), civicast.__file__   # the installed copy, not the source tree
import pandas as pd
df = pd.DataFrame({"unique_id": ["a"] * 24, "ds": [f"20{20 + m // 12}-{m % 12 + 1:02d}" for m in range(24)],
                   "y": [float(10 + m % 12) for m in range(24)]})
fc = civicast.forecast(df, h=3, model="snaive")
assert list(fc["mean"]) == [10.0, 11.0, 12.0], fc
print("import civicast ok:", civicast.library_path)
PYEOF
}
pip_install() { # venv [env...]
  local venv=$1; shift
  env "$@" "$venv/bin/python" -m pip install -q --no-build-isolation --no-index --disable-pip-version-check \
    "$tmp/pkg" >"$tmp/pip.log" 2>&1 || { cat "$tmp/pip.log" >&2; exit 1; }
}
# a. the C library installed into the virtual environment itself
/usr/bin/python3 -m venv --system-site-packages "$tmp/venv_a"
cmake --install "$build" --prefix "$tmp/venv_a" >/dev/null
pip_install "$tmp/venv_a" -u CIV_LIBRARY -u PKG_CONFIG_PATH -u PYTHONPATH
check_import "$tmp/venv_a" "$tmp/venv_a"
# b. the C library in its own prefix, found through pkg-config at pip install
/usr/bin/python3 -m venv --system-site-packages "$tmp/venv_b"
pip_install "$tmp/venv_b" -u CIV_LIBRARY -u PYTHONPATH PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
check_import "$tmp/venv_b" "$tmp/prefix"
