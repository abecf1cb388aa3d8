#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, then builds and runs a tiny
# outside program against it twice: with find_package(civicast) and with
# pkg-config.  Usage: run.sh BUILD_DIR CONSUMER_SOURCE_DIR
set -euo pipefail
build=$1 src=$2
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
