#!/usr/bin/env python3
"""Prompt sensitivity of two reference samplers of CIFAR-10's training images.

`t2i evaluate` reports prompt sensitivity: for one seed, the mean absolute pixel difference
between the samples of two class prompts, as a share of the mean difference between samples of
one prompt from different seeds (dev.t2i.eval.PromptSensitivity). This script computes the same
table, with the same formula, for two samplers that need no training, so that a model's figure
can be read against them:

- "gaussian": each class's pixels as one Gaussian (mean and covariance of its 5,000 training
  images), drawn along the deterministic flow from the same noise z for every class. For a
  Gaussian the probability-flow ODE of x_t = (1 - t) x0 + t z is linear and ends at
  mu_c + Sigma_c^(1/2) z: the smoothest faithful sampler of each class's first two moments.
- "empirical": the exact flow of the training set itself, whose velocity is
  (x_t - E[x0 | x_t, c]) / t with the posterior over the class's 5,000 training images,
  integrated with Euler steps from t = 1 to 0. It ends on a training image: the sampler that
  reproduces the data by memorising it.

Both use the same noise for every class (seed s gives the same z to every class) and the
model's pixel scale [-1, 1] for the noise, and score images clipped to [0, 255].

Needs numpy and Pillow. Usage (about 1 minute for gaussian, 8 for empirical, on 2 cores):
    python3 tools/sensitivity_references.py --data ../shared/data/cifar10-jpg.zip [--seeds 100]
"""
import argparse
import io
import zipfile

import numpy as np
from PIL import Image

CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']


def load_train(path):
    """Training images per class as float64 rows of 3,072 values (C, H, W order), 0..255."""
    archive = zipfile.ZipFile(path)
    names = {c: [] for c in CLASSES}
    for n in archive.namelist():
        parts = n.split('/')
        if len(parts) == 4 and parts[1] == 'train' and parts[2] in names and parts[3].endswith('.jpg'):
            names[parts[2]].append(n)
    out = {}
    for c in CLASSES:
        out[c] = np.stack([np.asarray(Image.open(io.BytesIO(archive.read(n))).convert('RGB'), dtype=np.float64)
                           .transpose(2, 0, 1).ravel() for n in names[c]])
    return out


def gaussian(train, z):
    images = {}
    for c in CLASSES:
        x = train[c]
        w, v = np.linalg.eigh(np.cov(x, rowvar=False))
        root = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
        # the same map in any pixel units: mu + Sigma^(1/2) z has covariance Sigma
        images[c] = np.clip(x.mean(0) + z @ root, 0, 255)
    return images


def empirical(train, z, steps):
    ts = np.linspace(1, 0, steps + 1)
    images = {}
    for c in CLASSES:
        data = (train[c] / 127.5 - 1).astype(np.float32)
        sq = (data * data).sum(1)
        x = z.astype(np.float32).copy()
        for k in range(steps):
            t, nxt = ts[k], ts[k + 1]
            a = 1 - t
            # log posterior weight of image i, up to a constant: -|x - a x_i|^2 / (2 t^2)
            logw = (2 * a * (x @ data.T) - a * a * sq[None, :]) / (2 * t * t)
            logw -= logw.max(1, keepdims=True)
            w = np.exp(logw)
            w /= w.sum(1, keepdims=True)
            x = x + (nxt - t) * (x - w @ data) / t
        images[c] = np.clip((x + 1) * 127.5, 0, 255)
    return images


def table(images, seeds):
    def spread(a):
        return np.mean([np.abs(a[i] - a[j]).mean() for i in range(seeds) for j in range(i + 1, seeds)])
    sp = {c: spread(images[c]) for c in CLASSES}
    k = len(CLASSES)
    t = np.zeros((k, k))
    for a in range(k):
        for b in range(a + 1, k):
            diff = np.abs(images[CLASSES[a]] - images[CLASSES[b]]).mean()
            t[a, b] = t[b, a] = diff / ((sp[CLASSES[a]] + sp[CLASSES[b]]) / 2)
    return t


def show(name, t):
    k = len(CLASSES)
    print(f'== {name}')
    print(' ' * 11 + ' '.join(f'{c[:6]:>6}' for c in CLASSES))
    for a in range(k):
        print(f'{CLASSES[a]:<11}' + ' '.join('     -' if a == b else f'{t[a, b]:6.2f}' for b in range(k)))
    off = t[~np.eye(k, dtype=bool)]
    print(f'min {off.min():.2f} mean {off.mean():.2f} cat/dog {t[3, 5]:.2f} automobile/truck {t[1, 9]:.2f}'
          f' pairs below 0.5: {int((off < 0.5).sum() // 2)}')


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data', required=True, help="CIFAR-10 as t2i reads it: a zip of train/<class>/*.jpg")
    p.add_argument('--seeds', type=int, default=100, help='noise seeds, the same for every class')
    p.add_argument('--steps', type=int, default=200, help='Euler steps of the empirical flow')
    p.add_argument('--only', choices=['gaussian', 'empirical'], help='compute one of the two')
    args = p.parse_args()
    train = load_train(args.data)
    z = np.random.default_rng(0).standard_normal((args.seeds, 3072))
    if args.only in (None, 'gaussian'):
        show('gaussian: each class as one Gaussian, drawn along the flow', table(gaussian(train, z), args.seeds))
    if args.only in (None, 'empirical'):
        show('empirical: the exact flow of the training images', table(empirical(train, z, args.steps), args.seeds))


if __name__ == '__main__':
    main()
