#!/usr/bin/env bash
# Builds the image (scripts/build-image.sh) and runs it the way the Kubernetes manifests do: read-only
# root filesystem, uid 10001, every capability dropped, a writable data directory and /tmp only,
# against a fresh database on the local PostgreSQL. Checks that it becomes ready, serves the demo
# trust center and an authenticated API call, that inside it the uid is not 0, CapEff is 0, `/` is
# not writable and there is no shell, and that SIGTERM stops it cleanly. Prints the image size and
# the start-up time. `npm run test:image`; not part of `npm test` (it needs root, podman and minutes).
#
# runc, not crun: crun cannot start containers in some sandboxes; runc can. Where the hard limits of
# open files and processes are lower than podman's defaults, runc may not raise them: the limits are
# set here to the machine's own.
#
#   SKIP_BUILD=1 scripts/test-image.sh     reuse attest:dev
#   IMAGE=registry.example/attest:1.2 ...  test another tag
set -euo pipefail
cd "$(dirname "$0")/.."

image="${IMAGE:-attest:dev}"
pg_url_base="${IMAGE_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
export PATH="$(.ci/node.sh):$PATH"

if [ -z "${SKIP_BUILD:-}" ]; then
  build_started=$(date +%s)
  scripts/build-image.sh "$image"
  echo "test-image: build took $(($(date +%s) - build_started)) s"
fi

database="attest_image_$$_$(date +%s)"
# The program logs in as the database's owner, not a superuser, with CREATEROLE for its first
# migration: the same role the CloudNativePG cluster's bootstrap makes (deploy/kubernetes).
owner="$database"
name="attest-image-test-$$"
port="${IMAGE_TEST_PORT:-$((20000 + $$ % 20000))}"
data="$(mktemp -d "${TMPDIR:-/tmp}/attest-image-data.XXXXXX")"
chown 10001:10001 "$data"
chmod 0700 "$data"
cleanup() {
  # One at a time: `podman rm` stops at a name that does not exist.
  podman rm -f "$name" >/dev/null 2>&1 || true
  podman rm -f "$name-worker" >/dev/null 2>&1 || true
  psql "$pg_url_base/postgres" -qAtc "DROP DATABASE IF EXISTS \"$database\"" >/dev/null 2>&1 || true
  psql "$pg_url_base/postgres" -qAtc "DROP ROLE IF EXISTS \"$owner\"" >/dev/null 2>&1 || true
  rm -rf "$data"
}
trap cleanup EXIT
owner_password="$(openssl rand -hex 16)"
psql "$pg_url_base/postgres" -qAt >/dev/null <<SQL
CREATE ROLE "$owner" LOGIN CREATEROLE PASSWORD '$owner_password';
CREATE DATABASE "$database" OWNER "$owner";
SQL
database_url="${pg_url_base/postgres@/$owner:$owner_password@}/$database"

password="image-test-$(openssl rand -hex 12)"
master_key="$(openssl rand -base64 32)"
origin="http://127.0.0.1:$port"

limits=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit "nproc=4096:4096")
started_ms=$(date +%s%3N)
podman --runtime runc run -d --name "$name" "${limits[@]}" \
  --read-only --read-only-tmpfs=false --tmpfs /tmp:rw,size=64m,mode=1777 \
  --user 10001:10001 --cap-drop=ALL --security-opt no-new-privileges --network host \
  -v "$data:/data" \
  -e DATABASE_URL="$database_url" \
  -e HOST=127.0.0.1 -e PORT="$port" -e ATTEST_PUBLIC_URL="$origin" \
  -e ATTEST_MASTER_KEY="$master_key" \
  -e ATTEST_ADMIN_EMAIL=owner@image-test.example -e ATTEST_ADMIN_PASSWORD="$password" \
  "$image" start --role web >/dev/null

ready=""
for _ in $(seq 1 600); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$origin/readyz" || true)" = 200 ]; then
    ready=$(date +%s%3N)
    break
  fi
  if [ "$(podman inspect -f '{{.State.Running}}' "$name")" != true ]; then break; fi
  sleep 0.1
done
if [ -z "$ready" ]; then
  echo "test-image: FAIL the container did not become ready; its output:" >&2
  podman logs "$name" >&2 || true
  exit 1
fi
echo "test-image: ready after $((ready - started_ms)) ms (container start, migrations on an empty database, demo seeded; load $(cut -d' ' -f1-3 /proc/loadavg))"

