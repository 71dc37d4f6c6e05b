#!/usr/bin/env bash
# Which Python versions ava-detect can install on: for each version, ask pip for a binary wheel
# of every dependency with compiled code (no source builds), without installing anything.
# Usage: tools/check_wheels.sh [3.11 3.12 3.13]   (needs network access to PyPI)
set -uo pipefail
versions=("${@:-3.11 3.12 3.13}")
packages=("mediapipe==0.10.21" "opencv-contrib-python>=4.8,<4.12" "numpy>=1.24,<2" "av>=12"
          "dlib-bin>=19.24" "protobuf<5" "pillow" "jaxlib" "sentencepiece")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for version in ${versions[@]}; do
  missing=()
  for package in "${packages[@]}"; do
    pip download --quiet --only-binary=:all: --no-deps --python-version "$version" \
      --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 \
      -d "$dir/$version" "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "Python $version: every compiled dependency has a wheel"
  else
    echo "Python $version: no wheel for ${missing[*]}"
  fi
done
