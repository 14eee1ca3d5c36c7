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

DL_NAME=download-clip
# shellcheck source=tools/lib-download.sh
. "$(dirname "$0")/lib-download.sh"

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
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

mkdir -p "$TARGET"
echo "download-clip: $REPO @ $REVISION -> $TARGET"

failed=0
while read -r name size sum; do
  [ -n "$name" ] || continue
  final="$TARGET/$name"

  if [ -f "$final" ]; then
    if verify_file "$name" "$final" "$size" "$sum"; then
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

  if fetch_verified "$BASE_URL/$name" "$final" "$size" "$sum"; then
    echo "  ok       $name"
  else
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
