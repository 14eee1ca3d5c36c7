#!/usr/bin/env python3
"""Writes the test fixtures the project carries in t2i-core/src/test/resources/fixtures/.

Every file comes from fixed seeds and is written byte for byte the same on every run (same
library versions): random weights are drawn with numpy's PCG64 as uniform numbers (no
platform-dependent transcendental functions), reference outputs are computed in float64 and
rounded to float32 once, safetensors files list their tensors in sorted order, JSON is written
with a fixed layout, and nothing records a time or a path.

  clip/model/       a tiny CLIPTextModelWithProjection in the Hugging Face layout (config.json,
                    model.safetensors, vocab.json, merges.txt, tokenizer_config.json,
                    special_tokens_map.json); its byte-level BPE vocabulary is trained here with
                    the tokenizers library on a few kilobytes of generated captions
  clip/prompts.json prompts that exercise the tokenizer's hard cases
  clip/golden.safetensors
                    the official CLIPTokenizer (padding and truncation to 77) and
                    CLIPTextModelWithProjection outputs for those prompts: input_ids,
                    attention_mask (int64 [P,77]), last_hidden_state [P,77,W], pooler_output
                    [P,W], text_embeds [P,E] (float32)
  dit/              a tiny TextConditionalDiT in the reference implementation's state-dict layout
                    (config.json, model.safetensors) and golden.safetensors: inputs x, t,
                    context, context_mask and the reference velocity; the model is the PyTorch
                    definition in tools/peer_bench.py
  SHA256SUMS        the sums of all of the above

Usage (from the repository root):
  python3 tools/make_test_fixtures.py            write the fixtures
  python3 tools/make_test_fixtures.py --verify   write them to a temporary folder and compare
                                                 every byte with the committed ones (exit 1 if
                                                 any file differs)
  python3 tools/make_test_fixtures.py --check-shared
                                                 run this script's DiT definition and its CLIP
                                                 pipeline on ../shared's tiny reference models
                                                 and compare with their golden outputs

Needs: python 3.11, torch (CPU), transformers, tokenizers, safetensors, numpy.
"""
from __future__ import annotations

import argparse
import filecmp
import hashlib
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import tokenizers
import torch
import transformers
from safetensors.torch import load_file, save_file
from tokenizers import Tokenizer, models, trainers
from transformers import CLIPTextConfig, CLIPTextModelWithProjection, CLIPTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer_bench import TextConditionalDiT, load_reference_checkpoint  # noqa: E402  (the reference architecture)

transformers.logging.set_verbosity_error()
transformers.logging.disable_progress_bar()

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "t2i-core" / "src" / "test" / "resources" / "fixtures"
SHARED = REPO.parent / "shared"

CONTEXT_LENGTH = 77
START, END = "<|startoftext|>", "<|endoftext|>"

# Seeds of the numpy PCG64 generators, one per fixture, so that changing one leaves the others.
CLIP_SEED = 12
DIT_SEED = 13

CLIP_TEXT = dict(hidden_size=32, intermediate_size=80, num_hidden_layers=2, num_attention_heads=4,
                 projection_dim=24, max_position_embeddings=CONTEXT_LENGTH,
                 hidden_act="quick_gelu", layer_norm_eps=1e-5,
                 # 2 is the legacy eos id of openai/clip-vit-base-patch32: pool at the largest id
                 bos_token_id=0, eos_token_id=2, pad_token_id=1)
BPE_MERGES = 600

DIT_CONFIG = dict(img_size=16, patch_size=4, in_channels=3, embed_dim=32, depth=2, num_heads=4,
                  mlp_ratio=4.0, context_dim=32)
DIT_TIMES = [0.0, 0.3, 0.75, 1.0]
# Real tokens per caption (BOS + text + EOS): the empty caption's 2, short and long ones; none
# fills all 77, so the Java model's cut of the common padding is what the golden checks.
DIT_TEXT_LENGTHS = [2, 7, 23, 40]

PROMPTS = [
    "a photo of a cat",
    "",
    "an orange airplane over the sea",
    "A Photo Of A DOG RUNNING",
    "  lots\tof \n\n whitespace   here  ",
    " \t\n ",
    "can't won't it's we'll i'd you're they've i'm IT'S",
    "''s don''t",
    "café crème brûlée, naïve résumé",
    "cafe\u0301 (a combining accent, composed by NFC)",
    "a 🐱 and a 🚀 under 🇯🇵, 👩‍🚀!",
    "東京の猫が好き 한국어",
    "Tiếng Việt, مرحبا, नमस्ते",
    "<|startoftext|>hello<|endoftext|>world",
    "<|ENDOFTEXT|> <|STARTOFTEXT|>",
    "a<|endoftext|>b<|startoftext|>c",
    "ΟΔΟΣ Σ σς",
    "İstanbul ẞ Ǆ ﬁne",
    "a\u00a0b\u3000c\u200bd",
    "&lt;b&gt; Tom &amp; Jerry",
    "\U0001394d\uff77 \U00010570x",
    "3.14159 and 2024-01-01, 100%!!!",
    "hello,world.foo-bar_baz!? ...",
    "a" + " a" * 74,
    "a" + " a" * 75,
    "supercalifragilisticexpialidocious" * 12,
    "a very long prompt that keeps going and going, with so many words that the tokenizer has "
    "to cut it at seventy seven tokens, the context length CLIP was trained with: one two three "
    "four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen",
]


