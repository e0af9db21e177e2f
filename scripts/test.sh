#!/usr/bin/env bash
# The README's test command: installs what the tests need from Debian's packages when missing, then runs the
# xunit suite. The default suite leaves out the tests tagged Category=Slow (the packaging test: pack, install
# into an empty NuGet folder, build consumer apps, install the tool — a few minutes); `--all`, or CI=true
# (as .ci/run sets it), runs them too.
set -euo pipefail
cd "$(dirname "$0")/.."
all=false
if [ "${1:-}" = "--all" ] || [ "${CI:-}" = "true" ]; then all=true; fi
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist) >/dev/null 2>&1 \
    || echo "note: could not install dataset-fashion-mnist; FashionMNIST tests will be skipped"
fi
dotnet build SharpnessML.sln -c Release
dotnet test SharpnessML.sln -c Release --no-build --filter "Category!=Slow"
if [ "$all" = true ]; then
  dotnet test tests/SharpnessML.Cli.Tests -c Release --no-build --filter "Category=Slow"
fi
