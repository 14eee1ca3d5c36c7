#!/usr/bin/env bash
# Download openai/clip-vit-base-patch32 (Hugging Face layout) at a pinned commit and verify
# every file against a SHA-256 written below.
#
#   tools/download-clip.sh [--verify-only] [TARGET_DIR]
#
# TARGET_DIR defaults to weights/clip-vit-base-patch32 (relative to the current directory).
# Downloads resume: an interrupted file is kept as NAME.part and continued on the next run.
# A file is moved to its final name only after its size and SHA-256 match, so a file under
# its final name is always a verified one.
#
# Environment: HF_ENDPOINT (default https://huggingface.co) to use a mirror of the hub.
set -euo pipefail

REPO="openai/clip-vit-base-patch32"

# Why this revision and not `main`: `main` of openai/clip-vit-base-patch32 (commit 3d74acf9…)
# ships pytorch_model.bin, TF and Flax weights but no model.safetensors. The safetensors
# conversion lives on the hub's pull-request ref refs/pr/15, whose commit is pinned here;
# a full commit hash is immutable, a branch or PR ref is not.
REVISION="b33cedfd0df4e43b8238760678fcc89e1a0d38b3"

# name  size-in-bytes  sha256
# model.safetensors: the LFS object of the safetensors conversion (its LFS oid is its sha256).
# The five small files are unchanged from main's commit 3d74acf9; the conversion commit only
# adds model.safetensors. See tools/README.md for where each value was checked.
FILES="
config.json             4186      b575ef3c36f2a057fa19e221650105052d61cc9c1a972ec15019c6261ec98770
vocab.json              862328    5047b556ce86ccaf6aa22b3ffccfc52d391ea4accdab9c2f2407da5b742d4363
merges.txt              524657    f526393189112391ce6f9795d4695f704121ce452c3aad1f5335cc41337eba85
tokenizer_config.json   592       34b7336e4bee12e0a9730eaf5189f582ef3c3eea5027f65730e5717256755aad
special_tokens_map.json 389       f8c0d6c39aee3f8431078ef6646567b0aba7f2246e9c54b8b99d55c22b707cbf
model.safetensors       605157884 99d28a652e6ec46629ab7047a0ac82c69b1fe11e0ce672c43af65d3a9a3fc05d
"

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
}

die() {
  echo "download-clip: error: $*" >&2
  exit 1
}

VERIFY_ONLY=""
TARGET=""
while [ $# -gt 0 ]; do
  case "$1" in
    --verify-only) VERIFY_ONLY=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; die "unknown option $1" ;;
    *) [ -z "$TARGET" ] || die "only one target directory may be given"; TARGET="$1" ;;
  esac
  shift
done
TARGET="${TARGET:-weights/clip-vit-base-patch32}"
BASE_URL="${HF_ENDPOINT:-https://huggingface.co}/$REPO/resolve/$REVISION"

sha256_of() {
  # sha256sum on Linux, shasum on macOS.
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    die "need sha256sum or shasum to verify downloads"
  fi
}

size_of() {
  # GNU stat first, BSD stat second; wc -c as the portable fallback.
  stat -c %s "$1" 2>/dev/null || stat -f %z "$1" 2>/dev/null || wc -c <"$1" | tr -d ' '
}

# fetch URL OUT: append to OUT from where it stops (resume), following the hub's redirect to
# its CDN; fail on HTTP errors instead of saving an error page.
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

# check NAME SIZE SHA FILE: 0 if FILE has the expected size and sum, else prints why and 1.
check() {
  local name="$1" want_size="$2" want_sum="$3" file="$4" got_size got_sum
  got_size="$(size_of "$file")"
  if [ "$got_size" != "$want_size" ]; then
    echo "download-clip: $name: size $got_size bytes, expected $want_size" >&2
    return 1
  fi
  got_sum="$(sha256_of "$file")"
  if [ "$got_sum" != "$want_sum" ]; then
    echo "download-clip: $name: SHA-256 MISMATCH" >&2
    echo "  expected $want_sum" >&2
    echo "  got      $got_sum" >&2
    return 1
  fi
  return 0
}

mkdir -p "$TARGET"
echo "download-clip: $REPO @ $REVISION -> $TARGET"

failed=0
while read -r name size sum; do
  [ -n "$name" ] || continue
  final="$TARGET/$name"
  part="$final.part"

  if [ -f "$final" ]; then
    if check "$name" "$size" "$sum" "$final"; then
      echo "  ok       $name (already present)"
      continue
    fi
    if [ -n "$VERIFY_ONLY" ]; then
      failed=1
      continue
    fi
    # A wrong file under the final name is not resumable; start that file again.
    echo "  refetch  $name (present but does not verify)"
    rm -f "$final"
  elif [ -n "$VERIFY_ONLY" ]; then
    echo "download-clip: $name: missing" >&2
    failed=1
    continue
  fi

  # A .part longer than the real file cannot be a prefix of it: drop it rather than resume.
  if [ -f "$part" ] && [ "$(size_of "$part")" -gt "$size" ]; then
    rm -f "$part"
  fi
  # A complete .part (a run stopped between download and rename) needs no request: a range
  # request past the end is answered with HTTP 416, which curl reports as an error.
  if [ ! -f "$part" ] || [ "$(size_of "$part")" -lt "$size" ]; then
    echo "  fetch    $name ($size bytes)"
    fetch "$BASE_URL/$name" "$part" || die "download of $name failed (rerun to resume)"
  fi

  if check "$name" "$size" "$sum" "$part"; then
    mv -f "$part" "$final"
    echo "  ok       $name"
  else
    # Keep nothing that failed verification: resuming a corrupt prefix would fail again.
    rm -f "$part"
    echo "download-clip: $name did not match the pinned checksum and was deleted." >&2
    echo "  The hub or a proxy served different bytes than revision $REVISION holds." >&2
    failed=1
  fi
done <<EOF
$FILES
EOF

if [ "$failed" -ne 0 ]; then
  if [ -n "$VERIFY_ONLY" ]; then
    die "some files are missing or do not verify (see above); run without --verify-only to fetch them"
  fi
  die "some files failed verification (see above) and were deleted; nothing unverified was kept"
fi
echo "download-clip: all files verified in $TARGET"
