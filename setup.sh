#!/usr/bin/env bash
# Set up tinygrad_sm (editable) in the current Python environment:
#   bash setup.sh          the package and what `tinygrad-sm train` uses (NumPy, graphviz, matplotlib, tqdm)
#   bash setup.sh --dev    what the tests, the wheel build and ruff use as well (the dev extra)
# It also provides Graphviz's `dot`, which renders the graph pictures, and with --dev
# Chromium and its driver, which the browser test of the step-through page drives:
# Debian's packages when run as root (or with sudo) on a Debian/Ubuntu machine;
# elsewhere it says how to install them. Without `dot`, DOT source still works;
# without Chromium, the browser test skips.
set -euo pipefail
cd "$(dirname "$0")"

target="."
if [ "${1:-}" = "--dev" ]; then
  target=".[dev]"
fi

apt_install() {  # apt_install WHAT PACKAGE...: as root or with sudo; returns 1 where neither works
  local what="$1"; shift
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup: installing $what (apt-get install $*)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  elif command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "setup: installing $what (sudo apt-get install $*)"
    sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    return 1
  fi
}

if ! command -v dot >/dev/null 2>&1; then
  if ! apt_install Graphviz graphviz; then
    echo "setup: Graphviz's 'dot' was not found and cannot be installed from here;" >&2
    echo "       install it (apt-get install graphviz, brew install graphviz, conda install graphviz)" >&2
    echo "       to render graph pictures. Everything else works without it." >&2
  fi
fi

if [ "$target" = ".[dev]" ] && ! command -v chromedriver >/dev/null 2>&1; then
  if ! apt_install "Chromium for the browser test" chromium chromium-driver; then
    echo "setup: Chromium and chromedriver are needed by the browser test only (it skips without them):" >&2
    echo "       apt-get install chromium chromium-driver, or your system's chromium and its chromedriver" >&2
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
