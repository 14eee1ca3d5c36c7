#!/usr/bin/env bash
# Download the official CIFAR-10 binary release, verify it, and unpack it.
#
#   tools/download-cifar10.sh [--no-extract] [TARGET_DIR]
#
# TARGET_DIR defaults to data/cifar10. The archive is saved there as cifar-10-binary.tar.gz
# and unpacked to TARGET_DIR/cifar-10-batches-bin/ (data_batch_1..5.bin, test_batch.bin,
# batches.meta.txt). Downloads resume from cifar-10-binary.tar.gz.part; the archive keeps
# its final name only after its size, MD5 and SHA-256 all match.
#
# Environment: CIFAR10_URL to use a mirror (the checksums still decide what is kept).
set -euo pipefail

# CIFAR10_URL may point at a mirror; the checksums below still decide what is kept.
URL="${CIFAR10_URL:-https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz}"
ARCHIVE_NAME="cifar-10-binary.tar.gz"
# MD5 as published in the table on the CIFAR page (https://www.cs.toronto.edu/~kriz/cifar.html).
# The page publishes no SHA-256; the SHA-256 and size below are the values that independent
# dataset loaders pin for the same archive. Both sums are checked: the MD5 ties the bytes to
# the authors' page, the SHA-256 is the collision-resistant check.
ARCHIVE_SIZE=170052171
ARCHIVE_MD5="c32a1d4ab5d03f1284b67883e8d87530"
ARCHIVE_SHA256="c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"
# Each batch file holds 10,000 records of 1 label byte + 3,072 pixel bytes.
BATCH_BYTES=30730000
BATCHES="data_batch_1.bin data_batch_2.bin data_batch_3.bin data_batch_4.bin data_batch_5.bin test_batch.bin"

usage() {
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
}

die() {
  echo "download-cifar10: error: $*" >&2
  exit 1
}

EXTRACT=1
TARGET=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-extract) EXTRACT="" ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; die "unknown option $1" ;;
    *) [ -z "$TARGET" ] || die "only one target directory may be given"; TARGET="$1" ;;
  esac
  shift
done
TARGET="${TARGET:-data/cifar10}"

sum_of() {
  # sum_of ALGO FILE, with GNU coreutils or the macOS tools.
  local algo="$1" file="$2"
  if command -v "${algo}sum" >/dev/null 2>&1; then
    "${algo}sum" "$file" | cut -d' ' -f1
  elif [ "$algo" = sha256 ] && command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$file" | cut -d' ' -f1
  elif [ "$algo" = md5 ] && command -v md5 >/dev/null 2>&1; then
    md5 -q "$file"
  else
    die "need ${algo}sum to verify the download"
  fi
}

size_of() {
  stat -c %s "$1" 2>/dev/null || stat -f %z "$1" 2>/dev/null || wc -c <"$1" | tr -d ' '
}

fetch() {
  if command -v curl >/dev/null 2>&1; then
    curl --fail --location --continue-at - --retry 5 --retry-delay 3 \
         --connect-timeout 30 --progress-bar --output "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget --continue --tries=5 --timeout=60 --output-document="$2" "$1"
  else
    die "need curl or wget to download"
  fi
}

# verify FILE: 0 when size, MD5 and SHA-256 all match; otherwise says which differs.
verify() {
  local file="$1" got
  got="$(size_of "$file")"
  if [ "$got" != "$ARCHIVE_SIZE" ]; then
    echo "download-cifar10: $ARCHIVE_NAME: size $got bytes, expected $ARCHIVE_SIZE" >&2
    return 1
  fi
  got="$(sum_of md5 "$file")"
  if [ "$got" != "$ARCHIVE_MD5" ]; then
    echo "download-cifar10: $ARCHIVE_NAME: MD5 MISMATCH (expected $ARCHIVE_MD5, got $got)" >&2
    return 1
  fi
  got="$(sum_of sha256 "$file")"
  if [ "$got" != "$ARCHIVE_SHA256" ]; then
    echo "download-cifar10: $ARCHIVE_NAME: SHA-256 MISMATCH" >&2
    echo "  expected $ARCHIVE_SHA256" >&2
    echo "  got      $got" >&2
    return 1
  fi
  return 0
}

mkdir -p "$TARGET"
archive="$TARGET/$ARCHIVE_NAME"
part="$archive.part"

if [ -f "$archive" ] && verify "$archive"; then
  echo "download-cifar10: $archive already present and verified"
else
  rm -f "$archive"
  if [ -f "$part" ] && [ "$(size_of "$part")" -gt "$ARCHIVE_SIZE" ]; then
    rm -f "$part"   # longer than the real archive, so not a prefix of it
  fi
  # Skip the request when a stopped run left a complete .part (a range request past the end
  # is answered with HTTP 416).
  if [ ! -f "$part" ] || [ "$(size_of "$part")" -lt "$ARCHIVE_SIZE" ]; then
    echo "download-cifar10: fetching $URL"
    fetch "$URL" "$part" || die "download failed (rerun to resume)"
  fi
  if ! verify "$part"; then
    rm -f "$part"
    die "the downloaded archive does not match the published checksum and was deleted"
  fi
  mv -f "$part" "$archive"
  echo "download-cifar10: $archive verified (MD5 $ARCHIVE_MD5)"
fi

if [ -z "$EXTRACT" ]; then
  exit 0
fi

# Extract only the expected members: the archive is verified, but naming them keeps the
# unpacked tree exactly the layout the loader reads.
members=""
for f in $BATCHES batches.meta.txt; do
  members="$members cifar-10-batches-bin/$f"
done
# shellcheck disable=SC2086  # word splitting of $members is intended
tar -xzf "$archive" -C "$TARGET" $members

for f in $BATCHES; do
  got="$(size_of "$TARGET/cifar-10-batches-bin/$f")"
  [ "$got" = "$BATCH_BYTES" ] || die "$f has $got bytes, expected $BATCH_BYTES"
done
echo "download-cifar10: unpacked to $TARGET/cifar-10-batches-bin/"
