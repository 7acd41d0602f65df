# RUN: %PYTHON %s --cpu=%cpu %compile_only | FileCheck %s
# CHECK-NOT: FAIL
# CHECK: elementwise [{{.+}}]: {{([0-9]+ passed, 0 failed|compiled [0-9]+ cases, not run)}}
"""Every elementwise op, compiled for the CPU and compared with NumPy."""

import numpy as np

from harness import Suite, erf, random, ttype, unary_body, to_bf16_bits

suite = Suite("elementwise")
SHAPE = (3, 7)
# Values that exercise NaN/inf rules: NumPy gives NaN for log/sqrt of a
# negative, -inf for log(0), inf for rsqrt(0).
SPECIAL = np.array([-1.0, -0.0, 0.0, 1e-30, 0.5, 1e4, -1e4, np.inf, -np.inf, np.nan,
                    -2.5, 3.0, 2.0, -7.0, 88.0, -88.0, 100.0, -100.0, 1.0, 0.25, -0.75])


def special(element):
    values = SPECIAL.reshape(SHAPE)
    return to_bf16_bits(values) if element == "bf16" else values.astype(
        {"f16": np.float16, "f32": np.float32, "f64": np.float64}[element])


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


UNARY = {
    "neg": np.negative,
    "abs": np.abs,
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "rsqrt": lambda x: 1 / np.sqrt(x),
    "tanh": np.tanh,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "relu": lambda x: np.where(np.isnan(x), np.nan, np.maximum(x, 0)),
    "gelu": lambda x: x * 0.5 * (1 + erf(x / np.sqrt(2))),
    "sin": np.sin,
    "cos": np.cos,
}

for op, ref in UNARY.items():
    for element in ("f32", "f64", "f16", "bf16"):
        t = (SHAPE, element)
        # sin/cos of +-1e4 lose all precision in f16 rounding; keep to random.
        inputs = [random(SHAPE, element)] if op in ("sin", "cos") else [special(element)]
        suite.add(f"{op}_{element}", unary_body(op, SHAPE, element), [t], [t],
                  inputs, lambda x, ref=ref: ref(x))
    suite.add(f"{op}_f32_random", unary_body(op, (2, 3, 5), "f32"),
              [((2, 3, 5), "f32")], [((2, 3, 5), "f32")],
              [random((2, 3, 5), "f32", 0.1, 3.0)], lambda x, ref=ref: ref(x))

suite.add("gelu_tanh_f32", unary_body("gelu", SHAPE, "f32", " approximate = <tanh>"),
          [(SHAPE, "f32")], [(SHAPE, "f32")], [random(SHAPE, "f32", -6, 6)], gelu_tanh)
suite.add("unary_rank0_f32", unary_body("exp", (), "f32"), [((), "f32")], [((), "f32")],
          [np.array(1.5, dtype=np.float32)], np.exp)

for op, ref in {"neg": np.negative, "abs": np.abs, "relu": lambda x: np.maximum(x, 0)}.items():
    for element in ("i32", "i64"):
        t = (SHAPE, element)
        suite.add(f"{op}_{element}", unary_body(op, SHAPE, element), [t], [t],
                  [random(SHAPE, element, -50, 50)], lambda x, ref=ref: ref(x))

BINARY = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
    "pow": np.power, "max": np.maximum, "min": np.minimum,
}


def binary_body(op, shape, element):
    t = ttype(shape, element)
    return f"  %0 = dlc.{op} %arg0, %arg1 : {t}\n  return %0 : {t}"


for op, ref in BINARY.items():
    for element in ("f32", "f64", "f16", "bf16"):
        t = (SHAPE, element)
        lhs = random(SHAPE, element, 0.1, 3.0) if op == "pow" else special(element)
        rhs = random(SHAPE, element, -3.0, 3.0)
        suite.add(f"{op}_{element}", binary_body(op, SHAPE, element), [t, t], [t],
                  [lhs, rhs], lambda x, y, ref=ref: ref(x, y))
