#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and benchmarking Seerflow needs.
# Idempotent: when everything is present it prints nothing and exits 0.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang-format git
  # libraries (see README "Architecture" for what each is used for)
  libcaf-dev libboost-dev libyaml-cpp-dev libsqlite3-dev
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
  libeigen3-dev libre2-dev nlohmann-json3-dev libcurl4-openssl-dev libssl-dev zlib1g-dev
  libgoogle-perftools-dev
  catch2
  # test and benchmark tools: logger (bsdutils), sqlite3 CLI, procps for ps/RSS, python for scripts
  bsdutils sqlite3 procps python3 python3-yaml curl ca-certificates openssl
  # the PostgreSQL backend: libpq to build, a server (initdb, pg_ctl) and psql for its tests
  libpq-dev postgresql postgresql-client
  # deploy checks: systemd-analyze verify of deploy/seerflow.service
  systemd
  # the web console's test: headless Chromium
  chromium
)

# The OTLP integration test runs the OpenTelemetry JavaScript SDK's exporters: node and npm.
# A node that already ships its own npm (e.g. from NodeSource) is kept as it is: Debian's npm
# package would conflict with it.
if ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
