# syntax=docker/dockerfile:1
# The Attest image: built in one stage with the development dependencies, run from a second stage
# that holds only Node.js, the compiled program and its production dependencies, on a base without
# a shell or a package manager (distroless "cc": glibc, libstdc++, OpenSSL's libraries and CA
# certificates).
# scripts/build-image.sh assembles the same image where no base-image registry is reachable;
# decision 0024 says why each choice was made.
#
#   docker build -t attest:dev .      (or: podman build -t attest:dev .)
#
# Pin the two bases by digest in your own pipeline (FROM image:tag@sha256:...), so that a rebuild
# changes only when you move the pin.

ARG NODE_IMAGE=node:26-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Production dependencies only, installed apart so that no build tool reaches the runtime stage.
# No production dependency has an install script, so none is run.
FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && mkdir -p /data /tmp-dir /runtime-libs && chown 10001:10001 /data && chmod 1777 /tmp-dir \
 && cp -L "/usr/lib/$(uname -m)-linux-gnu/libatomic.so.1" /runtime-libs/

FROM ${RUNTIME_IMAGE}
# The node binary alone: npm, corepack and the headers stay in the build stages.
COPY --from=build /usr/local/bin/node /usr/local/bin/node
# The official node binary links libatomic, which the distroless base does not carry.
COPY --from=production-dependencies /runtime-libs/ /usr/lib/
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# Everything above belongs to root and is read-only for the program; the only writable places are
# the data directory (a volume) and /tmp (mount a tmpfs or an emptyDir when the root is read-only).
COPY --from=production-dependencies /data /data
COPY --from=production-dependencies /tmp-dir /tmp
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    ATTEST_DATA_DIR=/data \
    TMPDIR=/tmp \
    HOME=/tmp
USER 10001:10001
VOLUME ["/data"]
# 3000: HTTP; 9464: Prometheus metrics (ATTEST_METRICS_PORT).
EXPOSE 3000 9464
# Exec form: node is PID 1 and receives SIGTERM itself; `attest start` closes the listener, finishes
# the requests in flight and the worker's current jobs, then closes the database and exits 0.
ENTRYPOINT ["/usr/local/bin/node", "/app/dist/cli/main.js"]
CMD ["start"]