# pow of a negative base: integer exponents are exact, fractional give NaN.
suite.add("pow_negative_base_f32", binary_body("pow", (4,), "f32"),
          [((4,), "f32")] * 2, [((4,), "f32")],
          [np.array([-2, -2, -3, 2], np.float32), np.array([3, 0.5, 2, -1], np.float32)],
          np.power)
for op in ("add", "sub", "mul", "max", "min"):
    for element in ("i32", "i64"):
        t = (SHAPE, element)
        suite.add(f"{op}_{element}", binary_body(op, SHAPE, element), [t, t], [t],
                  [random(SHAPE, element, -100, 100), random(SHAPE, element, -100, 100)],
                  lambda x, y, ref=BINARY[op]: ref(x, y))

COMPARE = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
           "gt": np.greater, "ge": np.greater_equal}
for direction, ref in COMPARE.items():
    for element in ("f32", "i32", "i1"):
        t = (SHAPE, element)
        if element == "f32":
            lhs = special("f32")
            # Every third pair is equal, so eq/le/ge see true results too.
            equal = np.arange(21).reshape(SHAPE) % 3 == 0
            rhs = np.where(equal, lhs, random(SHAPE, "f32")).astype(np.float32)
        else:
            lhs, rhs = random(SHAPE, element, -2, 2), random(SHAPE, element, -2, 2)
        body = (f"  %0 = dlc.compare <{direction}>, %arg0, %arg1 : {ttype(*t)}\n"
                f"  return %0 : {ttype(SHAPE, 'i1')}")
        suite.add(f"compare_{direction}_{element}", body, [t, t], [(SHAPE, "i1")],
                  [lhs, rhs], lambda x, y, ref=ref: ref(x, y))

for element in ("f32", "i64", "bf16"):
    t = (SHAPE, element)
    body = (f"  %0 = dlc.select %arg0, %arg1, %arg2 : {ttype(SHAPE, 'i1')}, {ttype(*t)}\n"
            f"  return %0 : {ttype(*t)}")
    suite.add(f"select_{element}", body, [(SHAPE, "i1"), t, t], [t],
              [random(SHAPE, "i1"), random(SHAPE, element), random(SHAPE, element)],
              lambda c, x, y: np.where(c, x, y))

CASTS = [("f32", "i32"), ("f32", "i64"), ("f32", "f64"), ("f64", "f32"), ("f32", "f16"),
         ("f16", "f32"), ("f32", "bf16"), ("bf16", "f32"), ("bf16", "f16"),
         ("i32", "f32"), ("i64", "i32"), ("i32", "i64"), ("i1", "f32"), ("f32", "i1"),
         ("i32", "i1"), ("i1", "i32")]
for src, dst in CASTS:
    body = (f"  %0 = dlc.cast %arg0 : {ttype(SHAPE, src)} -> {ttype(SHAPE, dst)}\n"
            f"  return %0 : {ttype(SHAPE, dst)}")
    inputs = [random(SHAPE, src, -5, 5)]
    if src == "f32":
        inputs[0][0, :3] = [0.0, -0.0, 2.75]  # exact zeros for the i1 cast

    def cast_ref(x, dst=dst):
        if dst == "i1":
            return x != 0
        if dst in ("i32", "i64"):
            return np.trunc(x)  # NumPy's astype truncates toward zero
        return x
    suite.add(f"cast_{src}_to_{dst}", body, [(SHAPE, src)], [(SHAPE, dst)], inputs, cast_ref)

const = np.arange(21, dtype=np.float32).reshape(SHAPE) / 4
const_text = "dense<[" + ", ".join(
    "[" + ", ".join(repr(float(v)) for v in row) + "]" for row in const) + "]>"
