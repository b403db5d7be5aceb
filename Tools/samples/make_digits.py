#!/usr/bin/env python3
"""Draws the sample digits in Samples/digits: handwriting-like strokes with a round, antialiased pen.

Pure standard library (zlib, struct). Every sample is a different size, ink and paper colour and PNG type, so
the samples exercise the decoder as well as the classifier. Each file is named <digit>-<description>.png; the
first character is the label. Not cut from MNIST: every stroke is drawn here.

    python3 Tools/samples/make_digits.py [output folder]   # default: Samples/digits beside this repository's Tools
"""

import math
import os
import random
import struct
import sys
import zlib

# ---------------------------------------------------------------------------------------------------------------
# Digit shapes: strokes in a unit box (x right, y down, 0..1), each a list of points. Angles in degrees, with
# y down: 0 is right, 90 is the bottom, -90 the top.


def arc(cx, cy, rx, ry, start, end, steps=40):
    """Points along an ellipse arc from angle start to end (either direction)."""
    return [
        (cx + rx * math.cos(math.radians(start + (end - start) * i / steps)),
         cy + ry * math.sin(math.radians(start + (end - start) * i / steps)))
        for i in range(steps + 1)
    ]


def line(*points):
    return list(points)


SHAPES = {
    "0": [arc(0.5, 0.5, 0.40, 0.48, -100, 268)],
    "0-narrow": [arc(0.5, 0.5, 0.30, 0.48, -80, 285)],
    "1": [line((0.56, 0.02), (0.47, 0.98))],
    "1-serif": [line((0.28, 0.22), (0.58, 0.02), (0.52, 0.97)), line((0.28, 0.97), (0.78, 0.97))],
    "2": [arc(0.5, 0.30, 0.36, 0.28, 200, 385) + line((0.10, 0.95), (0.92, 0.94))],
    "3": [arc(0.48, 0.26, 0.33, 0.24, -160, 90) + arc(0.48, 0.73, 0.38, 0.25, -90, 160)[1:]],
    "4-open": [line((0.22, 0.02), (0.14, 0.62), (0.92, 0.62)), line((0.70, 0.08), (0.70, 0.99))],
    "4-closed": [line((0.66, 0.02), (0.06, 0.68), (0.95, 0.68)), line((0.66, 0.02), (0.66, 0.99))],
    "5": [line((0.86, 0.03), (0.22, 0.03), (0.17, 0.47)) + arc(0.50, 0.67, 0.38, 0.30, -145, 155)],
    "6": [arc(0.68, 0.66, 0.50, 0.64, -100, -180) + arc(0.50, 0.73, 0.32, 0.25, 180, -175)],
    "7": [line((0.08, 0.05), (0.92, 0.05), (0.40, 0.98))],
    "7-crossed": [line((0.10, 0.08), (0.90, 0.04), (0.38, 0.98)), line((0.35, 0.52), (0.82, 0.50))],
    "8": [arc(0.5, 0.26, 0.28, 0.24, 90, 450), arc(0.5, 0.73, 0.35, 0.26, -90, 270)],
    "9": [arc(0.46, 0.30, 0.32, 0.27, 5, -355) + line((0.76, 0.40), (0.72, 0.70), (0.66, 0.98))],
}


def warp(strokes, slant, seed):
    """A writer's hand: slant, a slightly squeezed width and a smooth wobble, deterministic per seed."""
    rng = random.Random(seed)
    phase_x, phase_y = rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi)
    squeeze = rng.uniform(0.92, 1.05)
    out = []
    for stroke in strokes:
        points = []
        for x, y in stroke:
            wx = x + 0.018 * math.sin(2 * math.pi * 1.3 * y + phase_x)
            wy = y + 0.012 * math.sin(2 * math.pi * 1.1 * x + phase_y)
            wx = 0.5 + (wx - 0.5) * squeeze + slant * (0.5 - wy)
            points.append((wx, wy))
        out.append(points)
    return out


# ---------------------------------------------------------------------------------------------------------------
# Rasterising: coverage of a round pen of radius r along each segment, antialiased by distance.