# ------------------------------------------------------------------------------------------------
# deterministic writing
# ------------------------------------------------------------------------------------------------

def write_json(path: Path, obj, ascii_only: bool = True, sort: bool = True) -> None:
    """Keys sorted unless the order is the content (vocab.json lists tokens in id order)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(obj, indent=1, sort_keys=sort, ensure_ascii=ascii_only)
    path.write_text(text + "\n", encoding="utf-8", newline="\n")


def write_safetensors(path: Path, tensors: dict[str, torch.Tensor], metadata=None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = {k: tensors[k].contiguous() for k in sorted(tensors)}
    save_file(ordered, str(path), metadata=metadata)


def uniform(rng: np.random.Generator, shape, low: float, high: float) -> torch.Tensor:
    """float32 uniform numbers from PCG64: the same bits on every platform."""
    values = low + (high - low) * rng.random(size=tuple(shape), dtype=np.float64)
    return torch.from_numpy(values.astype(np.float32))


def random_weights(named_shapes: dict[str, torch.Size], seed: int) -> dict[str, torch.Tensor]:
    """Weights in sorted name order: matrices and convolutions U(±sqrt(3/fan_in)) (variance
    1/fan_in), embeddings U(±1), layer-norm scales 1 ± 0.2, every bias and layer-norm shift ± 0.1."""
    rng = np.random.Generator(np.random.PCG64(seed))
    out = {}
    for name in sorted(named_shapes):
        shape = named_shapes[name]
        if len(shape) >= 2:
            bound = 1.0 if "embedding" in name else (3.0 / int(np.prod(shape[1:]))) ** 0.5
            out[name] = uniform(rng, shape, -bound, bound)
        elif is_norm_scale(name):
            out[name] = uniform(rng, shape, 0.8, 1.2)
        else:
            out[name] = uniform(rng, shape, -0.1, 0.1)
    return out


def is_norm_scale(name: str) -> bool:
    return name.endswith(".weight") and ("norm" in name.rsplit(".", 2)[-2])


# ------------------------------------------------------------------------------------------------
# CLIP: vocabulary, model, official outputs
# ------------------------------------------------------------------------------------------------

def byte_symbols() -> list[str]:
    """GPT-2's byte-to-unicode table in CLIP's vocabulary order: the printable bytes keep their
    character, the others are mapped to U+0100 onwards."""
    printable = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
                 + list(range(ord("®"), ord("ÿ") + 1)))
    others = [b for b in range(256) if b not in printable]
    return [chr(b) for b in printable] + [chr(256 + i) for i in range(len(others))]


def training_text() -> list[str]:
    """A few kilobytes of captions, written out from word lists (no external text)."""
    colours = ["red", "green", "blue", "yellow", "orange", "purple", "black", "white", "brown",
               "grey", "pink", "golden"]
    things = ["cat", "dog", "airplane", "car", "ship", "truck", "bird", "horse", "frog", "deer",
              "circle", "square", "triangle", "flower", "house", "tree", "mountain", "river",
              "automobile", "kitten", "puppy", "bicycle", "train", "boat", "elephant", "giraffe",
              "rabbit", "castle", "bridge", "garden", "window", "painting", "sandwich", "guitar"]
    places = ["on the grass", "in the sky", "by the sea", "in a city street", "at night",
              "under the snow", "in the forest", "on a table", "near the mountains",
              "behind the station", "inside a museum", "across the desert", "during sunset"]
    doing = ["running", "sleeping", "flying", "swimming", "standing", "jumping", "waiting",
             "driving", "sitting", "playing", "shining", "resting"]
    lines = []
    for i, thing in enumerate(things):
        article = "an" if thing[0] in "aeiou" else "a"
        for j, colour in enumerate(colours):
            place = places[(i * 7 + j * 3) % len(places)]
            verb = doing[(i * 5 + j) % len(doing)]
            if (i + j) % 3 == 0:
                lines.append(f"a photo of {article} {thing}")
            if (i + j) % 3 == 1:
                lines.append(f"a {colour} {thing} {verb} {place}")
            if (i + j) % 11 == 0:
                lines.append(f"it's a painting of the {colour} {thing}, isn't it? we've seen "
                             f"{i + j} of them, they're {j + 2} years old")
    lines += [
        "café crème brûlée au lait, naïve résumé de la façade",
        "très élégant, à côté de l'hôtel, où est le garçon?",
        "東京の猫と京都の犬が好きです",
        "猫 犬 鳥 馬 船 車 山 川 花 木",
        "ελληνικά: ο σκύλος και η γάτα",
        "über grüne Wiesen läuft ein großer Hund",
    ]
    return lines


def train_bpe() -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Byte-level BPE with CLIP's normaliser, pre-tokenizer and end-of-word suffix, trained with
    the tokenizers library; laid out as CLIP lays out its vocabulary: the 256 byte symbols, the
    same with </w>, one token per merge, then the start and end tokens."""
    symbols = byte_symbols()
    base = symbols + [s + "</w>" for s in symbols]
    clip_pipeline = CLIPTokenizer(vocab={START: 0, END: 1}, merges=[]).backend_tokenizer
    tok = Tokenizer(models.BPE(end_of_word_suffix="</w>"))
    tok.normalizer = clip_pipeline.normalizer
    tok.pre_tokenizer = clip_pipeline.pre_tokenizer
    # Every byte symbol, with and without </w>, is registered before training (as a "special
    # token" of the trainer), so ids, and with them the trainer's tie-breaks, never depend on
    # the order in which it meets words.
    trainer = trainers.BpeTrainer(vocab_size=len(base) + BPE_MERGES, min_frequency=2,
                                  special_tokens=base, initial_alphabet=[],
                                  end_of_word_suffix="</w>", show_progress=False)
    tok.train_from_iterator(training_text(), trainer=trainer)
    merges = [tuple(m) if not isinstance(m, str) else tuple(m.split(" "))
              for m in json.loads(tok.to_str())["model"]["merges"]]
    tokens = base + [a + b for a, b in merges] + [START, END]
    vocab = {t: i for i, t in enumerate(tokens)}
    assert len(vocab) == len(tokens), "a merge produced an existing token"
    return vocab, merges


