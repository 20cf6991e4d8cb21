#!/usr/bin/env bash
# Prints the bin folder of a pinned Go toolchain, fetching it first if needed: the
# zip the Go module proxy serves for GOTOOLCHAIN downloads, unpacked into
# ~/.cache/ack-systems/go/. Used by scripts/testbin.ts when this machine has no Go
# new enough for hack/k8s-testbin (Debian 12's golang-go is 1.19).
set -euo pipefail
version="${1:?usage: fetch-go.sh <go version, e.g. go1.25.14>}"
case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "fetch-go: no Go toolchain for $(uname -m)" >&2; exit 1 ;;
esac
name="v0.0.1-$version.linux-$arch"
goroot="$HOME/.cache/ack-systems/go/$version.linux-$arch"
if [ ! -x "$goroot/bin/go" ]; then
  if ! command -v curl >/dev/null 2>&1 || ! command -v unzip >/dev/null 2>&1; then
    echo "fetch-go: installing curl and unzip from Debian" >&2
    apt-get update -qq >&2 && apt-get install -y -qq curl unzip ca-certificates >&2
  fi
  echo "fetch-go: fetching $version from the Go module proxy" >&2
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  curl -fsSL -o "$tmp/go.zip" "${GOPROXY_URL:-https://proxy.golang.org}/golang.org/toolchain/@v/$name.zip"
  unzip -q "$tmp/go.zip" -d "$tmp"
  # Zip files keep no execute bits.
  chmod +x "$tmp/golang.org/toolchain@$name"/bin/* "$tmp/golang.org/toolchain@$name"/pkg/tool/*/*
  mkdir -p "$(dirname "$goroot")"
  rm -rf "$goroot"
  mv "$tmp/golang.org/toolchain@$name" "$goroot"
fi
echo "$goroot/bin"