# From outside: the public page, then an authenticated API call through a console session.
ORIGIN="$origin" PASSWORD="$password" node --input-type=module <<'NODE'
const origin = process.env.ORIGIN;
const fail = (message) => { console.error(`test-image: FAIL ${message}`); process.exit(1); };
const page = await fetch(`${origin}/t/demo/security`);
const html = await page.text();
if (page.status !== 200 || !html.includes('Container Security')) fail(`/t/demo/security answered ${page.status}`);
console.log(`test-image: GET /t/demo/security ${page.status}, ${html.length} bytes`);
const login = await fetch(`${origin}/bff/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', origin },
  body: JSON.stringify({ email: 'owner@image-test.example', password: process.env.PASSWORD, tenant: 'demo' }),
});
if (login.status !== 200) fail(`POST /bff/login answered ${login.status}`);
const session = login.headers.getSetCookie().find((line) => line.startsWith('__Host-attest_session='));
if (!session) fail('no session cookie after sign-in');
const evidence = await fetch(`${origin}/bff/api/evidence`, { headers: { cookie: session.split(';')[0] } });
const body = await evidence.json();
if (evidence.status !== 200 || !(body.items?.length > 0)) fail(`GET /bff/api/evidence answered ${evidence.status} with ${body.items?.length} results`);
console.log(`test-image: POST /bff/login 200; GET /bff/api/evidence (the API through the console session) ${evidence.status}, ${body.items.length} check results`);
NODE

# From inside: no shell in the image, so the checks run as a second node process.
podman exec "$name" /usr/local/bin/node -e '
const fs = require("node:fs");
const status = fs.readFileSync("/proc/self/status", "utf8");
const field = (name) => status.match(new RegExp(`^${name}:\\s*(.*)$`, "m"))[1].trim();
const problems = [];
const uid = field("Uid").split(/\s+/);
if (uid.some((id) => id === "0")) problems.push(`uid ${uid.join(" ")}`);
if (BigInt(`0x${field("CapEff")}`) !== 0n) problems.push(`CapEff ${field("CapEff")}`);
if (BigInt(`0x${field("CapPrm")}`) !== 0n) problems.push(`CapPrm ${field("CapPrm")}`);
if (field("NoNewPrivs") !== "1") problems.push("NoNewPrivs is not set");
try { fs.writeFileSync("/probe", "x"); problems.push("/ is writable"); } catch (error) { if (error.code !== "EROFS") problems.push(`writing / failed with ${error.code}, not EROFS`); }
try { fs.writeFileSync("/app/probe", "x"); problems.push("/app is writable"); } catch {}
for (const shell of ["/bin/sh", "/usr/bin/sh", "/bin/bash", "/usr/bin/apt", "/usr/bin/dpkg"]) if (fs.existsSync(shell)) problems.push(`${shell} exists`);
fs.writeFileSync("/tmp/probe", "x");
fs.writeFileSync("/data/probe", "x");
if (problems.length) { console.error(`test-image: FAIL inside the container: ${problems.join("; ")}`); process.exit(1); }
console.log(`test-image: inside: uid ${uid[0]}, CapEff ${field("CapEff")}, NoNewPrivs 1, / read-only (EROFS), /tmp and /data writable, no shell or package manager`);
'

# The worker role beside it, as in Kubernetes: it must start, run, and stop on SIGTERM too.
podman --runtime runc run -d --name "$name-worker" "${limits[@]}" \
  --read-only --read-only-tmpfs=false --tmpfs /tmp:rw,size=64m,mode=1777 \
  --user 10001:10001 --cap-drop=ALL --security-opt no-new-privileges --network host \
  -e DATABASE_URL="$database_url" -e ATTEST_PUBLIC_URL="$origin" -e ATTEST_MASTER_KEY="$master_key" \
  -v "$data:/data" \
  "$image" start --role worker >/dev/null
for _ in $(seq 1 300); do
  [[ "$(podman logs "$name-worker" 2>/dev/null)" == *'Attest worker is running'* ]] && break
  sleep 0.1
done
[[ "$(podman logs "$name-worker" 2>/dev/null)" == *'Attest worker is running'* ]] || {
  echo "test-image: FAIL the worker did not start; its output:" >&2
  podman logs "$name-worker" >&2 || true
  exit 1
}
sleep 3
rss() { podman exec "$1" /usr/local/bin/node -e 'const s=require("fs").readFileSync("/proc/1/status","utf8");const f=(n)=>Math.round(+s.match(new RegExp(n+":\\s+(\\d+)"))[1]/1024);console.log(`${f("VmRSS")} MiB resident (peak ${f("VmHWM")} MiB)`)'; }
echo "test-image: memory of the web process (PID 1) after the requests above: $(rss "$name")"
echo "test-image: memory of the worker process (PID 1), idle: $(rss "$name-worker")"
podman stop -t 30 "$name-worker" >/dev/null
[ "$(podman inspect -f '{{.State.ExitCode}}' "$name-worker")" = 0 ] || { echo "test-image: FAIL the worker did not exit 0 on SIGTERM" >&2; exit 1; }
echo "test-image: worker: started, exited 0 on SIGTERM"

stop_started=$(date +%s%3N)
podman stop -t 30 "$name" >/dev/null
exit_code="$(podman inspect -f '{{.State.ExitCode}}' "$name")"
stop_ms=$(($(date +%s%3N) - stop_started))
if [ "$exit_code" != 0 ] || [[ "$(podman logs "$name" 2>&1)" != *'"signal":"SIGTERM"'* ]]; then
  echo "test-image: FAIL SIGTERM: exit code $exit_code after $stop_ms ms" >&2
  podman logs "$name" 2>&1 | tail -5 >&2
  exit 1
fi
echo "test-image: SIGTERM: node (PID 1) shut down and exited 0 in $stop_ms ms"

# A second start on the now current database: what a restarted or added pod costs.
restarted_ms=$(date +%s%3N)
podman start "$name" >/dev/null
ready=""
for _ in $(seq 1 600); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$origin/readyz" || true)" = 200 ]; then
    ready=$(date +%s%3N)
    break
  fi
  sleep 0.1
done
[ -n "$ready" ] || { echo "test-image: FAIL the restarted container did not become ready" >&2; exit 1; }
echo "test-image: restarted on the migrated database, ready after $((ready - restarted_ms)) ms (load $(cut -d' ' -f1-3 /proc/loadavg))"

size="$(podman image inspect --format '{{.Size}}' "$image")"
echo "test-image: image $image is $((size / 1024 / 1024)) MiB"
echo "test-image: passed"
