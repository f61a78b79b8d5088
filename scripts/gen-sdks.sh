#!/usr/bin/env bash
# Generates the Go, Python and Node.js SDKs (sdk/go, sdk/python, sdk/nodejs) from the provider's
# schema with our codegen (scripts/codegen, built by install-tools.sh). The generated code is
# committed, as in every Pulumi provider repository, so `go get`/`pip install` of a checkout need no
# generator; nobody edits it. sdk/nodejs is compiled with the npm package (tsc) and imported as
# `pulumi-nats-auth/native`.
#   bash scripts/gen-sdks.sh           regenerate
#   bash scripts/gen-sdks.sh --check   fail when the committed SDKs are not what the schema generates
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCHEMA="${SCHEMA:-$ROOT/schema.json}"
CODEGEN="${CODEGEN:-$ROOT/.tools/bin/pulumi-nats-auth-codegen}"
# The SDKs ask the engine for the plugin at the version the plugin reports: package.json's.
VERSION="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$ROOT/package.json")"
[ -x "$CODEGEN" ] || { echo "gen-sdks: $CODEGEN is missing: run bash scripts/install-tools.sh" >&2; exit 1; }
if [ "${1:-}" != "--check" ]; then
  exec "$CODEGEN" -schema "$SCHEMA" -version "$VERSION" -out "$ROOT/sdk"
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$CODEGEN" -schema "$SCHEMA" -version "$VERSION" -out "$tmp"
# What pip leaves in a source folder it installed from is not generated code.
ignore=(-x build -x '*.egg-info' -x __pycache__)
stale=0
for lang in go python nodejs; do
  diff -r "${ignore[@]}" "$ROOT/sdk/$lang" "$tmp/$lang" >&2 || stale=1
done
if [ "$stale" = 1 ]; then
  echo "gen-sdks: sdk/go, sdk/python or sdk/nodejs differs from what $SCHEMA generates: run bash scripts/gen-sdks.sh and commit the result" >&2
  exit 1
fi
echo "gen-sdks: sdk/go, sdk/python and sdk/nodejs match $(basename "$SCHEMA")"