def coverage(width, height, strokes, box, pen):
    """Ink coverage 0..1 per pixel. box = (left, top, box width, box height) of the unit box in pixels."""
    left, top, bw, bh = box
    cov = [0.0] * (width * height)
    for stroke in strokes:
        pts = [(left + x * bw, top + y * bh) for x, y in stroke]
        if len(pts) == 1:
            pts = pts * 2
        for (ax, ay), (bx, by) in zip(pts, pts[1:]):
            x0 = max(0, int(math.floor(min(ax, bx) - pen - 1)))
            x1 = min(width - 1, int(math.ceil(max(ax, bx) + pen + 1)))
            y0 = max(0, int(math.floor(min(ay, by) - pen - 1)))
            y1 = min(height - 1, int(math.ceil(max(ay, by) + pen + 1)))
            dx, dy = bx - ax, by - ay
            length2 = dx * dx + dy * dy
            for py in range(y0, y1 + 1):
                cy = py + 0.5
                for px in range(x0, x1 + 1):
                    cx = px + 0.5
                    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((cx - ax) * dx + (cy - ay) * dy) / length2))
                    ex, ey = cx - (ax + t * dx), cy - (ay + t * dy)
                    c = pen + 0.5 - math.sqrt(ex * ex + ey * ey)
                    if c > 0:
                        c = min(1.0, c)
                        i = py * width + px
                        if c > cov[i]:
                            cov[i] = c
    return cov


def draw(shape, width, height, seed, slant=0.12, pen_ratio=0.065, fill=0.72, aspect=0.62):
    """Coverage of `shape` drawn into a width x height canvas, the digit `fill` of the height tall."""
    rng = random.Random(seed)
    strokes = warp(SHAPES[shape], slant, seed)
    bh = min(height * fill, width * fill / aspect)
    bw = bh * aspect
    left = (width - bw) / 2 + rng.uniform(-0.08, 0.08) * (width - bw)
    top = (height - bh) / 2 + rng.uniform(-0.08, 0.08) * (height - bh)
    return coverage(width, height, strokes, (left, top, bw, bh), max(0.8, pen_ratio * bh))


# ---------------------------------------------------------------------------------------------------------------
# PNG writing: every colour type, bit depth and Adam7.

ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def pack_row(samples, depth):
    if depth == 16:
        return b"".join(struct.pack(">H", s) for s in samples)
    if depth == 8:
        return bytes(samples)
    per_byte = 8 // depth
    out = bytearray((len(samples) + per_byte - 1) // per_byte)
    for i, s in enumerate(samples):
        out[i // per_byte] |= s << (8 - depth * (i % per_byte + 1))
    return bytes(out)


def write_png(path, width, height, color_type, depth, pixels, palette=None, trns=None, interlace=False):
    """pixels: width*height tuples of samples (one tuple per pixel)."""
    channels = CHANNELS[color_type]
    raw = bytearray()
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    for x0, y0, dx, dy in passes:
        if x0 >= width or y0 >= height:
            continue  # an empty pass has no rows at all
        for y in range(y0, height, dy):
            samples = []
            for x in range(x0, width, dx):
                samples.extend(pixels[y * width + x])
            assert len(samples) % channels == 0
            raw += b"\x00" + pack_row(samples, depth)
    out = b"\x89PNG\r\n\x1a\n"
    out += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 1 if interlace else 0))
    if palette is not None:
        out += chunk(b"PLTE", b"".join(bytes(c) for c in palette))
    if trns is not None:
        out += chunk(b"tRNS", trns)
    out += chunk(b"IDAT", zlib.compress(bytes(raw), 9))
    out += chunk(b"IEND", b"")
    temporary = path + ".tmp"
    with open(temporary, "wb") as f:
        f.write(out)
    os.replace(temporary, path)


def mix(paper, ink, c):
    return tuple(int(round(p + (i - p) * c)) for p, i in zip(paper, ink))


def luma(rgb):
    r, g, b = rgb
    return 0.299 * r + 0.587 * g + 0.114 * b


# ---------------------------------------------------------------------------------------------------------------
# The samples.


def gray(cov, depth, ink, paper):
    """Gray samples between paper and ink (both in the depth's range); 1-bit images are thresholded."""
    if depth == 1:
        return [((ink if c >= 0.5 else paper),) for c in cov]
    return [(int(round(paper + (ink - paper) * c)),) for c in cov]


