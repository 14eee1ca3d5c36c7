#!/usr/bin/env python3
"""PyTorch peer benchmark for the speed goals of the JVM text-to-image project.

It re-implements the reference TextConditionalDiT (docs/DESIGN.md) in plain
PyTorch, with the reference's state-dict names, and times the three workloads the Java
implementation is compared against:

  train-step  one flow-matching AdamW step on a batch of 64 (random data, random CLIP context)
  sample      10 images, 50 Euler steps, classifier-free guidance (cond + uncond as one batch
              of 20; the reference's two passes of 10 are timed too)
  encode      a CLIP ViT-B/32 text tower of the real shapes (random weights): 64 prompts, 1 prompt

  --check-golden  load shared/dit/tiny-text-dit (model.safetensors + config.json) and compare
                  this implementation's velocity with golden.safetensors

Every figure is printed on its own line as `name value unit` (median over --reps after
--warmup untimed runs); lines starting with `#` are context. Run one mode per process so that
peak_rss_mb belongs to that mode alone.

Needs: python 3.11, torch (CPU is enough), numpy, safetensors; transformers for `encode`.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

# The seed preset of docs/DESIGN.md; the parameter count is the compatibility check.
SEED_CONFIG = dict(img_size=32, patch_size=4, in_channels=3, embed_dim=256, depth=6,
                   num_heads=8, mlp_ratio=4.0, context_dim=512)
SEED_PARAMS = 18_145_072

CLIP_LEN = 77          # CLIP context length: every prompt is padded to 77 tokens
BOS, EOS = 49406, 49407  # <|startoftext|>, <|endoftext|> (EOS doubles as pad)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GOLDEN_DIR = REPO_ROOT.parent / "shared" / "dit" / "tiny-text-dit"


# --------------------------------------------------------------------------------------------
# Model: TextConditionalDiT as docs/DESIGN.md describes it
# --------------------------------------------------------------------------------------------

def sincos_1d(positions: torch.Tensor, dim: int) -> torch.Tensor:
    """[sin(p*f), cos(p*f)] with f_i = exp(-i ln(10000) / (dim/2 - 1)), i < dim/2.

    The reference divides by (half - 1), not half, so the last frequency is exactly 1/10000;
    both the position and the timestep embedding use this form.
    """
    half = dim // 2
    # float32 as the reference; float64 when given float64 times (for golden outputs)
    dtype = positions.dtype if positions.is_floating_point() else torch.float32
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=dtype) / (half - 1))
    args = positions.to(dtype)[:, None] * freqs[None, :]
    return torch.cat([torch.sin(args), torch.cos(args)], dim=-1)


def pos_embed_2d(grid: int, dim: int) -> torch.Tensor:
    """Fixed 2-D embedding [grid*grid, dim]: patch (r, c) -> concat(e(r), e(c)), row-major."""
    e = sincos_1d(torch.arange(grid), dim // 2)            # [grid, dim/2]
    rows = e[:, None, :].expand(grid, grid, dim // 2)      # e(r) for every (r, c)
    cols = e[None, :, :].expand(grid, grid, dim // 2)      # e(c) for every (r, c)
    return torch.cat([rows, cols], dim=-1).reshape(grid * grid, dim)


class PatchEmbed(nn.Module):
    def __init__(self, in_channels: int, dim: int, patch: int):
        super().__init__()
        self.proj = nn.Conv2d(in_channels, dim, kernel_size=patch, stride=patch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x).flatten(2).transpose(1, 2)    # [B, N, D], patches row-major


class TimestepEmbed(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.SiLU(), nn.Linear(4 * dim, 4 * dim))

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        # t in [0, 1] is used as is (no x1000 scaling).
        return self.mlp(sincos_1d(t, self.dim))


class AdaLN(nn.Module):
    """Plain adaLN: LayerNorm without affine, then x*(1+scale)+shift; [scale|shift] = proj(c)."""

    def __init__(self, dim: int, cond_dim: int):
        super().__init__()
        self.norm = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-5)
        self.proj = nn.Linear(cond_dim, 2 * dim)

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        scale, shift = self.proj(c).chunk(2, dim=-1)
        return self.norm(x) * (1 + scale[:, None, :]) + shift[:, None, :]


class CrossAttention(nn.Module):
    """Image tokens attend to text tokens; padded text tokens get -inf before the softmax."""

    def __init__(self, dim: int, context_dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.head_dim = dim // heads
        self.q_proj = nn.Linear(dim, dim)
        self.k_proj = nn.Linear(context_dim, dim)
        self.v_proj = nn.Linear(context_dim, dim)
        self.out_proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor, z: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        b, n, d = x.shape
        m = z.shape[1]
        q = self.q_proj(x).view(b, n, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(z).view(b, m, self.heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(z).view(b, m, self.heads, self.head_dim).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) * self.head_dim ** -0.5     # [B, H, N, M]
        if mask is not None:
            # mask: [B, M], 1 = real token, 0 = padding.
            scores = scores.masked_fill(mask[:, None, None, :] == 0, float("-inf"))
        out = scores.softmax(dim=-1) @ v
        return self.out_proj(out.transpose(1, 2).reshape(b, n, d))


class DiTBlock(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: float, context_dim: int, cond_dim: int,
                 dropout: float):
        super().__init__()
        self.norm1 = AdaLN(dim, cond_dim)
        # nn.MultiheadAttention gives the fused in_proj_weight [3D, D] / in_proj_bias / out_proj
        # layout (and names) of the reference.
        self.self_attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm2 = AdaLN(dim, cond_dim)
        self.cross_attn = CrossAttention(dim, context_dim, heads)
        self.norm3 = AdaLN(dim, cond_dim)
        hidden = int(dim * mlp_ratio)
        # Indices 0 and 3 are the Linear layers in the reference checkpoint (mlp.0, mlp.3).
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(approximate="none"),
                                 nn.Dropout(dropout), nn.Linear(hidden, dim))

    def forward(self, x, c, z, mask):
        h = self.norm1(x, c)
        x = x + self.self_attn(h, h, h, need_weights=False)[0]
        x = x + self.cross_attn(self.norm2(x, c), z, mask)
        return x + self.mlp(self.norm3(x, c))


class TextConditionalDiT(nn.Module):
    def __init__(self, img_size=32, patch_size=4, in_channels=3, embed_dim=256, depth=6,
                 num_heads=8, mlp_ratio=4.0, context_dim=512, dropout=0.0):
        super().__init__()
        self.patch = patch_size
        self.channels = in_channels
        self.grid = img_size // patch_size
        cond_dim = 4 * embed_dim
        self.patch_embed = PatchEmbed(in_channels, embed_dim, patch_size)
        # A buffer, not a parameter (it is not trained) and not persistent (the reference
        # checkpoint has no key for it).
        self.register_buffer("pos_embed", pos_embed_2d(self.grid, embed_dim), persistent=False)
        self.time_embed = TimestepEmbed(embed_dim)
        self.text_proj = nn.Linear(context_dim, context_dim)
        self.blocks = nn.ModuleList(
            DiTBlock(embed_dim, num_heads, mlp_ratio, context_dim, cond_dim, dropout)
            for _ in range(depth))
        self.final_norm = nn.LayerNorm(embed_dim, eps=1e-5)
        self.final_proj = nn.Linear(embed_dim, patch_size * patch_size * in_channels)
        self._init_weights()

    def _init_weights(self):
        # Reference init: xavier-uniform for every Linear weight (attention included), zero
        # biases, the final Linear all zeros. Conv2d and LayerNorm keep PyTorch's defaults.
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.MultiheadAttention):
                nn.init.xavier_uniform_(m.in_proj_weight)
                nn.init.zeros_(m.in_proj_bias)
        nn.init.zeros_(self.final_proj.weight)
        nn.init.zeros_(self.final_proj.bias)

    def unpatchify(self, x: torch.Tensor) -> torch.Tensor:
        # [B, N, p*p*C], each patch's outputs ordered (row-in-patch, col-in-patch, channel).
        b, p, c, g = x.shape[0], self.patch, self.channels, self.grid
        x = x.view(b, g, g, p, p, c)                        # (grid row, grid col, pr, pc, ch)
        return x.permute(0, 5, 1, 3, 2, 4).reshape(b, c, g * p, g * p)

    def forward(self, x, t, context, context_mask=None):
        h = self.patch_embed(x) + self.pos_embed
        c = self.time_embed(t)
        z = self.text_proj(context)
        for block in self.blocks:
            h = block(h, c, z, context_mask)
        return self.unpatchify(self.final_proj(self.final_norm(h)))


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


# --------------------------------------------------------------------------------------------
# Inputs and timing helpers
# --------------------------------------------------------------------------------------------

def random_mask(batch: int, gen: torch.Generator) -> torch.Tensor:
    """Attention masks of CLIP-like prompts: 1 for BOS + 1..20 text tokens + EOS, 0 after."""
    lengths = torch.randint(3, 23, (batch,), generator=gen)
    return (torch.arange(CLIP_LEN)[None, :] < lengths[:, None]).long()


def timed(fn, warmup: int, reps: int) -> list[float]:
    """Seconds of each of `reps` calls of fn, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    out = []
    cpu0 = time.process_time()
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    # CPU seconds per wall second across the timed runs: close to --threads on an idle
    # machine, lower when other processes take the cores (then the timings are inflated).
    busy = (time.process_time() - cpu0) / max(sum(out), 1e-9)
    print(f"# timed runs {' '.join(f'{x:.3f}' for x in out)} s; "
          f"cpu/wall {busy:.2f} with {torch.get_num_threads()} threads", flush=True)
    return out


