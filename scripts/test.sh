#!/usr/bin/env bash
# The whole test suite: type-check and build, lint and format check, the plugin bundle, a check that
# the generated SDKs are current, then unit, integration (real nats-server) and e2e (real pulumi CLI)
# tests with node's test runner, which prints the summary.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/.tools/bin:$PATH"
rm -rf dist
npx --no-install tsc -p tsconfig.json
bash scripts/biome.sh check .
# The native plugin (dist/native) the YAML, Go and Python programs run against; about 3 s.
node scripts/plugin.mjs >/dev/null
# The committed Go, Python and Node.js SDKs are what schema.json generates.
bash scripts/gen-sdks.sh --check
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(unit integration e2e)
files=()
for s in "${suites[@]}"; do
  while IFS= read -r f; do files+=("$f"); done < <(find "dist/test/$s" -name '*.test.js' | sort)
done
node --test --test-reporter=spec --test-timeout=600000 "${files[@]}"