def samples():
    """(file name, width, height, shape, seed, coverage -> write_png arguments, drawing options) per sample."""
    made = []

    def add(name, width, height, shape, seed, encode, **options):
        made.append((name, width, height, shape, seed, encode, options))

    add("0-ring-gray8-dark-on-white-64x64", 64, 64, "0", 11,
        lambda cov: dict(color_type=0, depth=8, pixels=gray(cov, 8, 20, 245)))
    add("1-serif-rgb-blue-on-yellow-120x160", 120, 160, "1-serif", 12,
        lambda cov: dict(color_type=2, depth=8, pixels=[mix((250, 228, 90), (30, 45, 170), c) for c in cov]),
        slant=0.08)
    add("2-bilevel-gray1-96x96", 96, 96, "2", 13,
        lambda cov: dict(color_type=0, depth=1, pixels=gray(cov, 1, 0, 1)))
    add("3-pencil-gray16-wide-300x200", 300, 200, "3", 14,
        lambda cov: dict(color_type=0, depth=16, pixels=gray(cov, 16, 14000, 58000)),
        fill=0.62, pen_ratio=0.055)
    add("4-open-rgba-transparent-100x140", 100, 140, "4-open", 15,
        lambda cov: dict(color_type=6, depth=8, pixels=[(35, 35, 40, int(round(255 * c))) for c in cov]))
    add("5-palette4-red-on-cream-80x100", 80, 100, "5", 16, palette_sample((250, 240, 215), (190, 25, 30), 16, 4))
    add("6-palette-trns-green-150x150", 150, 150, "6", 17, palette_trns_sample((20, 120, 50)))
    add("7-white-on-black-gray8-40x40", 40, 40, "7", 18,
        lambda cov: dict(color_type=0, depth=8, pixels=gray(cov, 8, 255, 0)), pen_ratio=0.08)
    add("8-interlaced-rgb-purple-on-blue-200x260", 200, 260, "8", 19,
        lambda cov: dict(color_type=2, depth=8, interlace=True,
                         pixels=[mix((215, 232, 250), (70, 20, 110), c) for c in cov]))
    add("9-gray-alpha-transparent-90x120", 90, 120, "9", 20,
        lambda cov: dict(color_type=4, depth=8, pixels=[(10, int(round(255 * c))) for c in cov]))
    add("7-crossed-rgb16-brown-wide-180x120", 180, 120, "7-crossed", 21,
        lambda cov: dict(color_type=2, depth=16,
                         pixels=[tuple(v * 257 for v in mix((255, 255, 255), (110, 60, 20), c)) for c in cov]),
        slant=0.05)
    add("1-plain-gray2-48x80", 48, 80, "1", 22,
        lambda cov: dict(color_type=0, depth=2, pixels=gray(cov, 2, 0, 3)), slant=0.15, pen_ratio=0.08)
    add("4-closed-rgba16-interlaced-chalk-128x128", 128, 128, "4-closed", 23,
        lambda cov: dict(color_type=6, depth=16, interlace=True,
                         pixels=[tuple(v * 257 for v in mix((25, 40, 70), (245, 245, 235), c)) + (65535,)
                                 for c in cov]), slant=0.0)
    add("0-narrow-gray4-72x96", 72, 96, "0-narrow", 24,
        lambda cov: dict(color_type=0, depth=4, pixels=gray(cov, 4, 1, 14)), slant=0.2)
    return made


def palette_sample(paper, ink, levels, depth):
    """A palette image with `levels` shades from paper to ink."""
    palette = [mix(paper, ink, i / (levels - 1)) for i in range(levels)]
    return lambda cov: dict(color_type=3, depth=depth, palette=palette,
                            pixels=[(int(round(c * (levels - 1))),) for c in cov])


def palette_trns_sample(ink):
    """A palette image on a transparent background: entry i is the ink at alpha i/15 (a tRNS table)."""
    palette = [ink] * 16
    trns = bytes(int(round(255 * i / 15)) for i in range(16))
    return lambda cov: dict(color_type=3, depth=8, palette=palette, trns=trns,
                            pixels=[(int(round(c * 15)),) for c in cov])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "Samples", "digits")
    os.makedirs(folder, exist_ok=True)
    for name, width, height, shape, seed, encode, options in samples():
        cov = draw(shape, width, height, seed, **options)
        arguments = encode(cov)
        write_png(os.path.join(folder, name + ".png"), width, height, **arguments)
        print(f"{name}.png")


if __name__ == "__main__":
    main()