def emit(name: str, value: float, unit: str) -> None:
    print(f"{name} {value:.4g} {unit}" if abs(value) < 1e5 else f"{name} {value:.0f} {unit}",
          flush=True)


def emit_peak_rss() -> None:
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    mib = rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024
    emit("peak_rss_mb", mib, "MB")


# --------------------------------------------------------------------------------------------
# Modes
# --------------------------------------------------------------------------------------------

def build_seed_model(args) -> TextConditionalDiT:
    model = TextConditionalDiT(**SEED_CONFIG, dropout=args.dropout)
    n = count_params(model)
    assert n == SEED_PARAMS, f"parameter count {n} != reference {SEED_PARAMS}"
    print(f"# model TextConditionalDiT seed preset, {n} parameters (matches reference)")
    return model


def mode_train_step(args, gen):
    model = build_seed_model(args).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    b = args.batch

    def step():
        # Fresh random batch each step, as a data loader would hand over: x0 in [-1, 1].
        x0 = torch.rand(b, 3, 32, 32, generator=gen) * 2 - 1
        x1 = torch.randn(b, 3, 32, 32, generator=gen)
        t = torch.rand(b, generator=gen)
        ctx = torch.randn(b, CLIP_LEN, 512, generator=gen)
        mask = random_mask(b, gen)
        tt = t[:, None, None, None]
        xt = (1 - tt) * x0 + tt * x1
        loss = F.mse_loss(model(xt, t, ctx, mask), x1 - x0)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    secs = timed(step, args.warmup, args.reps)
    med = statistics.median(secs)
    emit("train_step_ms", med * 1000, "ms")
    emit("train_images_per_s", b / med, "images/s")


