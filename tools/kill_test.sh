#!/usr/bin/env bash
# Kills t2i with SIGKILL at random moments and checks that nothing half-written is read as good
# and that every rerun or --resume completes (issue 31, item 4).
#
#   tools/kill_test.sh [--kills N] [--only checkpoint,bundle,generate-batch] [--seed S]
#                      [--jar target/t2i.jar] [--max-minutes M] [--no-cds] [--keep]
#
# Three scenarios, N kills each (default 20):
#   checkpoint      a small `train` run (a checkpoint every 2 steps) killed, its checkpoints
#                   checked, then `train --resume` (or, where no checkpoint was finished, the same
#                   command again, as the --resume error says) run to the end
#   bundle          `bundle` killed, the bundle path checked (absent, or it loads), then rerun
#   generate-batch  `generate-batch` killed, every PNG checked, then rerun until all rows are done
# Half of the kills wait for one write, chosen at random, to begin (its temporary file .NAME*.tmp
# appears; or, where the poll missed the whole write, its finished file) and kill at once, so
# that many land inside a write; the other half come after a uniformly random delay. A kill
# "during a write" is counted from what is left on disk: a temporary file the kill abandoned.
#
# Every file that a finished write would have named is checked twice: by t2i's own reader, and
# by an independent check (Python's zipfile CRCs for .t2i archives; PNG chunk CRCs, a full
# inflate of the pixel data and the parameters chunk for images), so that "damaged" does not
# depend on the reader under test. Prints one line per scenario and exits 1 if any check failed.
# Needs bash 5, Java 17, Python 3 (standard library only) and Linux (/proc); local files only, in
# a temporary folder that is removed at the end (--keep leaves it).
set -uo pipefail

KILLS=20
ONLY="checkpoint,bundle,generate-batch"
SEED=$(( $(date +%s) % 100000 ))
JAR=target/t2i.jar
MAX_MINUTES=45
CDS=1
KEEP=0

usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; }
while (( $# )); do
    case $1 in
        --kills) KILLS=$2; shift 2 ;;
        --only) ONLY=$2; shift 2 ;;
        --seed) SEED=$2; shift 2 ;;
        --jar) JAR=$2; shift 2 ;;
        --max-minutes) MAX_MINUTES=$2; shift 2 ;;
        --no-cds) CDS=0; shift ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "kill_test.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