def write_clip_model(folder: Path) -> None:
    vocab, merges = train_bpe()
    write_json(folder / "vocab.json", vocab, ascii_only=False, sort=False)
    with open(folder / "merges.txt", "w", encoding="utf-8", newline="\n") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")
    write_json(folder / "tokenizer_config.json", {
        "tokenizer_class": "CLIPTokenizer", "do_lower_case": True, "model_max_length": CONTEXT_LENGTH,
        "bos_token": START, "eos_token": END, "pad_token": END, "unk_token": END,
        "errors": "replace", "add_prefix_space": False})
    special = lambda content, normalized: {"content": content, "lstrip": False,  # noqa: E731
                                           "normalized": normalized, "rstrip": False,
                                           "single_word": False}
    write_json(folder / "special_tokens_map.json", {
        "bos_token": special(START, True), "eos_token": special(END, False),
        "pad_token": special(END, False), "unk_token": special(END, False)})

    config = CLIPTextConfig(vocab_size=len(vocab), **CLIP_TEXT)
    config.architectures = ["CLIPTextModelWithProjection"]
    model = CLIPTextModelWithProjection(config)
    shapes = {k: p.shape for k, p in model.named_parameters()}
    weights = random_weights(shapes, CLIP_SEED)
    model.load_state_dict(weights, strict=True)
    fields = config.to_diff_dict()   # what save_pretrained writes
    fields["dtype"] = "float32"
    write_json(folder / "config.json", fields)
    write_safetensors(folder / "model.safetensors", weights, metadata={"format": "pt"})


def clip_outputs(folder: Path, prompts: list[str]) -> dict[str, torch.Tensor]:
    """The official implementation's outputs, loaded from the folder as a user would; the
    transformer runs in float64 and the results are rounded to float32 once."""
    tokenizer = CLIPTokenizer.from_pretrained(str(folder))
    model = CLIPTextModelWithProjection.from_pretrained(str(folder), attn_implementation="eager")
    model = model.double().eval()
    enc = tokenizer(prompts, padding="max_length", max_length=CONTEXT_LENGTH, truncation=True,
                    return_tensors="pt")
    with torch.no_grad():
        text = model.text_model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
        embeds = model.text_projection(text.pooler_output)
        whole = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
    assert torch.equal(whole.text_embeds, embeds)
    return {"input_ids": enc["input_ids"].long(),
            "attention_mask": enc["attention_mask"].long(),
            "last_hidden_state": text.last_hidden_state.float(),
            "pooler_output": text.pooler_output.float(),
            "text_embeds": embeds.float()}


def write_clip(out: Path) -> None:
    write_clip_model(out / "model")
    write_json(out / "prompts.json", PROMPTS)
    write_safetensors(out / "golden.safetensors", clip_outputs(out / "model", PROMPTS))


