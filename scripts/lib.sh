# Shared by run.sh and test.sh: install what a fresh Debian machine lacks, say clearly what cannot be installed.
# Sourced, not executed.

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "This step needs root: run as root or install sudo, then try again ($*)." >&2
    return 1
  fi
}

# Script jobs run under bubblewrap (BOX-1); install it only when it is missing.
ensure_bubblewrap() {
  if command -v bwrap >/dev/null 2>&1; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "bubblewrap (bwrap) is missing and this is not a Debian-like system: install bubblewrap with your package manager." >&2
    return 1
  fi
  echo "Installing bubblewrap..." >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y bubblewrap
}

# The SDK cannot be installed from a package list everywhere, so it is checked, not installed.
ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "The .NET SDK is missing: install the .NET 10 SDK (the version global.json names, 10.0.401 or a later feature band) and run this again." >&2
    return 1
  fi
}

# The PostgreSQL tests start their own throwaway cluster (scripts/test-postgres.sh); they need
# the server binaries (initdb, pg_ctl, postgres), not a running service.
ensure_postgres() {
  if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "PostgreSQL is missing and this is not a Debian-like system: install the PostgreSQL server package (initdb, pg_ctl) with your package manager." >&2
    return 1
  fi
  echo "Installing PostgreSQL..." >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
}