@torch.inference_mode()
def euler_cfg(model, x, ctx, mask, null_ctx, null_mask, steps, w, batched):
    """Integrate from t=1 (noise) to t=0 with CFG: v = v_u + w (v_c - v_u)."""
    n = x.shape[0]
    dt = 1.0 / steps
    if batched:
        # cond and uncond in one forward of 2n: the text inputs never change, build them once.
        ctx2 = torch.cat([ctx, null_ctx.expand(n, -1, -1)])
        mask2 = torch.cat([mask, null_mask.expand(n, -1)])
    for i in range(steps):
        t = torch.full((n,), 1.0 - i * dt)
        if batched:
            v_c, v_u = model(torch.cat([x, x]), torch.cat([t, t]), ctx2, mask2).chunk(2)
        else:
            v_c = model(x, t, ctx, mask)
            v_u = model(x, t, null_ctx.expand(n, -1, -1), null_mask.expand(n, -1))
        x = x - dt * (v_u + w * (v_c - v_u))
    return x


def mode_sample(args, gen):
    model = build_seed_model(args).eval()
    n = args.images
    ctx = torch.randn(n, CLIP_LEN, 512, generator=gen)
    mask = random_mask(n, gen)
    # Null text: CLIP("") is BOS + EOS, so its own mask has two real tokens.
    null_ctx = torch.randn(1, CLIP_LEN, 512, generator=gen)
    null_mask = (torch.arange(CLIP_LEN) < 2).long()[None, :]
    print(f"# sample: {n} images, {args.steps} Euler steps, CFG w={args.cfg_scale}; "
          "DiT only (text contexts are precomputed)")
    for batched, name in ((True, "sample_s"), (False, "sample_two_pass_s")):
        def run():
            x = torch.randn(n, 3, 32, 32, generator=gen)
            euler_cfg(model, x, ctx, mask, null_ctx, null_mask, args.steps, args.cfg_scale,
                      batched)
        emit(name, statistics.median(timed(run, args.warmup, args.reps)), "s")


