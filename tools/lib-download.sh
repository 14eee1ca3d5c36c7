# Functions shared by the download scripts; sourced, not run. The caller sets DL_NAME, the
# prefix of every message (e.g. DL_NAME=download-clip).
#
# The contract of fetch_verified: a file is under its final name only once its size and sums
# match; a partial download waits as NAME.part and is resumed by the next run; bytes that fail
# verification are deleted, never kept.

die() {
  echo "$DL_NAME: error: $*" >&2
  exit 1
}

size_of() {
  # GNU stat first, BSD stat second; wc -c as the portable fallback.
  stat -c %s "$1" 2>/dev/null || stat -f %z "$1" 2>/dev/null || wc -c <"$1" | tr -d ' '
}

# sum_of ALGO FILE (ALGO: sha256 or md5), with GNU coreutils or the macOS tools.
sum_of() {
  local algo="$1" file="$2"
  if command -v "${algo}sum" >/dev/null 2>&1; then
    "${algo}sum" "$file" | cut -d' ' -f1
  elif [ "$algo" = sha256 ] && command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$file" | cut -d' ' -f1
  elif [ "$algo" = md5 ] && command -v md5 >/dev/null 2>&1; then
    md5 -q "$file"
  else
    die "need ${algo}sum to verify downloads"
  fi
}

# fetch URL OUT: append to OUT from where it stops (resume), following redirects (the hub's CDN);
# fail on HTTP errors instead of saving an error page.
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

# verify_file LABEL FILE SIZE SHA256 [MD5]: 0 when everything given matches; else says what
# differs and returns 1.
verify_file() {
  local label="$1" file="$2" want_size="$3" want_sha="$4" want_md5="${5:-}" got
  got="$(size_of "$file")"
  if [ "$got" != "$want_size" ]; then
    echo "$DL_NAME: $label: size $got bytes, expected $want_size" >&2
    return 1
  fi
  if [ -n "$want_md5" ]; then
    got="$(sum_of md5 "$file")"
    if [ "$got" != "$want_md5" ]; then
      echo "$DL_NAME: $label: MD5 MISMATCH (expected $want_md5, got $got)" >&2
      return 1
    fi
  fi
  got="$(sum_of sha256 "$file")"
  if [ "$got" != "$want_sha" ]; then
    echo "$DL_NAME: $label: SHA-256 MISMATCH" >&2
    echo "  expected $want_sha" >&2
    echo "  got      $got" >&2
    return 1
  fi
  return 0
}

# fetch_verified URL FINAL SIZE SHA256 [MD5]: downloads URL to FINAL.part (resuming it), then
# renames it to FINAL if it verifies. Returns 1, with the bad bytes deleted, if it does not.
fetch_verified() {
  local url="$1" final="$2" size="$3" sha="$4" md5="${5:-}" part="$2.part"
  # A .part longer than the real file cannot be a prefix of it: drop it rather than resume.
  if [ -f "$part" ] && [ "$(size_of "$part")" -gt "$size" ]; then
    rm -f "$part"
  fi
  # A complete .part (a run stopped between download and rename) needs no request: a range
  # request past the end is answered with HTTP 416, which curl reports as an error.
  if [ ! -f "$part" ] || [ "$(size_of "$part")" -lt "$size" ]; then
    echo "  fetch    $(basename "$final") ($size bytes)"
    fetch "$url" "$part" || die "download of $(basename "$final") failed (rerun to resume)"
  fi
  if verify_file "$(basename "$final")" "$part" "$size" "$sha" "$md5"; then
    mv -f "$part" "$final"
    return 0
  fi
  # Keep nothing that failed verification: resuming a corrupt prefix would fail again.
  rm -f "$part"
  return 1
}