[[ $KILLS =~ ^[1-9][0-9]*$ ]] || { echo "kill_test.sh: --kills needs a positive whole number" >&2; exit 2; }
[[ -f $JAR ]] || { echo "kill_test.sh: $JAR not found (build it: mvn -q -DskipTests package)" >&2; exit 2; }
JAR=$(cd "$(dirname "$JAR")" && pwd)/$(basename "$JAR")
# the tiny CLIP of the test fixtures (width 32): a real folder CLIP that loads in milliseconds, where
# the seeded random one would spend seconds building 63 M weights in every process
CLIP=$(cd "$(dirname "$0")/.." && pwd)/t2i-core/src/test/resources/fixtures/clip/model
[[ -f $CLIP/model.safetensors ]] || { echo "kill_test.sh: $CLIP missing" >&2; exit 2; }
command -v python3 >/dev/null || { echo "kill_test.sh: needs python3" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/t2i-kill.XXXXXX")
BG_PID=
cleanup() {
    # only the one process this script may have left running, by its id
    if [[ -n $BG_PID ]] && kill -0 "$BG_PID" 2>/dev/null; then
        kill -9 "$BG_PID" 2>/dev/null
        wait "$BG_PID" 2>/dev/null
    fi
    exec {SLEEP_FD}>&- 2>/dev/null
    if (( KEEP )); then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# read -t on a FIFO that never delivers is a sleep without a fork: polls every 2 ms stay cheap
mkfifo "$WORK/sleep.fifo"
exec {SLEEP_FD}<>"$WORK/sleep.fifo"
sleep_ms() {
    local t; printf -v t '%d.%03d' $(( $1 / 1000 )) $(( $1 % 1000 ))
    read -r -t "$t" -u "$SLEEP_FD" _ || true
}
now_ms() { local t=${EPOCHREALTIME/[.,]/}; NOW=$(( t / 1000 )); }
now_ms; START_MS=$NOW
DEADLINE_MS=$(( START_MS + MAX_MINUTES * 60000 ))
RANDOM=$SEED
rand_below() { R=$(( ((RANDOM << 15) | RANDOM) % $1 )); }

over_time() {
    now_ms
    if (( NOW > DEADLINE_MS )); then
        echo "kill_test.sh: over --max-minutes $MAX_MINUTES; stopping" >&2
        return 0
    fi
    return 1
}

# Each t2i command gets its own class-data-sharing archive, written when it first exits normally:
# it halves the JVM's start-up, so more kills fit in the time. It changes no file the tests look at.
java_opts() {
    JOPTS=()
    (( CDS )) || return
    local jsa=$WORK/cds-$1.jsa
    if [[ -f $jsa ]]; then JOPTS=(-XX:SharedArchiveFile="$jsa"); else JOPTS=(-XX:ArchiveClassesAtExit="$jsa"); fi
}

# t2i LOG ARGS...: runs t2i in the foreground with a time limit; stdout and stderr go to LOG
t2i() {
    local log=$1; shift
    java_opts "$1"
    timeout -k 5 300 java "${JOPTS[@]}" -jar "$JAR" "$@" >"$log" 2>&1
}

# a stack trace where the CLI promises one line
has_trace() { grep -qE '^[[:space:]]+at [a-zA-Z_$][a-zA-Z0-9_$.]*\(|^Exception in thread' "$1"; }

running() {
    local state
    [[ -r /proc/$1/stat ]] || return 1
    read -r _ _ state _ <"/proc/$1/stat" 2>/dev/null || return 1
    [[ $state != Z ]]
}

# kill_run MODE ARG LOG ARGS...: starts t2i in the background and kills it with SIGKILL.
# MODE glob: as soon as a file matches one of the patterns in ARG, split at '|' (a write's
# temporary file or, should the 2 ms poll miss a short write, its result); MODE delay: after ARG
# milliseconds.
# Sets KILLED=1 when SIGKILL ended the process, 0 when it had ended by itself first.
kill_run() {
    local mode=$1 arg=$2 log=$3; shift 3
    java_opts "$1"
    # a killed JVM writes no archive; the first normal exit of that command will
    [[ ${JOPTS[0]:-} == -XX:ArchiveClassesAtExit=* ]] && JOPTS=()
    java "${JOPTS[@]}" -jar "$JAR" "$@" >"$log" 2>&1 &
    BG_PID=$!
    now_ms
    local t0=$NOW limit=$(( NOW + 240000 ))
    if [[ $mode == delay ]]; then
        while running "$BG_PID"; do
            now_ms
            (( NOW - t0 >= arg )) && break
            sleep_ms 5
        done
    else
        local patterns p hit=0
        IFS='|' read -r -a patterns <<<"$arg"
        while running "$BG_PID"; do
            for p in "${patterns[@]}"; do compgen -G "$p" >/dev/null && hit=1; done
            (( hit )) && break
            now_ms
            (( NOW > limit )) && break
            sleep_ms 2
        done
    fi
    running "$BG_PID" && kill -9 "$BG_PID" 2>/dev/null
    wait "$BG_PID" 2>/dev/null
    # 128 + 9: the status tells a kill from an exit that beat it by a hair
    KILLED=$(( $? == 137 ))
    BG_PID=
}

# timed LOG ARGS...: t2i in the foreground, its wall time in ELAPSED_MS
timed() {
    now_ms; local t0=$NOW
    t2i "$@"; local rc=$?
    now_ms; ELAPSED_MS=$(( NOW - t0 ))
    return $rc
}

cat >"$WORK/check.py" <<'PY'
"""Independent checks of what t2i wrote: no t2i code, only the file formats."""
import json, os, struct, sys, zipfile, zlib

def zip_problem(path):
    try:
        with zipfile.ZipFile(path) as z:
            bad = z.testzip()  # reads every entry and checks its CRC-32
            if bad is not None:
                return "entry %s fails its CRC" % bad
            if not z.namelist():
                return "no entries"
    except Exception as e:  # a torn file has no central directory
        return "%s: %s" % (type(e).__name__, e)
    return None

CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}

def png_problem(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return "no PNG signature"
    pos, idat, texts, ihdr, end = 8, [], {}, None, False
    while pos < len(data):
        if pos + 8 > len(data):
            return "cut inside a chunk header"
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = data[pos + 8 + length:pos + 12 + length]
        if len(body) < length or len(crc) < 4:
            return "cut inside chunk %s" % kind.decode("latin-1")
        if zlib.crc32(kind + body) != struct.unpack(">I", crc)[0]:
            return "chunk %s fails its CRC" % kind.decode("latin-1")
        pos += 12 + length
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            texts[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\0")
            texts[key.decode("latin-1")] = rest[2:].split(b"\0", 2)[-1].decode("utf-8")
        elif kind == b"IEND":
            end = True
            break
    if ihdr is None or not idat or not end:
        return "no IHDR, IDAT or IEND"
    if pos != len(data):
        return "bytes after IEND"
    width, height, depth, color, _, _, interlace = ihdr
    try:
        raw = zlib.decompress(b"".join(idat))
    except zlib.error as e:
        return "pixel data does not inflate: %s" % e
    if interlace == 0:
        stride = 1 + (width * CHANNELS.get(color, 4) * depth + 7) // 8
        if len(raw) != height * stride:
            return "pixel data is %d bytes, expected %d" % (len(raw), height * stride)
        if any(raw[r * stride] > 4 for r in range(height)):
            return "a row has an unknown filter type"
    for key in ("parameters", "t2i"):
        if key not in texts:
            return "no '%s' text chunk" % key
    try:
        json.loads(texts["t2i"])
    except ValueError:
        return "the t2i text chunk is not JSON"
    return None

def report(kind, paths):
    bad = 0
    for p in paths:
        problem = zip_problem(p) if kind == "zip" else png_problem(p)
        if problem:
            bad += 1
            print("bad %s: %s" % (p, problem))
    return 1 if bad else 0

def entries(path, skip):
    with zipfile.ZipFile(path) as z:
        return {i.filename: i.CRC for i in z.infolist() if i.filename not in skip}

def batch(out, rows, ref):
    """Every row 0..rows-1 listed in the manifest with its files present and sound."""
    listed, problems = {}, []
    man = os.path.join(out, "manifest.jsonl")
    for line in open(man, encoding="utf-8") if os.path.exists(man) else []:
        try:
            n = json.loads(line)
        except ValueError:
            continue  # a line a kill cut short; its row must be listed again after it
        listed[n["row"]] = n["files"]
    for r in range(rows):
        if r not in listed:
            problems.append("row %d missing from the manifest" % r)
            continue
        for f in listed[r]:
            p = os.path.join(out, f)
            if not os.path.isfile(p):
                problems.append("row %d: %s missing" % (r, f))
            elif png_problem(p):
                problems.append("row %d: %s damaged: %s" % (r, f, png_problem(p)))
    same = sum(1 for r in listed for f in listed[r]
               if os.path.isfile(os.path.join(ref, f)) and os.path.isfile(os.path.join(out, f))
               and open(os.path.join(ref, f), "rb").read() == open(os.path.join(out, f), "rb").read())
    total = sum(len(v) for v in listed.values())
    for p in problems:
        print(p)
    print("identical %d %d" % (same, total))
    return 1 if problems else 0

def metrics(path, steps):
    lines = open(path, encoding="utf-8").read().splitlines()
    got = [int(l.split(",")[0]) for l in lines[1:] if l.strip()]
    if lines[:1] != ["step,epoch,loss,lr,images_per_s"] or got != list(range(1, steps + 1)):
        print("metrics.csv steps: %s" % got)
        return 1
    return 0

cmd = sys.argv[1]
if cmd in ("zip", "png"):
    sys.exit(report(cmd, sys.argv[2:]))
if cmd == "same-zip":  # same entries with the same CRCs, but for the named ones
    a, b = entries(sys.argv[2], sys.argv[4:]), entries(sys.argv[3], sys.argv[4:])
    sys.exit(0 if a == b else 1)
if cmd == "batch":
    sys.exit(batch(sys.argv[2], int(sys.argv[3]), sys.argv[4]))
if cmd == "metrics":
    sys.exit(metrics(sys.argv[2], int(sys.argv[3])))
sys.exit("unknown check " + cmd)
PY
check() { python3 "$WORK/check.py" "$@"; }

FAILED=0
fail() { echo "  FAIL: $*" >&2; FAILED=1; }
SUMMARY=()

# --- the shared small model: a 16x16 TextConditionalDiT (481 k parameters, 6 MB checkpoints) ---
STEPS=12
EVERY=2
cat >"$WORK/kill.yaml" <<EOF
description: kill test (tools/kill_test.sh)
model:
  variant: text
  img_size: 16
  patch_size: 2
  in_channels: 3
  embed_dim: 64
  depth: 2
  num_heads: 4
  mlp_ratio: 2.0
  context_dim: 32
  context_len: 24
  adaln: zero
  text_pool: true
train:
  batch: 8
  steps: $STEPS
  lr: 1.0e-3
  warmup_steps: 2
  log_every: 1
  checkpoint_every: $EVERY
  keep_checkpoints: 3
  sample_every: 0
sample:
  steps: 4
  cfg: 3.0
  sampler: euler
EOF
train_args() { TRAIN=(train --data shapes --limit 64 --config "$WORK/kill.yaml" --clip "$CLIP" --out "$1"); }
FINAL=$(printf 'step-%08d.t2i' "$STEPS")

echo "kill test: $KILLS kills per scenario ($ONLY), seed $SEED, work folder $WORK" >&2
REF=$WORK/ref-run
train_args "$REF"
if ! timed "$WORK/ref-train.log" "${TRAIN[@]}" || [[ ! -f $REF/checkpoints/$FINAL ]]; then
    cat "$WORK/ref-train.log" >&2; echo "kill_test.sh: the uninterrupted training run failed" >&2; exit 1
fi
# uniform kills fall within the work: this first run also wrote its class-data archive at exit
TRAIN_MS=$(( ELAPSED_MS * 4 / 5 ))
echo "  uninterrupted training run: $ELAPSED_MS ms" >&2

# Planted damage first: a checkpoint cut in half must be refused by both checks, or the counts
# below would prove nothing.
head -c $(( $(stat -c %s "$REF/checkpoints/$FINAL") / 2 )) "$REF/checkpoints/$FINAL" >"$WORK/torn.t2i"
check zip "$WORK/torn.t2i" >/dev/null && fail "the independent check takes a torn checkpoint"
if t2i "$WORK/torn-info.log" info --model "$WORK/torn.t2i"; then fail "t2i info reads a torn checkpoint"; fi
has_trace "$WORK/torn-info.log" && fail "a torn checkpoint gives a stack trace: $(head -3 "$WORK/torn-info.log")"

scenario_checkpoint() {
    local run=$WORK/run kills=0 during=0 resumed=0 restarted=0 completed=0 damaged=0 damaged_good=0 identical=0
    local metrics_ok=0 tries=0
    train_args "$run"
    while (( kills < KILLS )) && (( tries < 2 * KILLS )); do
        over_time && break
        tries=$(( tries + 1 ))
        rm -rf "$run"
        if (( tries % 2 )); then
            # the k-th checkpoint write of the run, the first included (no checkpoint before it)
            rand_below $(( STEPS / EVERY )); local k=$(( (R + 1) * EVERY ))
            local name; printf -v name step-%08d.t2i "$k"
            kill_run glob "$run/checkpoints/.$name*.tmp|$run/checkpoints/$name" "$WORK/ck-kill.log" "${TRAIN[@]}"
        else
            rand_below "$TRAIN_MS"
            kill_run delay "$R" "$WORK/ck-kill.log" "${TRAIN[@]}"
        fi
        (( KILLED )) || continue
        kills=$(( kills + 1 ))
        compgen -G "$run/checkpoints/.step-*.tmp" >/dev/null && during=$(( during + 1 ))
        local f
        for f in "$run"/checkpoints/step-*.t2i; do
            [[ -e $f ]] || continue
            check zip "$f" >/dev/null && continue
            damaged=$(( damaged + 1 ))
            if t2i "$WORK/ck-info.log" info --model "$f"; then
                damaged_good=$(( damaged_good + 1 )); fail "kill $kills: t2i info reads the damaged $f"
            fi
        done
        # what a user does: --resume, and where it says no checkpoint was finished, the same command again
        t2i "$WORK/ck-resume.log" "${TRAIN[@]}" --resume; local rc=$?
        if (( rc != 0 )) && grep -q 'drop --resume' "$WORK/ck-resume.log" && ! compgen -G "$run/checkpoints/step-*.t2i" >/dev/null; then
            restarted=$(( restarted + 1 ))
            t2i "$WORK/ck-resume.log" "${TRAIN[@]}"; rc=$?
        elif (( rc == 0 )); then
            resumed=$(( resumed + 1 ))
        fi
        if has_trace "$WORK/ck-resume.log"; then fail "kill $kills: a stack trace: $(grep -m3 . "$WORK/ck-resume.log")"; fi
        if grep -q 'cannot be read' "$WORK/ck-resume.log"; then
            fail "kill $kills: the resume skipped a finished checkpoint: $(grep -m1 'cannot be read' "$WORK/ck-resume.log")"
        fi
        if ! (( rc == 0 )) || ! grep -q "done at step $STEPS" "$WORK/ck-resume.log" \
                || ! check zip "$run/checkpoints/$FINAL" >/dev/null; then
            fail "kill $kills: the rerun did not complete (exit $rc): $(tail -3 "$WORK/ck-resume.log")"
            continue
        fi
        completed=$(( completed + 1 ))
        # --resume continues bit for bit: the weights, EMA and moments equal the uninterrupted run's
        check same-zip "$run/checkpoints/$FINAL" "$REF/checkpoints/$FINAL" state.json && identical=$(( identical + 1 ))
        if check metrics "$run/metrics.csv" "$STEPS" >"$WORK/ck-metrics.txt"; then metrics_ok=$(( metrics_ok + 1 ))
        else fail "kill $kills: $(cat "$WORK/ck-metrics.txt")"; fi
    done
    (( kills == KILLS )) || fail "checkpoint: only $kills kills landed in $tries tries"
    SUMMARY+=("checkpoint: $kills kills ($during during a write), $completed/$kills resumes completed ($resumed --resume, $restarted started again: no checkpoint finished yet), $damaged_good damaged files read as good ($damaged damaged under a finished name); $identical/$kills final checkpoints identical to the uninterrupted run's, $metrics_ok/$kills metrics.csv complete")
}

PROMPT="a red circle"
load_ok() { t2i "$WORK/$2" sample --model "$1" --prompt "$PROMPT" --steps 1 --out "$WORK/load-check.png"; }

scenario_bundle() {
    local dir=$WORK/bundle kills=0 during=0 present=0 present_ok=0 damaged=0 damaged_good=0 reruns=0 tries=0
    local out=$dir/model.t2i args
    args=(bundle --model "$REF" --out "$out")
    if ! timed "$WORK/ref-bundle.log" bundle --model "$REF" --out "$WORK/ref.t2i" || ! load_ok "$WORK/ref.t2i" ref-load.log; then
        cat "$WORK/ref-bundle.log" "$WORK/ref-load.log" >&2; fail "bundle: the uninterrupted bundle failed"; return
    fi
    local bundle_ms=$(( ELAPSED_MS * 4 / 5 ))
    echo "  uninterrupted bundle: $ELAPSED_MS ms" >&2
    head -c $(( $(stat -c %s "$WORK/ref.t2i") * 9 / 10 )) "$WORK/ref.t2i" >"$WORK/torn-bundle.t2i"
    check zip "$WORK/torn-bundle.t2i" >/dev/null && fail "the independent check takes a torn bundle"
    load_ok "$WORK/torn-bundle.t2i" torn-bundle.log && fail "t2i loads a torn bundle"
    has_trace "$WORK/torn-bundle.log" && fail "a torn bundle gives a stack trace"
    while (( kills < KILLS )) && (( tries < 2 * KILLS )); do
        over_time && break
        tries=$(( tries + 1 ))
        rm -rf "$dir"; mkdir -p "$dir"
        if (( tries % 2 )); then
            kill_run glob "$dir/.model.t2i*.tmp|$out" "$WORK/b-kill.log" "${args[@]}"
        else
            rand_below "$bundle_ms"
            kill_run delay "$R" "$WORK/b-kill.log" "${args[@]}"
        fi
        (( KILLED )) || continue
        kills=$(( kills + 1 ))
        compgen -G "$dir/.model.t2i*.tmp" >/dev/null && during=$(( during + 1 ))
        if [[ -e $out ]]; then
            present=$(( present + 1 ))
            local sound=1
            check zip "$out" >/dev/null || { sound=0; damaged=$(( damaged + 1 )); }
            if load_ok "$out" b-load.log; then
                present_ok=$(( present_ok + 1 ))
                (( sound )) || { damaged_good=$(( damaged_good + 1 )); fail "kill $kills: a damaged bundle loads"; }
            else
                (( sound )) && fail "kill $kills: a sound bundle does not load: $(tail -2 "$WORK/b-load.log")"
            fi
        fi
        if t2i "$WORK/b-rerun.log" "${args[@]}" && check zip "$out" >/dev/null && load_ok "$out" b-load.log; then
            reruns=$(( reruns + 1 ))
        else
            fail "kill $kills: the rerun wrote no good bundle: $(tail -2 "$WORK/b-rerun.log" "$WORK/b-load.log")"
        fi
        has_trace "$WORK/b-rerun.log" && fail "kill $kills: a stack trace in the rerun"
    done
    (( kills == KILLS )) || fail "bundle: only $kills kills landed in $tries tries"
    SUMMARY+=("bundle: $kills kills ($during during a write), $reruns/$kills reruns wrote a bundle that loads, $present left a bundle ($present_ok load), $damaged_good damaged files read as good ($damaged damaged under the bundle's name)")
}

scenario_generate() {
    local dir=$WORK/batch kills=0 during=0 pngs=0 damaged=0 damaged_good=0 reruns=0 identical=0 tries=0
    local rows=10 prompts=$WORK/prompts.jsonl
    : >"$prompts"
    local colors=(red green blue yellow) shapes=(circle square triangle) i
    for (( i = 0; i < rows; i++ )); do
        # two images on every third line: a kill can fall between a line's images too
        printf '{"prompt": "a %s %s"%s}\n' "${colors[i % 4]}" "${shapes[i % 3]}" "$( (( i % 3 == 0 )) && echo ', "n": 2')" >>"$prompts"
    done
    local args=(generate-batch --model "$WORK/ref.t2i" --prompts "$prompts" --steps 6)
    if ! timed "$WORK/ref-gen.log" "${args[@]}" --out "$WORK/ref-batch"; then
        cat "$WORK/ref-gen.log" >&2; fail "generate-batch: the uninterrupted batch failed"; return
    fi
    local gen_ms=$(( ELAPSED_MS * 4 / 5 ))
    echo "  uninterrupted generate-batch: $ELAPSED_MS ms" >&2
    local first=$WORK/ref-batch/row-00000-0.png
    head -c $(( $(stat -c %s "$first") * 2 / 3 )) "$first" >"$WORK/torn.png"
    check png "$WORK/torn.png" >/dev/null && fail "the independent check takes a torn PNG"
    t2i "$WORK/torn-png.log" info --image "$WORK/torn.png" && fail "t2i info --image reads a torn PNG"
    has_trace "$WORK/torn-png.log" && fail "a torn PNG gives a stack trace"
    while (( kills < KILLS )) && (( tries < 2 * KILLS )); do
        over_time && break
        tries=$(( tries + 1 ))
        rm -rf "$dir"
        if (( tries % 2 )); then
            rand_below "$rows"
            local row; printf -v row row-%05d "$R"
            kill_run glob "$dir/.$row-*.tmp|$dir/$row-*.png" "$WORK/g-kill.log" "${args[@]}" --out "$dir"
        else
            rand_below "$gen_ms"
            kill_run delay "$R" "$WORK/g-kill.log" "${args[@]}" --out "$dir"
        fi
        (( KILLED )) || continue
        kills=$(( kills + 1 ))
        compgen -G "$dir/.row-*.tmp" >/dev/null && during=$(( during + 1 ))
        local f newest=
        for f in "$dir"/row-*.png; do
            [[ -e $f ]] || continue
            pngs=$(( pngs + 1 ))
            [[ -z $newest || $f -nt $newest ]] && newest=$f
            if ! check png "$f" >/dev/null; then
                damaged=$(( damaged + 1 ))
                fail "kill $kills: $f is damaged: $(check png "$f")"
            fi
        done
        # t2i's own reading of the image written last before the kill
        if [[ -n $newest ]] && ! t2i "$WORK/g-info.log" info --image "$newest"; then
            fail "kill $kills: t2i info --image refuses $newest: $(tail -1 "$WORK/g-info.log")"
        fi
        # the rerun keeps what it finds: a damaged image it kept would be one read as good
        if t2i "$WORK/g-rerun.log" "${args[@]}" --out "$dir" && check batch "$dir" "$rows" "$WORK/ref-batch" >"$WORK/g-batch.txt"; then
            reruns=$(( reruns + 1 ))
        else
            grep -q damaged "$WORK/g-batch.txt" 2>/dev/null && damaged_good=$(( damaged_good + 1 ))
            fail "kill $kills: the rerun did not finish every row: $(tail -2 "$WORK/g-rerun.log"; head -3 "$WORK/g-batch.txt")"
        fi
        has_trace "$WORK/g-rerun.log" && fail "kill $kills: a stack trace in the rerun"
        local same total
        read -r _ same total < <(grep '^identical' "$WORK/g-batch.txt")
        [[ -n ${same:-} && $same == "$total" ]] && identical=$(( identical + 1 ))
    done
    (( kills == KILLS )) || fail "generate-batch: only $kills kills landed in $tries tries"
    SUMMARY+=("generate-batch: $kills kills ($during during a PNG write), $reruns/$kills reruns finished all $rows rows, $damaged_good damaged files read as good ($damaged damaged of $pngs PNGs found after the kills); $identical/$kills batches identical to the uninterrupted one")
}

# timed_scenario FUNCTION: runs it and appends its wall time to its summary line
timed_scenario() {
    now_ms; local t0=$NOW n=${#SUMMARY[@]}
    "$1"
    now_ms
    (( ${#SUMMARY[@]} > n )) && SUMMARY[-1]+="; $(( (NOW - t0) / 1000 )) s"
}
[[ ,$ONLY, == *,checkpoint,* ]] && timed_scenario scenario_checkpoint
# the bundle is also the model of generate-batch, so that scenario makes it when bundle is skipped
if [[ ,$ONLY, == *,bundle,* ]]; then
    timed_scenario scenario_bundle
elif [[ ,$ONLY, == *,generate-batch,* ]]; then
    t2i "$WORK/ref-bundle.log" bundle --model "$REF" --out "$WORK/ref.t2i" || { cat "$WORK/ref-bundle.log" >&2; exit 1; }
fi
[[ ,$ONLY, == *,generate-batch,* ]] && timed_scenario scenario_generate

now_ms
printf '%s\n' "${SUMMARY[@]}"
printf 'elapsed %d s, seed %s\n' $(( (NOW - START_MS) / 1000 )) "$SEED"
exit "$FAILED"
