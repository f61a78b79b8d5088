#!/usr/bin/env bash
# Runs the pinned Biome (formatter + linter). The registry reachable here serves only Biome's
# linux-x64 binary package, and the @biomejs/biome wrapper lists every platform's package, which
# makes `npm ci` refuse the lockfile; so the platform package is the dev dependency.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$ROOT/node_modules/@biomejs/cli-linux-x64/biome"
if [ ! -x "$bin" ]; then
  echo "biome: $bin is missing (npm ci installs it on linux x64 machines)" >&2
  exit 1
fi
exec "$bin" "$@"
