#!/usr/bin/env bash
# Set up tinygrad_sm (editable) in the current Python environment:
#   bash setup.sh          the package and what `tinygrad-sm train` uses (NumPy, graphviz, matplotlib, tqdm)
#   bash setup.sh --dev    what the tests, the wheel build and ruff use as well (the dev extra)
# It also provides Graphviz's `dot`, which renders the graph pictures: Debian's
# `graphviz` package when run as root (or with sudo) on a Debian/Ubuntu machine;
# elsewhere it says how to install it. Without `dot`, DOT source still works.
set -euo pipefail
cd "$(dirname "$0")"

target="."
if [ "${1:-}" = "--dev" ]; then
  target=".[dev]"
fi

if ! command -v dot >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup: installing Graphviz (apt-get install graphviz)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
  elif command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "setup: installing Graphviz (sudo apt-get install graphviz)"
    sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
  else
    echo "setup: Graphviz's 'dot' was not found and cannot be installed from here;" >&2
    echo "       install it (apt-get install graphviz, brew install graphviz, conda install graphviz)" >&2
    echo "       to render graph pictures. Everything else works without it." >&2
  fi
fi

PYTHON="${PYTHON:-python3}"
echo "setup: pip install -e $target"
"$PYTHON" -m pip install -q --disable-pip-version-check -e "$target"

if ! command -v tinygrad-sm >/dev/null 2>&1 && command -v pyenv >/dev/null 2>&1; then
  pyenv rehash  # pyenv makes shims for new commands only on a rehash
fi
if ! command -v tinygrad-sm >/dev/null 2>&1; then
  scripts=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
  echo "setup: the 'tinygrad-sm' command is in $scripts, which is not on PATH;" >&2
  echo "       add it to PATH, or run 'python3 -m tinygrad_sm' instead" >&2
fi
