"""Checks the (real -> multiplier, shift) table in Tests/QuantizerTests/MultiplierReferenceTests.swift against
TFLite's QuantizeMultiplier (tensorflow/lite/kernels/internal/quantization_util.cc) written in Python:

    python3 Tests/Fixtures/quantize_multiplier.py      # prints every row and exits 1 on a mismatch

std::frexp is math.frexp; TfLiteRound (std::round, half away from zero) of q * 2^31 is floor(q * 2^31 + 0.5) for
q > 0, exact in doubles since q has 53 bits.
"""
import math
import re
import sys
from pathlib import Path


def quantize_multiplier(m):
    if m == 0.0:
        return 0, 0
    q, shift = math.frexp(m)
    q_fixed = int(math.floor(q * (1 << 31) + 0.5))
    if q_fixed == 1 << 31:
        q_fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    if shift > 30:  # single-rounding MultiplyByQuantizedMultiplier supports no larger shift
        return (1 << 31) - 1, 30
    return q_fixed, shift


def main():
    source = Path(__file__).resolve().parent.parent / "QuantizerTests/MultiplierReferenceTests.swift"
    rows = re.findall(r"\((0x[0-9a-fA-F.p+\-]+), ([-0-9_]+), ([-0-9]+)\)", source.read_text())
    bad = 0
    for real, multiplier, shift in rows:
        got = quantize_multiplier(float.fromhex(real))
        want = (int(multiplier.replace("_", "")), int(shift))
        bad += got != want
        print(f"{real:24} {float.fromhex(real)!r:24} -> {got}  {'ok' if got == want else f'table says {want}'}")
    print(f"{len(rows)} rows, {bad} mismatches")
    sys.exit(1 if bad or not rows else 0)


if __name__ == "__main__":
    main()
