#!/usr/bin/env bash
# The whole test suite: type-check and build, lint and format check, then unit, integration (real
# nats-server) and e2e (real pulumi CLI) tests with node's test runner, which prints the summary.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/.tools/bin:$PATH"
rm -rf dist
npx --no-install tsc -p tsconfig.json
bash scripts/biome.sh check .
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(unit integration e2e)
files=()
for s in "${suites[@]}"; do
  while IFS= read -r f; do files+=("$f"); done < <(find "dist/test/$s" -name '*.test.js' | sort)
done
node --test --test-reporter=spec --test-timeout=600000 "${files[@]}"
