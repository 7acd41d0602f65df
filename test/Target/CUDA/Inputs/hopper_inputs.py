"""Inputs of hopper-kernels-on-cpu.mlir's GEMM and the check of its output.

`hopper_inputs.py DIR` writes DIR/a.npy (64 x 128) and DIR/b.npy
(128 x 256), bf16 as their bits ('<u2', as dlc-run reads bf16): small
integers, exact in bf16, whose products summed over K = 128 are exact in
f32. `hopper_inputs.py DIR --check OUT.npy` compares the kernel's f32 output
with NumPy's product in float64: equal, element for element.

DIR/x.npy (16 x 64 f16, 0, 1, 2, ...) goes through TMA loads with each
swizzle; `--check-swizzles OUTDIR` checks the shared memory they copied out
against the swizzled layouts: in a row of `span` bytes, 16-byte chunk p holds
the tile row's chunk p ^ ((address >> 7) % (span / 16)), the address of the
chunk's row in the tile (rows from 0, the tile 1024-byte aligned). For the
128-byte swizzle that is row % 8: the layout upstream's
tma_load_64x64_swizzle128b test prints from an H100; the 64- and 32-byte
ones follow CUTLASS's Swizzle<2,4,3> and Swizzle<1,4,3>.
"""

import sys

import numpy as np


def bf16_bits(x):
    # Integers this small are exact in bf16: truncating the f32 keeps them.
    return (x.astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)


def inputs():
    rng = np.random.default_rng(90)
    return (rng.integers(-4, 5, (64, 128)), rng.integers(-4, 5, (128, 256)))


def swizzled(x, span):
    """`x`'s rows of `span` bytes as a swizzled TMA load lays them out."""
    rows, cols = x.shape
    chunks = x.reshape(rows, cols // 8, 8)  # 16-byte chunks of f16
    out = np.empty_like(chunks)
    for r in range(rows):
        mask = (r * span >> 7) % (span // 16)
        for p in range(cols // 8):
            out[r, p] = chunks[r, p ^ mask]
    return out.reshape(rows, cols)


def check_swizzles(outdir):
    x = np.arange(16 * 64).astype(np.float16).reshape(16, 64)
    for span, cols in ((128, 64), (64, 32), (32, 16)):
        got = np.load(f"{outdir}/swizzle_{span}b_0.npy")
        expected = swizzled(x[:, :cols], span)
        assert np.array_equal(got, expected), (span, got[:4], expected[:4])
        # (Not the tile as it is: the check sees the swizzle.)
        assert not np.array_equal(got, x[:, :cols]), span


def main():
    directory = sys.argv[1]
    a, b = inputs()
    if len(sys.argv) == 2:
        np.save(f"{directory}/a.npy", bf16_bits(a))
        np.save(f"{directory}/b.npy", bf16_bits(b))
        np.save(f"{directory}/x.npy",
                np.arange(16 * 64).astype(np.float16).reshape(16, 64))
        return
    if sys.argv[2] == "--check-swizzles":
        check_swizzles(sys.argv[3])
        return
    assert sys.argv[2] == "--check"
    out = np.load(sys.argv[3])
    expected = a.astype(np.float64) @ b.astype(np.float64)
    assert out.shape == expected.shape, out.shape
    wrong = np.argwhere(out != expected)
    assert wrong.size == 0, (
        f"{len(wrong)} of {out.size} wrong, first at {tuple(wrong[0])}: "
        f"{out[tuple(wrong[0])]} instead of {expected[tuple(wrong[0])]}")


if __name__ == "__main__":
    main()