suite.add("constant_f32",
          f"  %c = dlc.constant {const_text} : {ttype(SHAPE, 'f32')}\n"
          f"  %0 = dlc.add %arg0, %c : {ttype(SHAPE, 'f32')}\n"
          f"  return %0 : {ttype(SHAPE, 'f32')}",
          [(SHAPE, "f32")], [(SHAPE, "f32")], [random(SHAPE)], lambda x: x + const)

# Rows of a multiple of 32 x 16 bytes: on the GPU each thread computes 16
# bytes of the widest operand (vector loads where aligned): a chain; a
# bias row and a scalar (one value a thread); f16 (8 a thread); a widening
# cast (4 a thread: the f32 side is the widest); rank 1 and 3; operands
# all of the op's shape whose rows are no multiple of 32 pieces, flattened.
for shape, element in (((16, 256), "f32"), ((4, 512), "f16"), ((1024,), "f32"),
                       ((2, 3, 128), "f32"),
                       # as one flat loop: rows of 28 or 96, rank 4
                       ((2, 4, 28, 28), "f32"), ((4, 96), "f32")):
    t = ttype(shape, element)
    suite.add(f"vector_chain_{'x'.join(map(str, shape))}_{element}",
              f"  %0 = dlc.mul %arg0, %arg1 : {t}\n  %1 = dlc.add %0, %arg0 : {t}\n"
              f"  %2 = dlc.relu %1 : {t}\n  return %2 : {t}",
              [(shape, element)] * 2, [(shape, element)],
              [random(shape, element, -2, 2), random(shape, element, -2, 2)],
              lambda x, y: np.maximum(x * y + x, 0),
              {"f16": (2e-3, 2e-3)}.get(element))
suite.add("vector_bias_scale_8x128_f32",
          f"  %b = dlc.broadcast_to %arg1 : {ttype((128,), 'f32')} -> {ttype((8, 128), 'f32')}\n"
          f"  %s = dlc.broadcast_to %arg2 : {ttype((), 'f32')} -> {ttype((8, 128), 'f32')}\n"
          f"  %0 = dlc.sub %arg0, %b : {ttype((8, 128), 'f32')}\n"
          f"  %1 = dlc.div %0, %s : {ttype((8, 128), 'f32')}\n"
          f"  return %1 : {ttype((8, 128), 'f32')}",
          [((8, 128), "f32"), ((128,), "f32"), ((), "f32")], [((8, 128), "f32")],
          [random((8, 128)), random((128,)), np.array(1.5, np.float32)],
          lambda x, b, s: (x - b) / s)
suite.add("vector_cast_f16_to_f32_8x128",
          f"  %0 = dlc.cast %arg0 : {ttype((8, 128), 'f16')} -> {ttype((8, 128), 'f32')}\n"
          f"  return %0 : {ttype((8, 128), 'f32')}",
          [((8, 128), "f16")], [((8, 128), "f32")], [random((8, 128), "f16", -5, 5)],
          lambda x: x)
# i1 tensors stay one element at a time, on the CPU too (a vector of i1 is
# packed bits in memory, a buffer of i1 a byte each: vectorized, these gave
# wrong results).
i1_input = random((8, 128), "f32", -2, 2)
i1_input[:, ::3] = 0.0
suite.add("vector_cast_f32_to_i1_8x128",
          f"  %0 = dlc.cast %arg0 : {ttype((8, 128), 'f32')} -> {ttype((8, 128), 'i1')}\n"
          f"  return %0 : {ttype((8, 128), 'i1')}",
          [((8, 128), "f32")], [((8, 128), "i1")], [i1_input], lambda x: x != 0)
suite.add("vector_cast_i1_to_f32_8x128",
          f"  %0 = dlc.cast %arg0 : {ttype((8, 128), 'i1')} -> {ttype((8, 128), 'f32')}\n"
          f"  return %0 : {ttype((8, 128), 'f32')}",
          [((8, 128), "i1")], [((8, 128), "f32")], [i1_input != 0],
          lambda x: x.astype(np.float64))

suite.run()