def mode_encode(args, gen):
    from transformers import CLIPTextConfig, CLIPTextModel

    # Default CLIPTextConfig() is the ViT-B/32 text tower: 49,408 tokens, width 512, 12 layers,
    # 8 heads, MLP 2048, 77 positions, quick_gelu. Random weights: only the shapes matter here.
    cfg = CLIPTextConfig()
    model = CLIPTextModel(cfg).eval()
    n_params = sum(p.numel() for p in model.parameters())
    print(f"# CLIPTextModel(CLIPTextConfig()): {cfg.num_hidden_layers} layers, width "
          f"{cfg.hidden_size}, {n_params} parameters, attention {model.config._attn_implementation}")

    def prompts(batch):
        # Token ids as CLIPTokenizer(padding="max_length") would give: BOS, text, EOS, EOS-pad.
        mask = random_mask(batch, gen)
        ids = torch.randint(0, 49406, (batch, CLIP_LEN), generator=gen)
        lengths = mask.sum(dim=1)
        ids[:, 0] = BOS
        for row, length in enumerate(lengths.tolist()):
            ids[row, length - 1:] = EOS
        return ids, mask

    # --positions N: the first N positions only, as a model with context_len N would tokenise
    n = min(args.positions, CLIP_LEN)
    emit("encode_positions", n, "positions")
    for batch, name in ((64, "encode_batch64_s"), (1, "encode_1_s")):
        ids, mask = prompts(batch)
        ids, mask = ids[:, :n].contiguous(), mask[:, :n].contiguous()

        @torch.inference_mode()
        def run():
            model(input_ids=ids, attention_mask=mask)

        emit(name, statistics.median(timed(run, args.warmup, args.reps)), "s")


def load_reference_checkpoint(folder: Path):
    """A reference checkpoint folder (config.json, model.safetensors) as a model in eval mode,
    with its config and golden.safetensors."""
    from safetensors.torch import load_file

    config = json.loads((folder / "config.json").read_text())
    model = TextConditionalDiT(**config).eval()
    # strict=True: every checkpoint key must map to a parameter here and vice versa, which is
    # the state-dict-name check.
    model.load_state_dict(load_file(str(folder / "model.safetensors")), strict=True)
    return model, config, load_file(str(folder / "golden.safetensors"))


def check_golden(args) -> bool:
    folder = Path(args.golden_dir)
    model, config, g = load_reference_checkpoint(folder)
    with torch.inference_mode():
        v = model(g["x"], g["t"], g["context"], g["context_mask"])
    err = (v - g["velocity"]).abs().max().item()
    scale = g["velocity"].abs().max().item()
    print(f"# golden: {folder}, config {config}, velocity max |v| {scale:.4g}")
    emit("golden_max_abs_err", err, "abs")
    ok = err <= args.golden_tol
    print(f"# golden check {'PASSED' if ok else 'FAILED'} (tolerance {args.golden_tol:g})")
    return ok


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", nargs="?", choices=["train-step", "sample", "encode"],
                   help="workload to time (omit with --check-golden to only check)")
    p.add_argument("--check-golden", action="store_true",
                   help="reproduce shared/dit/tiny-text-dit golden velocity before anything else")
    p.add_argument("--golden-dir", default=str(DEFAULT_GOLDEN_DIR))
    p.add_argument("--golden-tol", type=float, default=1e-4)
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    p.add_argument("--reps", type=int, default=3, help="timed runs; the median is printed")
    p.add_argument("--batch", type=int, default=64, help="train-step batch size (default 64)")
    p.add_argument("--images", type=int, default=10, help="sample: images (default 10)")
    p.add_argument("--steps", type=int, default=50, help="sample: Euler steps (default 50)")
    p.add_argument("--cfg-scale", type=float, default=7.5)
    p.add_argument("--dropout", type=float, default=0.0,
                   help="MLP dropout probability (the reference has none; default 0)")
    p.add_argument("--positions", type=int, default=CLIP_LEN,
                   help="encode: token positions (default 77; a DiT with context_len N reads N)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    if args.mode is None and not args.check_golden:
        p.error("give a mode, --check-golden, or both")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)   # parameter init
    gen = torch.Generator().manual_seed(args.seed)  # inputs
    print(f"# torch {torch.__version__}, python {platform.python_version()}, "
          f"threads {torch.get_num_threads()}, cpu {platform.machine()} x{os.cpu_count()}, "
          f"warmup {args.warmup}, reps {args.reps}")

    ok = True
    if args.check_golden:
        ok = check_golden(args)
    if args.mode == "train-step":
        mode_train_step(args, gen)
    elif args.mode == "sample":
        mode_sample(args, gen)
    elif args.mode == "encode":
        mode_encode(args, gen)
    emit_peak_rss()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