# ------------------------------------------------------------------------------------------------
# DiT: reference checkpoint, inputs, velocity
# ------------------------------------------------------------------------------------------------

def dit_velocity(model: TextConditionalDiT, g: dict[str, torch.Tensor], dtype) -> torch.Tensor:
    model = model.to(dtype).eval()
    with torch.no_grad():
        return model(g["x"].to(dtype), g["t"].to(dtype), g["context"].to(dtype), g["context_mask"])


def write_dit(out: Path) -> None:
    model = TextConditionalDiT(**DIT_CONFIG)
    weights = random_weights({k: v.shape for k, v in model.state_dict().items()}, DIT_SEED)
    model.load_state_dict(weights, strict=True)
    rng = np.random.Generator(np.random.PCG64(DIT_SEED + 1000))
    b, c, s, d = len(DIT_TIMES), DIT_CONFIG["in_channels"], DIT_CONFIG["img_size"], DIT_CONFIG["context_dim"]
    g = {"x": uniform(rng, (b, c, s, s), -1.7, 1.7),
         "t": torch.tensor(DIT_TIMES, dtype=torch.float32),
         # padded positions hold values too: the model must ignore them
         "context": uniform(rng, (b, CONTEXT_LENGTH, d), -2.0, 2.0),
         "context_mask": (torch.arange(CONTEXT_LENGTH)[None, :]
                          < torch.tensor(DIT_TEXT_LENGTHS)[:, None]).long()}
    g["velocity"] = dit_velocity(model, g, torch.float64).float()
    write_json(out / "config.json", DIT_CONFIG)
    write_safetensors(out / "model.safetensors", weights)
    write_safetensors(out / "golden.safetensors", g)


# ------------------------------------------------------------------------------------------------

def write_all(out: Path) -> None:
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    write_clip(out / "clip")
    write_dit(out / "dit")
    files = sorted(p for p in out.rglob("*") if p.is_file() and p.name not in ("SHA256SUMS", "README.md"))
    with open(out / "SHA256SUMS", "w", encoding="utf-8", newline="\n") as f:
        for p in files:
            f.write(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(out).as_posix()}\n")


def verify() -> int:
    """Regenerates into a temporary folder and compares every file with the committed one."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        write_all(fresh)
        names = sorted(p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_file())
        bad = [n for n in names if not (OUT / n).is_file() or not filecmp.cmp(fresh / n, OUT / n, shallow=False)]
        extra = sorted(p.relative_to(OUT).as_posix() for p in OUT.rglob("*")
                       if p.is_file() and p.name != "README.md" and not (fresh / p.relative_to(OUT)).exists())
        for n in names:
            print(f"{'DIFFERS' if n in bad else 'same   '} {n}")
        for n in extra:
            print(f"EXTRA   {n} (not written by this script)")
        print(f"{len(names) - len(bad)} of {len(names)} files reproduced bit for bit")
        return 1 if bad or extra else 0


def check_shared() -> int:
    """Runs this script's DiT definition and CLIP pipeline on ../shared's reference files."""
    ok = True
    model, _, g = load_reference_checkpoint(SHARED / "dit" / "tiny-text-dit")
    for dtype in (torch.float32, torch.float64):
        err = (dit_velocity(model, g, dtype).float() - g["velocity"]).abs().max().item()
        print(f"shared tiny-text-dit, velocity in {dtype}: max abs error {err:.3g} "
              f"(max |v| {g['velocity'].abs().max().item():.3g})")
        ok &= err <= 1e-5
    clip = SHARED / "clip" / "tiny-random-clip"
    golden = load_file(str(clip / "golden.safetensors"))
    got = clip_outputs(clip / "model", json.loads((clip / "prompts.json").read_text(encoding="utf-8")))
    for k in ("input_ids", "attention_mask"):
        same = torch.equal(got[k], golden[k])
        print(f"shared tiny-random-clip {k}: {'identical' if same else 'DIFFERENT'}")
        ok &= same
    for k in ("last_hidden_state", "pooler_output", "text_embeds"):
        err = (got[k] - golden[k]).abs().max().item()
        print(f"shared tiny-random-clip {k}: max abs error {err:.3g}")
        ok &= err <= 1e-5
    return 0 if ok else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--verify", action="store_true", help="compare a fresh generation with the committed files")
    p.add_argument("--check-shared", action="store_true", help="check the definitions on ../shared's reference files")
    args = p.parse_args()
    print(f"# torch {torch.__version__}, transformers {transformers.__version__}, "
          f"tokenizers {tokenizers.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}")
    if args.check_shared:
        return check_shared()
    if args.verify:
        return verify()
    write_all(OUT)
    for line in (OUT / "SHA256SUMS").read_text().splitlines():
        name = line.split("  ", 1)[1]
        print(f"{(OUT / name).stat().st_size:>9,} B  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
