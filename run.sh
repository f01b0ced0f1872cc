#!/usr/bin/env bash
# Builds bulwark and starts the server on the embedded SQLite store (./bulwark-data).
# Extra arguments go to `bulwark serve`, e.g. ./run.sh --urls http://127.0.0.1:9090
set -euo pipefail
cd "$(dirname "$0")"
source scripts/lib.sh

ensure_bubblewrap
ensure_dotnet

dotnet build src/Bulwark.Cli -c Release -o ./artifacts/bulwark
exec ./artifacts/bulwark/bulwark serve "$@"
