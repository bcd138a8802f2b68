#!/usr/bin/env bash
# Installs timelined, timelinectl, timeline-audit and timeline-relay into
# $DESTDIR$PREFIX/bin (PREFIX defaults to /usr/local), and the bash, zsh and fish
# completions of timelinectl and timeline-audit into the usual places under the prefix:
#   share/bash-completion/completions/NAME
#   share/zsh/site-functions/_NAME
#   share/fish/vendor_completions.d/NAME.fish
#
#   scripts/install.sh                          builds in release first (swift build -c release)
#   scripts/install.sh --no-build               installs what .build/release already holds
#   scripts/install.sh --no-build --build-dir .build/debug
#   PREFIX=$HOME/.local scripts/install.sh      a per-user install
#   DESTDIR=/tmp/stage scripts/install.sh       staged (for a package): files go to /tmp/stage/usr/local/…
#
# Exit codes: 0 installed, 1 a build or copy failed (or a binary is missing), 64 bad usage.
set -euo pipefail

usage() {
  sed -n '2,15s/^# \{0,1\}//p' "$0"
}

here="$PWD"
absolute() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$here/$1" ;; esac; }

build=1
build_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --build-dir)
      [ $# -ge 2 ] || { echo "install.sh: --build-dir needs a directory" >&2; exit 64; }
      build_dir="$2"; shift ;;
    --build-dir=*) build_dir="${1#*=}" ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown argument $1 (see --help)" >&2; exit 64 ;;
  esac
  shift
done
if [ -n "$build_dir" ] && [ "$build" = 1 ]; then
  echo "install.sh: --build-dir DIR installs what DIR already holds; give --no-build too" >&2
  exit 64
fi

prefix="$(absolute "${PREFIX:-/usr/local}")"
destdir="${DESTDIR:-}"
[ -z "$destdir" ] || destdir="$(absolute "$destdir")"
[ -z "$build_dir" ] || build_dir="$(absolute "$build_dir")"

cd "$(dirname "$0")/.."
if [ "$build" = 1 ]; then
  scripts/ensure-deps.sh
  swift build -c release
fi
bin="${build_dir:-$PWD/.build/release}"

binaries=(timelined timelinectl timeline-audit timeline-relay)
completed=(timelinectl timeline-audit)
for name in "${binaries[@]}"; do
  if [ ! -x "$bin/$name" ]; then
    echo "install.sh: $bin/$name is missing; build it (swift build -c release) or drop --no-build" >&2
    exit 1
  fi
done

root="$destdir$prefix"
install -d "$root/bin" "$root/share/bash-completion/completions" "$root/share/zsh/site-functions" \
  "$root/share/fish/vendor_completions.d"
for name in "${binaries[@]}"; do
  install -m 0755 "$bin/$name" "$root/bin/$name"
  echo "installed $root/bin/$name"
done

# swift-argument-parser writes the scripts; generated from the binaries just installed.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for name in "${completed[@]}"; do
  for shell in bash zsh fish; do
    "$root/bin/$name" --generate-completion-script "$shell" > "$scratch/$name.$shell"
  done
  install -m 0644 "$scratch/$name.bash" "$root/share/bash-completion/completions/$name"
  install -m 0644 "$scratch/$name.zsh" "$root/share/zsh/site-functions/_$name"
  install -m 0644 "$scratch/$name.fish" "$root/share/fish/vendor_completions.d/$name.fish"
  echo "installed bash, zsh and fish completions of $name under $root/share"
done
