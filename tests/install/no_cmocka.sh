#!/usr/bin/env bash
# A fresh machine (issue 12): `make demo` installs only the build packages
# (.ci/install-deps.sh build), so its configure step must not need cmocka.
# This hides cmocka from pkg-config with a wrapper on PATH, then configures
# the demo's release preset into a temporary folder the way `make demo` and
# README's `cmake --preset release` do, and checks that
#   - the configure succeeds and says the unit tests are skipped;
#   - the targets `make demo` builds (civicast_cli civicast) exist;
#   - the build packages of install-deps.sh cover every find_package() of the
#     top CMakeLists.txt (the demo needs nothing from the "test" set).
# Usage: no_cmocka.sh SOURCE_DIR
set -euo pipefail
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
real=$(command -v pkg-config)
cat > "$tmp/bin/pkg-config" <<WRAP
#!/bin/sh
for a in "\$@"; do case "\$a" in cmocka*) exit 1 ;; esac; done
exec "$real" "\$@"
WRAP
chmod +x "$tmp/bin/pkg-config"
# the wrapper really hides cmocka (else the check below proves nothing)
if PATH="$tmp/bin:$PATH" pkg-config --exists cmocka; then
  echo "no_cmocka: the wrapper failed to hide cmocka" >&2; exit 1
fi
log=$tmp/configure.log
if ! (cd "$src" && PATH="$tmp/bin:$PATH" cmake --preset release -B "$tmp/build" >"$log" 2>&1); then
  cat "$log" >&2
  echo "no_cmocka: configuring the release preset without cmocka failed (make demo on a fresh machine)" >&2
  exit 1
fi
grep -q "cmocka not found: the unit tests" "$log" || { cat "$log" >&2; echo "no_cmocka: no notice about skipped unit tests" >&2; exit 1; }
targets=$(cmake --build "$tmp/build" --target help)
for t in civicast_cli civicast; do
  grep -q "\.\.\. $t\$" <<<"$targets" || { echo "no_cmocka: target $t missing without cmocka" >&2; exit 1; }
done
grep -q "test_csv" <<<"$targets" && { echo "no_cmocka: a cmocka unit test is configured without cmocka" >&2; exit 1; }
# make demo's steps: only the build package set, then the release preset.
recipe=$(make -n -C "$src" demo DEMO_OUT="$tmp/out" 2>/dev/null | grep -v '^make')
grep -q "install-deps.sh build" <<<"$recipe" || { echo "no_cmocka: make demo does not use the build package set" >&2; exit 1; }
# the build set: the top-level pkgs=(...) and pkgs+=(...) lines (a trailing comment allowed)
build_set=$(sed -n 's/^pkgs+\{0,1\}=(\([^)]*\)).*$/\1/p' "$src/.ci/install-deps.sh")
for need in libgsl-dev libopenblas-dev libhdf5-dev nettle-dev libminizip-dev libexpat1-dev pkg-config cmake gcc \
            make; do
  grep -qw -- "$need" <<<"$build_set" || { echo "no_cmocka: install-deps.sh build lacks $need" >&2; exit 1; }
done
echo "no_cmocka: the demo build configures without cmocka"
