#!/usr/bin/env python3
"""Luma SSIM between two PNM images (P5 grey or P6 colour, 8-bit), for the codec benchmark.

Variant (documented in README "Benchmarks"): the original Wang, Bovik, Sheikh & Simoncelli (2004) SSIM as in
their reference MATLAB `ssim_index`: an 11x11 Gaussian window (sigma 1.5, normalised to sum 1), K1 = 0.01,
K2 = 0.03, L = 255, population (biased) variances, computed on the "valid" region only (no padding), and the
mean of the SSIM map returned. It runs on luma Y = 0.299 R + 0.587 G + 0.114 B (BT.601, as JPEG's YCbCr), so
chroma errors are not counted. No down-sampling of the images before comparison.

numpy is used when installed (an optional extra); otherwise a pure-standard-library implementation computes the
same numbers (separable convolution, slower: a few seconds for a 648x405 image). Both agree to ~1e-9.

Usage: ssim.py A.pnm B.pnm   prints the SSIM; or import `ssim_files`.
"""

import math
import sys

try:  # optional speed-up; the fallback below gives the same figures
    import numpy as _np
except ImportError:  # pragma: no cover - depends on the machine
    _np = None

K1, K2, L = 0.01, 0.03, 255.0
C1, C2 = (K1 * L) ** 2, (K2 * L) ** 2
WINDOW = 11
SIGMA = 1.5


def gaussian_weights(size=WINDOW, sigma=SIGMA):
    """The 1-D Gaussian whose outer product is the normalised 2-D SSIM window."""
    centre = (size - 1) / 2
    raw = [math.exp(-((i - centre) ** 2) / (2 * sigma * sigma)) for i in range(size)]
    total = sum(raw)
    return [w / total for w in raw]


def read_pnm(path):
    """Reads an 8-bit binary PGM (P5) or PPM (P6); returns (width, height, channels, bytes)."""
    with open(path, "rb") as handle:
        data = handle.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos : pos + 1].isspace():
            pos += 1
        if data[pos : pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        start = pos
        while not data[pos : pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    pos += 1  # the single whitespace byte after maxval
    magic, width, height, maxval = fields[0], int(fields[1]), int(fields[2]), int(fields[3])
    if magic not in (b"P5", b"P6") or maxval != 255:
        raise ValueError(f"{path}: not an 8-bit binary PGM/PPM ({magic!r}, maxval {maxval})")
    channels = 3 if magic == b"P6" else 1
    pixels = data[pos : pos + width * height * channels]
    if len(pixels) != width * height * channels:
        raise ValueError(f"{path}: truncated PNM")
    return width, height, channels, pixels


def luma_rows(width, height, channels, pixels):
    """BT.601 luma as a list of rows of floats."""
    if channels == 1:
        return [[float(v) for v in pixels[y * width : (y + 1) * width]] for y in range(height)]
    rows = []
    stride = width * 3
    for y in range(height):
        line = pixels[y * stride : (y + 1) * stride]
        r, g, b = line[0::3], line[1::3], line[2::3]
        rows.append([0.299 * rr + 0.587 * gg + 0.114 * bb for rr, gg, bb in zip(r, g, b)])
    return rows


def _make_valid_filter(weights):
    """A function filtering one list with `weights` ('valid' mode), unrolled for speed in pure Python."""
    terms = " + ".join(f"{w!r} * v[i + {k}]" for k, w in enumerate(weights))
    source = f"def f(v):\n    return [{terms} for i in range(len(v) - {len(weights) - 1})]\n"
    namespace = {}
    exec(source, namespace)  # noqa: S102 - generated from numbers above, no input involved
    return namespace["f"]


def _ssim_pure(x_rows, y_rows):
    weights = gaussian_weights()
    filt = _make_valid_filter(weights)

    def blur(rows):
        horizontal = [filt(row) for row in rows]
        columns = [filt(list(col)) for col in zip(*horizontal)]
        return columns  # transposed; all maps are transposed alike, so the mean is unaffected

    xx = [[v * v for v in row] for row in x_rows]
    yy = [[v * v for v in row] for row in y_rows]
    xy = [[a * b for a, b in zip(ra, rb)] for ra, rb in zip(x_rows, y_rows)]
    mu_x, mu_y = blur(x_rows), blur(y_rows)
    e_xx, e_yy, e_xy = blur(xx), blur(yy), blur(xy)
    total, count = 0.0, 0
    for mx_c, my_c, xx_c, yy_c, xy_c in zip(mu_x, mu_y, e_xx, e_yy, e_xy):
        for mx, my, exx, eyy, exy in zip(mx_c, my_c, xx_c, yy_c, xy_c):
            mx2, my2, mxy = mx * mx, my * my, mx * my
            num = (2 * mxy + C1) * (2 * (exy - mxy) + C2)
            den = (mx2 + my2 + C1) * ((exx - mx2) + (eyy - my2) + C2)
            total += num / den
        count += len(mx_c)
    return total / count


def _ssim_numpy(x_rows, y_rows):
    np = _np
    x = np.asarray(x_rows, dtype=np.float64)
    y = np.asarray(y_rows, dtype=np.float64)
    w = np.asarray(gaussian_weights(), dtype=np.float64)
    n = len(w)

    def blur(img):
        h = sum(w[k] * img[:, k : img.shape[1] - n + 1 + k] for k in range(n))
        return sum(w[k] * h[k : h.shape[0] - n + 1 + k, :] for k in range(n))

    mu_x, mu_y = blur(x), blur(y)
    mx2, my2, mxy = mu_x * mu_x, mu_y * mu_y, mu_x * mu_y
    sx = blur(x * x) - mx2
    sy = blur(y * y) - my2
    sxy = blur(x * y) - mxy
    ssim_map = ((2 * mxy + C1) * (2 * sxy + C2)) / ((mx2 + my2 + C1) * (sx + sy + C2))
    return float(ssim_map.mean())


def ssim_luma(a, b, use_numpy=None):
    """SSIM of two decoded images given as (width, height, channels, bytes); sizes must match."""
    if (a[0], a[1]) != (b[0], b[1]):
        raise ValueError(f"sizes differ: {a[0]}x{a[1]} vs {b[0]}x{b[1]}")
    if a[0] < WINDOW or a[1] < WINDOW:
        raise ValueError(f"image {a[0]}x{a[1]} smaller than the {WINDOW}x{WINDOW} window")
    x_rows, y_rows = luma_rows(*a), luma_rows(*b)
    if use_numpy is None:
        use_numpy = _np is not None
    return _ssim_numpy(x_rows, y_rows) if use_numpy else _ssim_pure(x_rows, y_rows)


def ssim_files(path_a, path_b, use_numpy=None):
    """SSIM of two PNM files."""
    return ssim_luma(read_pnm(path_a), read_pnm(path_b), use_numpy)


def implementation():
    """Which implementation `ssim_luma` uses by default."""
    return "numpy" if _np is not None else "pure Python"


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        sys.exit("usage: ssim.py [--pure] A.pnm B.pnm")
    print(f"{ssim_files(args[0], args[1], use_numpy=False if '--pure' in sys.argv else None):.6f}")
