#!/usr/bin/env bash
# Runs a command with the pinned tools (.tools/bin: node 22, pulumi, nats-server, nsc) first on PATH.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/.tools/bin:$PATH"
exec "$@"
