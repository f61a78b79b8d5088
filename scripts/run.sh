#!/usr/bin/env bash
# Runs a command with the pinned tools (.tools/bin: node 24, pulumi, nats-server, nsc; the package itself needs Node 22 or later) first on PATH.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/.tools/bin:$PATH"
exec "$@"
