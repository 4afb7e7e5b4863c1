#!/usr/bin/env bash
# Checks the Dockerfile's own steps where its base images cannot be pulled: builds two stand-ins
# from Debian's packages and the pinned Node.js (a Debian 12 minbase with node and npm for
# `node:26-bookworm-slim`; Debian 12's glibc and libstdc++ only, without libatomic, for
# `gcr.io/distroless/cc-debian12`), runs `podman build` on the Dockerfile with them, then the same
# checks as `npm run test:image` on the result. Needs root; takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$(ATTEST_NODE_PINNED=1 .ci/node.sh):$PATH"
work="$(mktemp -d "${TMPDIR:-/tmp}/attest-dockerfile.XXXXXX")"
trap 'rm -rf "$work"' EXIT
limits=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit "nproc=4096:4096")

echo "test-dockerfile: building the stand-in base images" >&2
mkdir -p "$work/node" "$work/runtime"
mmdebstrap --quiet --mode=root --variant=minbase --format=directory --include=libatomic1 bookworm "$work/node"
install -m 0755 "$(command -v node)" "$work/node/usr/local/bin/node"
mkdir -p "$work/node/usr/local/lib/node_modules"
cp -a "$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")" "$work/node/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/node/usr/local/bin/npm"
changes=()
# Where the registry is reached through a proxy with its own CA, the build stage needs that CA.
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  install -D -m 0644 "$NODE_EXTRA_CA_CERTS" "$work/node/etc/ssl/certs/extra-ca.crt"
  changes+=(--change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/extra-ca.crt')
fi
tar --numeric-owner -C "$work/node" -cf - . | podman import "${changes[@]}" - localhost/attest-standin-node:26 >/dev/null

mmdebstrap --quiet --mode=root --variant=extract --format=directory \
  --include=libc6,libgcc-s1,libstdc++6 bookworm "$work/runtime"
rm -rf "$work/runtime"/etc/apt "$work/runtime"/var/lib/apt "$work/runtime"/var/cache/apt "$work/runtime"/var/lib/dpkg
mkdir -p "$work/runtime/tmp" "$work/runtime/etc"
chmod 1777 "$work/runtime/tmp"
echo 'include /etc/ld.so.conf.d/*.conf' >"$work/runtime/etc/ld.so.conf"
ldconfig -r "$work/runtime"
tar --numeric-owner -C "$work/runtime" -cf - . | podman import --change 'USER 65532' - localhost/attest-standin-runtime:cc >/dev/null

echo "test-dockerfile: podman build" >&2
started=$(date +%s)
podman build --runtime runc "${limits[@]}" --network host \
  --build-arg NODE_IMAGE=localhost/attest-standin-node:26 \
  --build-arg RUNTIME_IMAGE=localhost/attest-standin-runtime:cc \
  -t attest:dockerfile . >"$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; exit 1; }
echo "test-dockerfile: the Dockerfile built in $(($(date +%s) - started)) s"

SKIP_BUILD=1 IMAGE=attest:dockerfile scripts/test-image.sh
