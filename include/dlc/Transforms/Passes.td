//===- Passes.td - dlc transformation passes ---------------*- tablegen -*-===//

#ifndef DLC_TRANSFORMS_PASSES_TD
#define DLC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def Autodiff : Pass<"dlc-autodiff", "::mlir::ModuleOp"> {
  let summary = "Replace dlc.grad and dlc.value_and_grad with generated "
                "reverse-mode gradient functions";
  let description = [{
    Expects: a module in the dlc dialect whose `dlc.grad` /
    `dlc.value_and_grad` ops name single-block `func.func` callees (calls
    to other functions of the module inside them are differentiated
    through: they are inlined into the gradient function first).

    Produces: for each distinct (callee, wrt), a private function
    `@<callee>_grad_<wrt...>` with the callee's arguments that returns the
    loss followed by the gradients, and a `func.call` to it in place of each
    op. The function holds the forward computation, then its reverse sweep:

    * activity analysis: only float values that depend on a `wrt` argument
      and reach the loss get cotangents; integer and `i1` values never do;
    * ops are visited in reverse; each active op builds the cotangents of its
      operands through `DifferentiableOpInterface::buildVJP` (the rules sit
      next to the ops); cotangents of a value used several times are summed;
    * an argument that does not reach the loss gets a zero gradient.

    An active op without a rule is an error naming the op and its location.
    Every pipeline runs this pass first.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def Bufferize : Pass<"dlc-bufferize", "::mlir::ModuleOp"> {
  let summary = "Bufferize a module with destination-passing public functions";
  let description = [{
    Expects: a module on tensors (linalg, tensor, arith, math, func).

    Produces: the same program on memrefs, by upstream one-shot bufferization
    across function boundaries (identity layouts on function arguments), then
    with every memref result of a function turned into a trailing
    caller-allocated out-param (public functions included), so callers own
    every buffer they see. Buffer copies are `linalg.copy` rather than
    `memref.copy`: they lower to loops (or vectorize) like any other linalg op
    instead of calling the `memrefCopy` runtime-library function. A result
    that is a reshaped view of a fresh buffer (computed on [rows, cols],
    returned as [batch, tokens, cols]) is computed in the out-param through
    a reshaped view of it instead of being copied there.

    Leaves alone: deallocation; run `buffer-deallocation-pipeline` after.
  }];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

def HoistDeallocs : Pass<"dlc-hoist-deallocs", "::mlir::func::FuncOp"> {
  let summary = "Free each buffer right after its last use";
  let description = [{
    Expects: memrefs after `buffer-deallocation-pipeline`, whose ownership
    based deallocation frees buffers at the end of their block.

    Produces: each `memref.dealloc` of a `memref.alloc` in the same block
    moved up to just after the last op of that block that uses the buffer or
    a view of it (subview, reshapes, casts: `ViewLikeOpInterface`). A buffer
    is then free for the next allocation as soon as it is dead, so peak
    memory is that of the values live at one time rather than of all the
    buffers a function allocates (a training step keeps activations and
    gradients until the end otherwise).

    Leaves alone: a buffer that reaches an op which could alias it beyond a
    view (an op returning a memref that is not a view, a call, a
    terminator), conditional deallocations, and deallocations whose
    allocation is in another block.
  }];
}

def PlanBuffers : Pass<"dlc-plan-buffers", "::mlir::func::FuncOp"> {
  let summary = "Place a function's buffers in one arena by their lifetimes";
  let description = [{
    Expects: memrefs after `dlc-hoist-deallocs` (each buffer freed after its
    last use).

    Produces: the statically shaped buffers allocated and freed in the
    function's body as `memref.view`s of one `i8` arena allocated at entry
    and freed before the return. Offsets come from a greedy-by-size plan
    (largest buffer first, at the lowest offset clear of every placed buffer
    whose lifetime overlaps), aligned to the largest alignment asked for, so
    buffers that are never live at one time share memory. The arena is the
    call's whole heap footprint for these buffers, one block of the same
    size on every call: a caching allocator serves it again without the
    fragmentation of many blocks of different sizes (a CNN training step:
    16.5 MiB live at most, 25.5 MiB held by the runtime's block cache
    without the plan).

    Leaves alone: buffers allocated in nested regions (the per-block
    temporaries of loops), dynamically shaped ones, and those whose
    lifetime dlc-hoist-deallocs could not bound.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def MakeTrainStep : Pass<"dlc-make-train-step", "::mlir::ModuleOp"> {
  let summary = "Build a training step (forward, backward, optimizer update) "
                "from a loss function";
  let description = [{
    Expects: a module in the dlc dialect with a loss function (`loss`, a
    `func.func` returning one rank-0 float tensor) whose parameters are the
    arguments listed in `params`, or, if `params` is empty, those marked
    with a `dlc.param` unit attribute.

    Produces: a public function (`name`, default `train_step`)
    `(params..., optimizer_state..., batch...) -> (loss, params'...,
    optimizer_state'...)`, where batch is the loss's other arguments in their
    order. The gradient is a `dlc.value_and_grad` of the loss (expanded by
    dlc-autodiff, which runs next in every pipeline) and the update is
    written with dlc ops, so forward, backward and update compile and fuse as
    one function. Parameters and state carry `dlc.inout` (the manifest marks
    them in-out; they are updated in the caller's buffers) and `dlc.name`
    (the loss argument's `dlc.name`, or `param<i>`, plus `.momentum`, `.m`,
    `.v`; Adam's step counter is `step`, a rank-0 f32 tensor).

    Optimizers, with PyTorch's update rules and a zero-initialised state:
    * `sgd`: `g += weight_decay * p`; with `momentum`: `b = momentum * b + g`,
      `g = nesterov ? g + momentum * b : b`; `p -= lr * g`.
    * `adam`: `t += 1`, `g += weight_decay * p`,
      `m = beta1 m + (1 - beta1) g`, `v = beta2 v + (1 - beta2) g^2`,
      `p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)`.
    * `adamw`: as `adam` with decoupled decay `p *= 1 - lr * weight_decay`
      instead of adding it to the gradient.
    Hyperparameters are compile-time constants, except the learning rate
    with `lr-input`: then the step takes it as a rank-0 f32 input `lr`,
    between the optimizer state and the batch, so a schedule can change it
    from step to step.
  }];
  let options = [
    Option<"lossName", "loss", "std::string", /*default=*/"\"loss\"",
           "The loss function">,
    Option<"stepName", "name", "std::string", /*default=*/"\"train_step\"",
           "The name of the generated function">,
    ListOption<"params", "params", "unsigned",
               "Indices of the loss's arguments that are parameters (default: "
               "those with a dlc.param attribute)">,
    Option<"optimizer", "optimizer", "std::string", /*default=*/"\"sgd\"",
           "sgd, adam or adamw">,
    Option<"lr", "lr", "double", /*default=*/"0.01", "Learning rate">,
    Option<"lrInput", "lr-input", "bool", /*default=*/"false",
           "Take the learning rate as an input instead (a rank-0 f32 `lr` "
           "after the optimizer state), for schedules">,
    Option<"momentum", "momentum", "double", /*default=*/"0.0",
           "SGD momentum">,
    Option<"nesterov", "nesterov", "bool", /*default=*/"false",
           "SGD Nesterov momentum">,
    Option<"weightDecay", "weight-decay", "double", /*default=*/"0.0",
           "L2 penalty (sgd, adam) or decoupled decay (adamw)">,
    Option<"beta1", "beta1", "double", /*default=*/"0.9", "Adam beta1">,
    Option<"beta2", "beta2", "double", /*default=*/"0.999", "Adam beta2">,
    Option<"eps", "eps", "double", /*default=*/"1e-8", "Adam epsilon">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def FuseElementwise : Pass<"dlc-fuse-elementwise"> {
  let summary = "Fuse elementwise linalg ops; keep named contractions whole";
  let description = [{
    Upstream `linalg-fuse-elementwise-ops` (elementwise producer/consumer
    fusion, reshape propagation by expansion, constant folding), with one
    difference: a `tensor.collapse_shape` is not folded into a named
    contraction (`linalg.matmul`, `linalg.batch_matmul`, the convolutions).
    Upstream generalizes the contraction to fold it, after which it is a
    `linalg.generic` with extra loops that `dlc-tile-and-fuse` cannot tile
    as a matmul, and runs as scalar loops (e.g. the im2col matmul of
    `dlc.conv2d_filter_grad`).

    With `two-results` (the GPU pipeline), then, as upstream does not: an
    elementwise producer whose result is also a function result, besides
    an input of an elementwise consumer on the same loops (a training
    step's new momentum, read by its parameter's update), and that
    consumer become one `linalg.generic` with both results, the producer's
    computed once. Upstream fuses producers of one use only, and with
    another use would compute the producer twice. On the GPU the two
    updates are then one kernel, or the epilogue of the weight gradient's
    GEMM block. (Not on the CPU: `dlc-tile-and-fuse` then no longer fuses
    the momentum into the weight gradient's GEMM, and the CNN step of
    `benchmarks/train.py --quick` took about 35 ms at 2 threads against 30
    on an AMD Zen 4 VM.)
  }];
  let options = [
    Option<"twoResults", "two-results", "bool", /*default=*/"false",
           "Fuse an elementwise producer that is also a function result "
           "into its consumer as a second result">,
  ];
}

def UpdateInPlace : Pass<"dlc-update-in-place", "::mlir::ModuleOp"> {
  let summary = "Compute in-out results (training state) in their argument's "
                "tensor";
  let description = [{
    Expects: linalg on tensors, before tiling; functions whose arguments may
    carry `dlc.inout = N` (result N is the argument's updated value).

    Produces: each in-out result materialized in its argument
    (`bufferization.materialize_in_destination`, argument marked writable),
    empty tensors eliminated so that the final update (e.g. an optimizer's
    elementwise `p - lr * g`) has the argument as its destination, and in an
    elementwise `linalg.generic` whose destination is also one of its inputs
    (same map), the input read from the destination's block argument instead.
    After tiling, the update reads and writes the same slice of one tensor,
    which one-shot bufferization keeps in place: no copy of the parameters
    per step. dlc-bufferize then drops in-out results from the signature.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def TileAndFuse : Pass<"dlc-tile-and-fuse", "::mlir::func::FuncOp"> {
  let summary = "Tile, fuse and vectorize contractions and row reductions "
                "for the CPU";
  let description = [{
    Expects: linalg on tensors with static shapes (after
    convert-dlc-to-linalg and elementwise fusion).

    Produces, through upstream TilingInterface tiling
    (`scf::tileConsumerAndFuseProducersUsingSCF`, `scf::tileUsingSCF`,
    `scf::tileReductionUsingScf`) and `linalg::vectorize`:

    Contraction nests, for each 2-D `linalg.matmul`, `linalg.batch_matmul`
    (default maps) and `linalg.conv_2d_nchw_fchw` with W stride 1:
    * an `scf.forall` over output blocks (the parallel loop that becomes an
      OpenMP loop: MC x NC for matmul, batch x MC x NC for batch_matmul,
      image x filters x rows for conv), into which the contraction's
      `linalg.fill` and its single elementwise consumer (bias, activation)
      are fused, so that matmul + bias + relu is one loop nest;
    * inside it, a reduction cache loop (K for matmuls; C, KH, KW for conv)
      and an MR x NR register tile with every reduction dim of size 1. A
      conv or batched tile is that rank-1 update as a `linalg.matmul` on
      rank-reducing slices ([MR x 1] filter column or A column times
      [1 x NR] input row or B row), so that all three share the matmul's
      vectorization to `vector.contract`; the fused fill and consumer are
      tiled to MR x NR and vectorized;
    * where the KC rows of B a 2-D matmul block reads span more than an L2
      cache (1 MiB), the block packs its KC x NC panel of B into NR-wide
      strips (`[NC/NR, KC, NR]`, a `linalg.pack` tiled and vectorized by
      strip rows, as GotoBLAS/BLIS pack), loops over row sub-blocks
      whose slice of A fits in half of L2, and runs its register loops N
      strips outside M strips, each register tile reading its B row from
      the strips (one or two cache lines per k instead of one row of B).
    Register tiles hold as many accumulators as the register file allows
    with two vectors per row: 6 x 16 f32 with 16 registers (AVX2, like
    BLIS's Haswell kernel), 8 x 32 with 32 (AVX-512), 6 x 8 with SSE.
    Blocks are tall (up to 1024 rows) so that few blocks repack the same B
    panel, and split further only to give at least 4 parallel blocks.
    N (OW for conv) is split into a multiple of the vector length and a
    remainder (`linalg::splitOp`), and an odd vector count (not a multiple
    of 3) loses its last vector, so that N = 1000 keeps two-vector tiles; M
    (filters) is split into whole 1020/1024-row blocks, then whole register
    tiles. Shapes such as 1000, 784, 56 or 10 get full static tiles, never a
    scalar fallback, at every vector width.

    Row nests, for each chain of fills, elementwise generics and reductions
    of the innermost dim (softmax, log_softmax, layer norm, a row sum
    feeding elementwise ops, or elementwise ops alone) whose ops all
    vectorize: an `scf.forall` over blocks of rows with the whole chain
    fused in (one pass over memory per row), each op vectorized along the
    row in vectors of up to 4 registers, reductions through
    partial-reduction tiling (a vector of partial results per row, combined
    per chunk, reduced once).

    Leaves alone: every other op (pooling, grouped convs, convs with a W
    stride, gathers, rank-1 ops), dynamic shapes and ops not on tensors.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "unsigned", /*default=*/"256",
           "SIMD register width of the target in bits (128, 256 or 512)">,
  ];
  let dependentDialects = [
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def AddUnitParallelLoop : Pass<"dlc-add-unit-parallel-loop", "::mlir::func::FuncOp"> {
  let summary = "Give linalg ops without a parallel loop a unit one, and "
                "every linalg op its parallel loops first";
  let description = [{
    Expects: linalg ops on memrefs (the GPU path, before
    `convert-linalg-to-parallel-loops`).

    Produces: each linalg op without a parallel loop (a rank-0 result: a
    loss, a full reduction, a scalar elementwise op; or a reduction to a
    keepdims result) as a `linalg.generic` with one more, leading, parallel
    loop of extent 1, writing a view of its output with a leading unit
    dimension (`memref.expand_shape`). Its loops then become an
    `scf.parallel`, which the GPU mapping turns into a one-thread kernel;
    without it they would stay host loops over device memory. Likewise, a
    host `scf.for`/`scf.if` around linalg ops that also loads or stores
    memory itself (scatter_add's ordered loop reading its indices) becomes
    one kernel. Where its linalg ops are elementwise over a common static
    row shape S, on temporaries of shape S and views of whole trailing rows
    of outside buffers (scatter_add's row updates: element j only ever
    touches element j of a row), the loop runs once per element of S, in
    an `scf.parallel` over S: its linalg ops become loads, their body and
    stores at the element, its temporaries are allocated once before it.
    An embedding's gradient, [V, D] from N rows, is D threads of N steps.
    Otherwise it is one sequential kernel: its linalg ops are lowered to
    `scf.for` loops inside a one-iteration `scf.parallel`. One around
    linalg ops and tiled
    nests alone (the convolution's loop over chunks of images) stays on the
    host, launching their kernels at each iteration.

    Also puts the parallel loops of every other linalg op first (generalized
    and interchanged, each output's reduction order kept): a reduction over
    leading dims (a bias gradient, [N, C] -> [C]) would otherwise become a
    host loop over N launching a kernel per iteration (the CNN training
    step's three bias gradients were 192 launches).

    Leaves alone: ops whose parallel loops come first.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def TileParallelLoops : Pass<"dlc-tile-parallel-loops", "::mlir::func::FuncOp"> {
  let summary = "Tile the GPU path's one-thread-per-element loops into "
                "blocks of 256 threads over their collapsed iteration space";
  let description = [{
    Expects: the `scf.parallel` loops of `convert-linalg-to-parallel-loops`
    on the GPU path (before `gpu-map-parallel-loops`).

    Produces: each op's loop with static bounds collapsed to one dim (all
    dims in loop order, upstream's `collapseParallelLoops`, as XLA's
    collapse-parallel-loops-to-1d) and tiled by 256 with the bounds checked
    inside (`tileParallelLoop`, no min/max bounds): blocks of 256 threads,
    consecutive threads on consecutive elements of the last dim, every
    element a thread of its own. Loops with dynamic bounds get 8 x 32 tiles
    on their leading dims, as `scf-parallel-loop-tiling` would. A thread's
    reduction loops (`scf.for` loading, updating and storing one output
    element each step) carry the element in a register instead: loaded
    before the loop, stored after it (where the loop's only write is that
    store, at indices defined outside it, and nothing else in it accesses
    that memref).

    Why: upstream's tiling applies one tile list to the leading dims of
    every loop; with 8 x 32 a loop of rank 3 or more had a unit tile on its
    last dim (thread x over a unit dim: uncoalesced), and the dims past the
    third became serial loops in each thread. An im2col of [32, 3, 3, 64,
    14, 14] was 288 threads of 12544 steps each; it is 2.3 M threads. In
    memory, a reduction's running value made each step wait for the last
    step's store (LLVM cannot keep it in a register: the loop's other loads
    might alias it): a conv weight gradient's partials of 896 steps were
    896 such round trips a thread.

    With `host-emulation` (the GPU schedule run on the CPU for tests,
    `dlc-cpu-pipeline emulate-gpu-schedule`), it first lowers the linalg ops
    outside tiled nests to parallel loops itself.

    Leaves alone: loops inside kernels or tiled nests (`scf.forall`), loops
    with reductions, loops that contain other parallel loops.
  }];
  let options = [
    Option<"hostEmulation", "host-emulation", "bool", /*default=*/"false",
           "Lower the linalg ops outside tiled nests to parallel loops first "
           "(on the CPU, for testing)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

def TileForGPU : Pass<"dlc-tile-for-gpu", "::mlir::func::FuncOp"> {
  let summary = "Tile contractions and row nests into GPU blocks and threads "
                "with shared memory";
  let description = [{
    Expects: linalg ops on static tensors (after `dlc-fuse-elementwise`).

    Produces: each `linalg.matmul` and `linalg.batch_matmul` whose M and N
    are multiples of 16 or even and at most 64 (a 10-class output layer:
    one block across, thread tiles 2 wide), with default maps or A or B
    stored transposed (the backward's x^T dy), as one kernel's worth of
    loops, through `TilingInterface`:
    - an `scf.forall` of BM x BN output blocks (64, 32 or 16 each, the
      batch on z) mapped to `#gpu.block`, into which the fill and an
      elementwise consumer that alone uses the result (bias, activation)
      are fused;
    - inside, an `scf.for` over K in steps of BK (16, 8, ...), whose A and B
      tiles are copied into `bufferization.alloc_tensor`s in
      `#gpu.address_space<workgroup>` (shared memory) by an `scf.forall`
      over the block's linear thread ids, each thread a few 16-byte pieces
      of rows (neighbouring threads, neighbouring pieces: coalesced reads;
      `dlc-vectorize-staging-copies` makes them vector accesses), or, for
      rows of no multiple of 16 bytes, over thread y and x;
    - the step's matmul and the fill as `scf.forall`s of 4 x 4
      output tiles mapped to `#gpu.thread<y>`, `#gpu.thread<x>` (a 64 x 64
      block is 16 x 16 threads; 8 x 8 tiles, 8 x 8 threads, in products of
      132 blocks or more of elements up to 32 bits); each thread's product
      vectorized (one
      `vector.contract`), so that `dlc-lower-vectors` keeps its
      accumulators in registers across the K loop once threads are mapped;
    - the consumer (one or two outputs) in 16-byte pieces of rows (128 bits
      of its narrowest operand read along the row) over the block's linear
      thread ids, a piece in each of a few rows per thread, each piece
      marked `dlc.vector_piece` (`dlc-map-forall-to-gpu` makes them vector
      accesses where aligned): a warp reads the accumulator tile and writes
      the output in whole rows; a consumer that does not fit (other than
      elementwise arithmetic, rows of no whole pieces) takes the thread
      tiles.
    A 2-D float product of fewer than 66 blocks (half an H100's SMs) with
    a K of 1024 or more and 8192 outputs or more (a conv weight gradient,
    [288, 12544] x [12544, 64]: 9 blocks stepping through 12544 values) is
    first a `linalg.batch_matmul` over K chunks (the fewest, of at least
    256 steps and a multiple of 16, 32 with tensor cores, that give 132
    blocks; 16 of 784 there: 144 blocks), an operand with K last written
    as [chunks, M or N, K / chunks] so that the batch comes first (by its
    producer where that is a one-use map whose first K dim the chunks
    divide, an im2col: no copy; else copied), then the
    partials summed into the output in chunk order (a kernel of its own;
    an elementwise consumer is then one too).
    Before that, a 2-D matmul without a tensor-core plan whose A or B is a
    `linalg.transpose` (the backward's dy W^T) reads the transpose's input
    through a transposed map (the transpose is then no kernel of its own),
    and a static float
    product that no block fits (an M or N over
    64 and no multiple of 16, or odd: a batch of 100, a layer of 1000
    units) or whose K no tensor-core step fits, with at least 64 x 64
    outputs once padded, is computed on operands zero-padded (`tensor.pad`,
    one kernel each; a fill init is made on the padded shape) to multiples
    of 64 (16 up to 64) in M and N and of 32 (16 without tensor cores) in
    K, and its [M, N] part taken (`tensor.extract_slice`); a consumer then
    is a kernel of its own.
    Row nests (softmax, log_softmax, layer norm, cross-entropy: an
    elementwise op over [rows, cols], or an op over rows such as
    cross-entropy's per-row loss, computed from row reductions over [rows,
    cols], row-vector ops and elementwise ops used nowhere else; ops over
    [rows..., cols] with cols a multiple of 32 are first collapsed to
    [rows, cols]; bodies may read their position, with `linalg.index`, and
    gather with `tensor.extract`; operands may be [rows, 1], as the
    backward's labels) become one block forall of up to 8 rows mapped to
    `#gpu.block<x>`, a warp per row (W warps for long rows: 2 from 1024
    columns, 4 from 2048, 8 from 4096, with 8 / W rows a block, so that
    fewer rows are in flight on the GPU and a reduction's re-reads of a row
    hit L2; L = 32 W threads a row below):
    - the nest's elementwise producers are fused into each of their
      consumers (recomputed rather than stored);
    - each row reduction becomes per-thread partials over the columns l,
      l + L, ... (stride-L slices: neighbouring threads read neighbouring
      elements; ceil((cols - l) / L) of them, none for lanes past a short
      row) into an R x L buffer in shared memory, then a merge of each
      row's partials by its warp: a butterfly of five `gpu.shuffle xor`s
      (upstream's `gpu.subgroup_reduce` has no memory effects declared, which
      bufferization's deallocation refuses), each lane ending with the total
      (with several warps a row, each warp's total into its lanes' slots,
      then one thread per row folds the W totals into the row's filled
      element; with `host-emulation`, where lanes run one after another,
      and for 64-bit elements, one thread per row folds all L partials
      instead). A reduction
      must start from a fill of its combiner's neutral element (or be a max
      or min), since each partial starts from it too;
    - row vectors (max, sum, mean, variance) live in shared memory; the
      output is written by all L x R threads with the same strided slices
      (an output over rows by one thread per row);
    - `linalg.index` in the threads' ops is renumbered to the block's
      loops: row r + i, column l + L j.
    A reduction of everything into a scalar (a loss, a norm: a static
    generic or `linalg.reduce` whose loops are all reductions, its inputs
    read whole through identity maps, its output rank 0 filled as row
    reductions need) becomes row reductions first: its inputs as [R, N / R]
    into R partials (R giving rows of 1024 to 16384 columns where a divisor
    of N allows, else 1), then those as one row [1, R] into [1], which the
    row nests take (rather than one thread stepping through N).
    `dlc-map-forall-to-gpu` turns these into kernels after bufferization.
    Tensor cores: a matmul of f16 or bf16 operands accumulated in f32 (how
    dlc-to-linalg lowers f16/bf16 matmuls; batched too), or of f32 with
    `allow-tf32`,
    whose M and N are multiples of 16 and K of the mma.sync K (16; 8 for
    TF32), has warps instead of thread tiles: the K step's product as an
    `scf.forall` of up to 32 x 32 (64 x 32) warp tiles mapped to
    `#gpu.warp<linear_dim_1>`, `#gpu.warp<linear_dim_0>` (2 x 2 warps in a 64 x 64 block, K steps of 32;
    products of 132 blocks or more: 128 x 64 blocks of 2 x 2 warps of 64 x
    32, K steps of 64 bytes), each
    one `vector.contract` marked `dlc.mma_shape` (m16n8k16; m16n8k8 for
    TF32) for `dlc-lower-to-mma-sync`; the copies, fill and consumer over
    the block's 32 threads per warp. bf16 tiles are staged as f16 bits (and
    the contraction marked `dlc.mma_bf16`), since upstream's fragment loads
    know f16 only; with `host-emulation` they stay bf16.
    Elementwise ops left after those (a static all-parallel generic of rank
    1 to 3, its output and the inputs that vary along the last loop read in
    loop order, the others not varying along it, a body of elementwise
    arithmetic, and a last dim of a multiple of 32 x V, V = 16 bytes of its
    widest such operand): blocks of up to 256 threads (up to 8 rows of up
    to 256 / rows x 32 pieces, mapped to #gpu.block<x/y/z> from the last
    loop), each thread V consecutive elements of a row, the thread's op
    marked `dlc.vector_piece = V` for `dlc-vectorize-staging-copies`.
    One whose operands all have its shape (identity maps) and are whole
    tensors (function arguments or results, no slices), but whose rows are
    no multiple of 32 pieces or whose rank passes 3 (NCHW activations), is
    first collapsed to one loop when the total is.
    A reduction with reduction loops before and after its last parallel
    loop (a bias gradient, [N, C, H, W] -> [C]; fewer than 8192 outputs, 2
    or more outer and 4 or more inner steps, a combiner with a neutral
    element) becomes two generics, before the row nests: partial[n, c]
    over the inner loops from the neutral element, then the outer loops
    reduced into the output. Where the inner loops are 32 steps or more,
    read in order by every operand, the partials are collapsed to [n * c,
    h * w], a row reduction alone: a row nest (a warp a row, reading along
    it) instead of a thread per partial reading 32 rows apart.
    A copy that transposes the innermost dim (a static all-parallel generic
    yielding its one input, read through a permutation whose last dim is
    not the last loop: NCHW -> NHWC, a conv weight gradient's dy), its
    loops that stay neighbours in both operands merged, of at most 3 loops
    then, goes through shared memory: blocks of a TQ x TL tile (TL along the
    output's last loop, TQ along the input's: 32, 16 or 8 where they divide,
    else a divisor from 31 down to 9: 28 of 196), up to 256 linear threads
    copying the input tile along its rows into a buffer of rows of an odd
    number of elements, then writing it along the output's rows.
    Reductions with few outputs, so that they have threads to spare: one
    with a single reduction loop of 2048 steps or more and fewer than 8192
    outputs (a 1-channel conv's weight gradient, [9, 50176] x [50176, 32])
    is split by upstream's `linalg::splitReduction` into parallel chunks,
    then summed; so is a contraction that would be fewer than 8 blocks with
    a K of 512 or more (a classifier, [64, 3136] x [3136, 10]), instead of
    its tile plan. A product into a fill takes the most chunks of 16 steps
    or more within 132 x 1024 threads, a multiple of 32, before the row
    nests, its partials laid out [outputs, chunk]: each output's partials
    a row that a warp of a row nest sums (448 chunks of 112, rows of 448,
    for the conv). A column sum into a fill ([R, C] -> [C], R a multiple
    of 32 from 64 on: a bias gradient over the batch, or the second step
    above) goes the same way in 32 chunks. Other such reductions (into an
    existing tensor, or single-input ones, after the row nests) take
    chunks of 128 steps or more within about 16384 threads, their partials
    [chunk, outputs] summed a thread an output.
    Static pads with a constant value left (a conv's padded input) become
    one generic over the padded shape each (the source read at a clamped
    position where inside, the pad value elsewhere): bufferized, a pad is a
    fill and a copy, two kernels. One whose only consumer is a generic
    that upstream's elementwise fusion accepts (an im2col reading the
    padded input) is fused into it: no padded tensor.
    With `host-emulation`, the staging buffers are ordinary memory, so the
    same schedule compiles for the CPU: the tests run it there
    (`dlc-cpu-pipeline emulate-gpu-schedule`).

    Leaves alone: other ops, contractions of dynamic shape, with an M or N
    that is odd or over 64 and no multiple of 16 and fewer than 64 x 64
    outputs once padded, or under 64 outputs, and
    row reductions of dynamic shape or that start from another value than
    the neutral element (they stay one thread per output element or row),
    and every op inside a host loop or branch that reads tensor elements
    itself (scatter_add's ordered loop over its indices):
    `dlc-add-unit-parallel-loop` makes that loop a kernel of its own, and a
    kernel tiled here inside it would be a launch from a kernel.

    With `wgmma` (sm_90a): `linalg.matmul`s of f16 or bf16 A [M, K] and B
    [K, N], or of f32 ones with `allow-tf32` (default maps, or for f16 and
    bf16 A^T [K, M] through maps (k, m), (k, n), (m, n), the weight gradient
    x^T dy as convert-dlc-to-linalg builds it, M a multiple of 8; operands
    not slices or reshapes, which would bufferize to views), M and N 128 or
    more, N a multiple of 8 and K of 16 bytes, into an f32 C that a zero
    `linalg.fill` used by them alone starts, are marked `dlc.wgmma` and
    left (their fill too) for `dlc-lower-to-wgmma`, with the elementwise op
    that alone uses the product (2-D, parallel, the product and its outputs
    through identity maps, its other inputs through projected permutations,
    its body not reading its position: a rounding, a bias and activation,
    a training step's momentum and weight update in place), which becomes
    the kernel's epilogue. Each is rebuilt to read its operands where they
    are, through maps (k, m) for A^T and (n, k) for B^T: f16 and bf16
    wgmmas read either operand K-major or MN-major, so A^T's input where A
    is a 2-D `linalg.transpose` of a whole buffer (M a multiple of 8) and
    B^T's where B is one (dy W^T reads W): no transpose kernels. TF32 wgmma
    reads both operands K-major: A as it is, and B^T, the transpose's input
    (dy W^T) or else a `linalg.transpose` of B made before the product,
    which only products of 1024 rows or more take (the others are tiled for
    mma.sync's TF32: the transpose would cost more than 58% of their time).
  }];
  let options = [
    Option<"hostEmulation", "host-emulation", "bool", /*default=*/"false",
           "Stage tiles in ordinary memory instead of shared memory (the "
           "schedule run on the CPU, for testing)">,
    Option<"allowTF32", "allow-tf32", "bool", /*default=*/"false",
           "Compute f32 matmuls on tensor cores in TF32 (10-bit mantissa "
           "products, f32 accumulation), as PyTorch's allow_tf32">,
    Option<"tensorCores", "tensor-cores", "bool", /*default=*/"true",
           "mma.sync m16n8k16 / m16n8k8 TF32 plans (sm_80 and later); off: "
           "every contraction on FMAs">,
    Option<"wgmma", "wgmma", "bool", /*default=*/"false",
           "sm_90a: mark the products dlc-lower-to-wgmma takes (f16 or "
           "bf16 A or A^T and B or B^T, f32 A and B with allow-tf32, M and "
           "N of 128 or more, into a zero-filled f32 C) and their "
           "elementwise consumer `dlc.wgmma` and leave them">,
    Option<"wideSimtTiles", "wide-simt-tiles", "bool", /*default=*/"false",
           "sm_90: f32 products on FMAs of 256 or more 128 x 128 blocks and "
           "a K of 64 or more in such blocks (256 threads of 8 x 8 outputs, "
           "K steps of 8), which "
           "ask for two blocks an SM (dlc.min_blocks_per_sm): ptxas fits "
           "them in 128 registers for sm_90, and spills for sm_80, sm_100 "
           "and sm_120">,
  ];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

def FoldReductionFills : Pass<"dlc-fold-reduction-fills", "::mlir::func::FuncOp"> {
  let summary = "Start reductions from their init fill's value";
  let description = [{
    Expects: linalg ops on tensors (the GPU path, after `dlc-tile-for-gpu`).

    Produces: each linalg reduction (a generic, or a named op such as
    `linalg.matmul` or `linalg.reduce`, generalized) whose init is a
    `linalg.fill` used by it alone, over static and non-empty loops, as a
    generic whose body starts the accumulator from the fill value at the
    first step of its reduction loops (`linalg.index` == 0, a select), on
    the fill's own init. On the GPU each op outside the tiled nests is a
    kernel: this removes the fill's.

    Leaves alone: ops inside `scf.forall` (the tiled nests), reductions with
    an empty or dynamic loop (the output would be left unwritten) and fills
    with other users.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect"];
}

def MapForallToGPU : Pass<"dlc-map-forall-to-gpu", "::mlir::ModuleOp"> {
  let summary = "Turn block and thread foralls into GPU kernels";
  let description = [{
    Expects: buffers, with the `scf.forall`s of `dlc-tile-for-gpu` (static
    trip counts; a block forall's nested foralls all mapped to threads).

    Produces: each forall mapped to `#gpu.block` as a `gpu.launch` (grid: its
    trip counts; block: the largest trip counts of its thread foralls, or,
    where all map linear thread ids (a transpose's two phases), the most
    threads of one of them, along x),
    block ids in place of its induction variables; its thread foralls
    distributed by upstream's `mapNestedForallToThreadsImpl` (thread ids,
    a `gpu.barrier` after each, predicates where a forall has fewer
    iterations than threads); the linalg ops left in each thread as loops
    (a fill tagged `dlc.accumulator_init` by `dlc-tile-for-gpu` passes the
    tag to its outermost loop); shared-memory allocations left for
    `dlc-place-shared-memory`. The staging copies' pieces
    (16-byte rows from global into shared memory) stay linalg ops for
    `dlc-vectorize-staging-copies`.

    Leaves alone: everything outside block foralls.
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def PipelineStagingCopies : Pass<"dlc-pipeline-staging-copies",
                                 "::mlir::func::FuncOp"> {
  let summary = "Stage the GEMM tiles of the next K steps during this one's "
                "product";
  let description = [{
    Expects: buffers, with the contraction blocks of `dlc-tile-for-gpu`: a
    K loop (`scf.for` of static bounds, directly in a forall mapped to
    `#gpu.block`) whose body allocates the A and B tiles, fills each whole
    with a forall of copies (or bitcast copies) from memory outside the
    loop, reads them in later ops and frees them.

    Produces: S stages of each tile (S = `stages`, fewer where the K loop
    has fewer steps or the block's buffers would pass `shared-bytes`;
    nothing when S < 2; more than 48 KiB becomes dynamic shared memory,
    `dlc-place-shared-memory`) in one `i8` buffer before the loop,
    each step's tile a `memref.view` at offset ((k - lb) / step mod S) x
    its bytes. The fills of steps 0 .. S - 2 before the loop; in the loop,
    the fills of step i + S - 1 (under an `scf.if`: none past the last
    step) before the product of step i. A bitcast copy (bf16 staged as f16
    bits) becomes a plain copy into a view of the source's type over the
    same bytes.
    With `pad-rows` (the default), a stage whose rows are an even number of
    16-byte units gets 16 bytes more per row, and the tile is a subview of
    it (row stride 40 for a 128 x 32 f16 tile): the 8 rows an ldmatrix
    phase reads fall in 8 different bank groups instead of 2 (rows of 64
    bytes) or 1 (128 bytes).
    With `async-copies` (the GPU pipeline, sm_80 and later): the copies are
    marked `dlc.async_copy` (`dlc-vectorize-staging-copies` issues them as
    cp.async) and their foralls `dlc.async_copies` (no barrier after them
    from `dlc-map-forall-to-gpu`); each step's fills end with a
    `nvvm.cp.async.commit.group` (in the loop after the `scf.if`, so that
    every thread commits one group per step), followed in the loop by
    `nvvm.cp.async.wait.group S - 1` and a `gpu.barrier`: step i's tiles
    are complete and visible before its product, while steps i + 1 ..
    i + S - 1 are in flight. The barrier after the product keeps the next
    step's fills from overwriting a stage still being read.
    Without it (the emulated schedule on the CPU), the same restructured
    loop with plain copies, so that the CPU tests the stage arithmetic.

    Leaves alone: other loops; loops with loop-carried values.
  }];
  let options = [
    Option<"stages", "stages", "int64_t", /*default=*/"3",
           "The most stages of each tile">,
    Option<"sharedBytes", "shared-bytes", "int64_t", /*default=*/"98304",
           "The most shared memory of a block (96 KiB: what every GPU "
           "from sm_80 on gives a block that opts in)">,
    Option<"async", "async-copies", "bool", /*default=*/"false",
           "cp.async copies, commit groups and waits (sm_80 and later)">,
    Option<"padRows", "pad-rows", "bool", /*default=*/"true",
           "Pad each stage's rows to an odd number of 16-byte units "
           "(no shared-memory bank conflicts in ldmatrix and fragment "
           "loads)">,
  ];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::scf::SCFDialect"];
}

def VectorizeStagingCopies : Pass<"dlc-vectorize-staging-copies",
                                  "::mlir::func::FuncOp"> {
  let summary = "Copy the GEMM tiles into shared memory with 16-byte "
                "accesses";
  let description = [{
    Expects: kernels (`gpu.launch`, after `dlc-map-forall-to-gpu`) whose
    staging copies are per-thread linalg copies (or bitcast copies) of
    static rows of 16 bytes (4 f32, 8 f16 or bf16), contiguous, from global
    into shared memory, as `dlc-tile-for-gpu` tiles them.

    Produces: each such copy as an `scf.if` on whether every source and
    target row starts at a multiple of 16 bytes (the buffers' aligned
    pointers, offsets and row strides, tested at run time: a caller's tensor
    need not be aligned): then one `vector.load` and `vector.store` of
    `alignment = 16` per row (PTX `ld.global.v4`, `st.shared.v4`), else
    scalar loops.

    Runs after `dlc-lower-vectors`, whose subview folding would drop the
    accesses' alignment, and after `dlc-lower-to-mma-sync`, whose upstream
    conversion takes any vector access inside the K loop for its own.

    Also (`dlc.vector_piece` = V, from `dlc-tile-for-gpu`): a thread's
    elementwise generic over V consecutive elements of each operand that
    varies along the last loop (one value of the others) becomes an `scf.if`
    on whether those operands' pieces start at multiples of 16 bytes: then
    one `vector.load` per such operand (a `memref.load` of the others), the
    body's ops on vector<V> (scalars broadcast), one `vector.store`, all of
    `alignment = 16` (PTX `ld.global.v4`, `st.global.v4`); else loops.
    With `host-emulation`, those pieces outside kernels too (the emulated
    schedule on the CPU runs the same vector code).

    Leaves alone: everything else.
  }];
  let options = [
    Option<"hostEmulation", "host-emulation", "bool", /*default=*/"false",
           "Lower the elementwise pieces outside kernels too (the emulated "
           "GPU schedule on the CPU)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def PlaceSharedMemory : Pass<"dlc-place-shared-memory", "::mlir::ModuleOp"> {
  let summary = "Place each kernel's shared buffers in one array, by live "
                "range";
  let description = [{
    Expects: kernels (`gpu.launch`) whose shared buffers are allocations
    (`memref.alloc` in `#gpu.address_space<workgroup>`, static shapes,
    identity layouts), as `dlc-map-forall-to-gpu` leaves them.

    Produces: per kernel, one array of bytes and each buffer a `memref.view`
    of it at a 16-byte aligned offset, its deallocations dropped. A
    buffer's live range is the top-level ops of the kernel's body from the
    first to the last that touches it (taking a view or an address does
    not count). Buffers are placed largest first at the lowest offset
    clear of those live with them, so buffers live apart share bytes: a
    GEMM block's accumulator tile, written after the K loop and read by
    its fused consumer, takes the bytes of the K loop's stages. Where a
    buffer takes bytes another one used before, a `gpu.barrier` goes
    before its first top-level op (every thread runs those), preceded by
    `nvvm.cp.async.wait.group 0` if the earlier one was a `cp.async`
    target, unless the body has them in between already. The array is a
    private `memref.global` of `i8` (kernel outlining copies it into the
    GPU module, NVVM makes it `.shared`) up to the 48 KiB of static shared
    memory, and the kernel's dynamic shared memory beyond (the launch's
    `dynamic_shared_memory_size` set to the total; the runtime raises a
    kernel's limit when a launch asks for more than 48 KiB).

    A tensor-core block's f32 accumulator tile (2-D, rows of a multiple of
    128 bytes, written by 2-float fragment stores and otherwise only
    loaded and stored) gets 8 floats after each row (a `memref.subview` of
    a wider view): the 4 rows of a half warp's fragment stores then fall in
    different banks (without: 4-way bank conflicts, as the SIMT emulator's
    memory profile counts them).

    Runs after `dlc-lower-vectors`: upstream's hoisting of accumulators
    out of a K loop tells buffers apart by their allocations, not by views
    of one array. `dlc-lower-vectors` also folds a block's accumulator
    fill into the accumulators' hoisted reads, which is what leaves the
    accumulator tile dead during the K loop.

    Errors: shared memory outside a kernel, of dynamic size or with a
    layout; a launch with dynamic shared memory already; a global-memory
    buffer allocated inside a kernel (each thread would malloc its own: a
    row statistic meant for the block, as a collapsed [batch, tokens,
    features] layer norm's once had).

    Leaves alone: kernels without shared-memory allocations.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::NVVM::NVVMDialect"];
}

def LowerToMmaSync : Pass<"dlc-lower-to-mma-sync", "::mlir::func::FuncOp"> {
  let summary = "Compute the warps' marked contractions with mma.sync";
  let description = [{
    Expects: kernels (`gpu.launch`, after `dlc-map-forall-to-gpu`) holding
    `vector.contract`s marked `dlc.mma_shape` by `dlc-tile-for-gpu`: a
    warp's (m, n, k) product read with `vector.transfer_read`s from buffers
    (A and B in shared memory), its accumulator read and written back.

    Produces: each marked contraction unrolled to the native mma.sync shape
    (its reads and writes with it), the accumulator tiles hoisted out of
    the K loop into registers, and the kernel's vector ops converted by
    upstream's `convertVectorToNVVMCompatibleMMASync` to `nvgpu.mma.sync`
    (`tf32Enabled` for f32), fragments loaded with `nvgpu.ldmatrix` from
    shared memory where the layout allows and per-lane loads otherwise;
    `convert-nvgpu-to-nvvm` lowers them to `mma.sync.aligned` PTX. In
    kernels marked `dlc.mma_bf16` the products are instead `nvvm.mma.sync`
    on bf16 (the f16 fragments' bits in 32-bit registers), which the
    upstream nvgpu lowering cannot emit.

    Fails, naming the kernel, where a marked contraction's operands or
    users do not convert (it would otherwise be left on FMAs unnoticed).

    Leaves alone: unmarked contractions and everything outside kernels with
    marked ones.
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def LowerToWgmma : Pass<"dlc-lower-to-wgmma", "::mlir::ModuleOp"> {
  let summary = "Build sm_90a GEMM kernels on TMA, mbarriers and wgmma";
  let description = [{
    Expects: buffers (after `dlc-bufferize` and the deallocation pipeline)
    holding `linalg.matmul`s that `dlc-tile-for-gpu wgmma` marked
    `dlc.wgmma`: A [M, K] (map (m, k)) or A^T [K, M] ((k, m)) times B
    [K, N] ((k, n)) or B^T [N, K] ((n, k)) of f16 or bf16, or A [M, K] times
    B^T [N, K] of f32 (TF32 products, which read both operands K-major); C
    [M, N] f32; M and N 128 or more, N a multiple of 8, K of 16 bytes (and M
    of 8 where A^T is read: TMA's rows); each buffer of identity layout, C
    filled with zeros by the op before.

    Produces: each as a persistent `gpu.launch` of one block an SM (the
    runtime's `mgpuMultiprocessorCount`, declared in the module; no more
    blocks than tiles) of three warpgroups (384 threads), stepping through
    128 x 256 tiles of C where enough of them fill the SMs (`multiprocessors`,
    an H100's or H200's 132 by default), 128 x 64 where even those leave
    SMs idle (all tiles then in one wave), else 128 x 128 (edge tiles'
    elements past M, N or K TMA's zeros); the fill gone; K in
    steps of 128 bytes (64 f16, 32 f32). TMA tensor maps of A (128 x step
    boxes; A^T: two step x 64 boxes, a consumer warpgroup's half each) and
    B (step x 64; B^T: 64 x step) are made on the host with the 128-byte
    swizzle. In the kernel, warp specialization: the
    producer warpgroup gives up registers (`nvvm.setmaxregister` 56) and its
    thread 0 prefetches the maps, then loads the K steps' tiles of A and B
    (`nvgpu.tma.async.load`) into a ring of as many shared-memory stages as
    fit in 192 KiB (four of 48 KiB, six of 32, eight of 24), on from one
    tile into the next, each stage behind a "full" and an "empty"
    `nvgpu.mbarrier`; the two consumer warpgroups (224 registers) each take
    64 rows of the tile, wait for a stage's full phase, issue its wgmmas
    (`nvvm.wgmma.mma_async` from upstream's descriptors: m64nNk16 on f16 or
    bf16, A K-major or (A^T) M-major, B N-major or (B^T) K-major, m64nNk8
    TF32 with both operands K-major, none of which but K-major A and N-major
    B upstream's `nvgpu.warpgroup.mma` takes; a tile's first with
    scale-d 0, so that no zeros are moved into the sums' registers) leaving
    one group in flight, and free the previous step's stage on its empty
    barrier (each warp after its wgmma wait). The consumers then store the
    sums from their registers into C or, where dlc-tile-for-gpu also marked
    C's elementwise consumer (a rounding to bf16, a bias, an activation; a
    training step's momentum and weight update, reading and writing both in
    place) and nothing else reads C, nor does anything between the product
    and that consumer touch what the consumer reads or writes, compute that
    consumer's body on each pair of sums into its outputs (C then goes),
    each pair of each output one 2-element store (aligned to a pair where
    all outputs are, tested at run time).
    Upstream's `convert-nvgpu-to-nvvm` lowers the nvgpu ops
    (`convert-tensor-map-arguments` once the kernel is outlined); the
    runtime encodes the maps with
    `cuTensorMapEncodeTiled`.

    Fails where a marked product's buffers are not as above (a view, a
    C not zero-filled just before): dlc-tile-for-gpu marks only those whose
    tensors bufferize so.

    Leaves alone: unmarked ops, and a marked consumer it cannot fuse (the
    parallel-loop route then takes it).
  }];
  let options = [
    Option<"multiprocessors", "multiprocessors", "int64_t", "132",
           "SMs the tile shape is chosen for (the grid takes the device's "
           "own count at run time)">,
  ];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def OutlineKernels : Pass<"dlc-outline-kernels", "::mlir::ModuleOp"> {
  let summary = "Outline GPU kernels, keeping each launch's occupancy hint";
  let description = [{
    Expects: `gpu.launch` ops (of `dlc-map-forall-to-gpu` and the
    parallel-loop route), some with `dlc.min_blocks_per_sm = N`.

    Produces: upstream's `gpu-kernel-outlining` (a `gpu.module` and
    `gpu.func` per launch, the launch a `gpu.launch_func`), and on the kernel
    of each launch that had the hint `nvvm.minctasm = N`, which
    `convert-gpu-to-nvvm` keeps and the PTX states as `.minnctapersm N`.
    On each kernel of memref and scalar arguments, the memrefs it never
    writes (no op writes them or a view of them, or takes them without
    saying what it does) and that, at every launch, view another buffer
    than each memref it writes does (another `memref.alloc`/`gpu.alloc`,
    or another argument of a public function: the runtime passes no
    written buffer that overlaps another tensor of the call) are marked:
    `dlc.read_only` on those arguments (for `dlc-forward-kernel-loads`),
    and `dlc.noalias_args` on the kernel (for `dlc-apply-kernel-noalias`),
    their positions in the signature `convert-gpu-to-nvvm` gives it (each
    memref's aligned pointer).

    Why: outlining keeps none of a launch's attributes, and the hint must
    reach ptxas: dlc-tile-for-gpu's 128 x 128 f32 GEMM blocks (256 threads
    of 8 x 8 outputs) take 183 registers a thread unbounded, one block an
    SM; with two an SM asked for, 127 and no spills (ptxas -v, sm_90).
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::NVVM::NVVMDialect"];
}

def ForwardKernelLoads
    : Pass<"dlc-forward-kernel-loads", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Load each element of a kernel's read-only buffers once";
  let description = [{
    Expects: outlined kernels (`gpu.func`) whose memref arguments
    `dlc-outline-kernels` marked `dlc.read_only` (only read by the kernel,
    overlapped by no buffer it writes).

    Produces: each `scf.for` of constant bounds, at most 32 steps and 64
    plain ops (no regions, no barrier) that loads from such a buffer read
    elsewhere in the kernel too, unrolled; canonicalization and CSE, so
    that loads of the same element are the same op; then each
    `memref.load` of such a buffer that a load of the same element
    dominates replaced by that load's value. A kernel where no load is so
    replaced is left as it was (a GEMM's staging copies read such buffers
    before and in the K loop, other elements each time).

    Why: a row nest's passes (a softmax's max, sum and output; a layer
    norm's mean, variance and output) each read the thread's columns of
    the row (16 a thread for 4096 columns and 256 threads); the kernel now
    reads them once and keeps them in registers, across the barriers and
    the output's stores that LLVM would not move a load past (with
    `noalias` it still re-read them: its unrolling and address forms
    differed between the passes).
  }];
}

def ApplyKernelNoAlias
    : Pass<"dlc-apply-kernel-noalias", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Mark the read-only, unaliased buffers of kernels noalias";
  let description = [{
    Expects: a `gpu.module` in the LLVM dialect (after
    `convert-gpu-to-nvvm`), kernels with `dlc.noalias_args` (from
    `dlc-outline-kernels`): positions of memrefs' aligned pointers in
    their signatures.

    Produces: `llvm.noalias` on those arguments; the attribute removed.

    Why: `dlc-outline-kernels` knows at the launches which buffers a kernel
    only reads and that no buffer it writes overlaps; `convert-gpu-to-nvvm`
    drops memref argument attributes. With `noalias`, LLVM keeps values it
    read across the kernel's stores and barriers (a softmax row read once
    for its max and its sum, where it was read for each) and NVPTX reads
    them through the non-coherent cache (`ld.global.nc`).

    Fails where a position is not a pointer following a pointer (the
    memref descriptor's allocated and aligned pointers).
  }];
}

def NameKernels : Pass<"dlc-name-kernels", "::mlir::ModuleOp"> {
  let summary = "Name each outlined kernel after its GPU module";
  let description = [{
    Expects: the `gpu.module`s of `gpu-kernel-outlining`, one kernel each.

    Produces: each module's kernel (`gpu.func`) renamed to its module's name,
    which outlining made unique (`_dlc_train_step_kernel_45`), and the
    `gpu.launch_func`s updated.

    Why: outlining names every kernel of a function `<function>_kernel`, so
    the 41 kernels of a training step all had one name in the PTX, in the
    runtime's launch errors ("launching kernel _dlc_train_step_kernel
    failed") and in its per-kernel profile (`DLC_CUDA_PROFILE`).

    Leaves alone: modules with other than one kernel, and kernels already
    named after their module.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def PinRegisterCount
    : Pass<"dlc-pin-register-count", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Pin the register count of kernels that use setmaxnreg";
  let description = [{
    Expects: a `gpu.module` in the LLVM dialect (after
    `convert-gpu-to-nvvm`).

    Produces: each kernel holding `nvvm.setmaxregister` (the wgmma GEMMs of
    `dlc-lower-to-wgmma`, whose producer warpgroup gives up registers that
    the consumers take) `nvvm.minctasm = 1` (PTX `.minnctapersm 1`, as
    CUTLASS's `__launch_bounds__(threads, 1)`): ptxas then gives a thread
    the block's share of the register file at entry (168 for 384 threads),
    the count the producer's and the consumers' `setmaxnreg` balance
    against.

    Why: `.maxntid` alone leaves ptxas free to give a kernel fewer
    registers (64 for the wgmma kernel of 128 x 64 tiles), and it then
    ignores every `setmaxnreg` ("unable to determine register count at
    entry", C7508).

    Fails where such a kernel already asks for more than one block an SM.
    Leaves alone: other functions.
  }];
}

def DeclareDynamicSharedMemory
    : Pass<"dlc-declare-dynamic-shared-memory", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Declare a kernel module's dynamic shared memory as CUDA does";
  let description = [{
    Expects: a `gpu.module` in the LLVM dialect (after
    `convert-gpu-to-nvvm`), whose `gpu.dynamic_shared_memory` became an
    internal zero-sized array global in the shared address space
    (`__dynamic_shmem__0`).

    Produces: that global external (a declaration) and 1024-byte aligned,
    which NVPTX prints as `.extern .shared .align 1024 .b8
    __dynamic_shmem__0[]`, the dynamic shared memory of the launch, placed
    after the kernel's static shared variables.

    Why: upstream's lowering makes the array internal, which NVPTX prints
    as a one-byte static variable (`.shared .align 16 .b8
    __dynamic_shmem__0;`): the kernel then addresses its dynamic bytes from
    a static variable's place, which the static variables declared beside it
    (the wgmma kernel's mbarriers) may follow, and which is only 16-byte
    aligned where TMA's and wgmma's 128-byte swizzle wants 1024.

    Leaves alone: other globals.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def AllocateOnDevice : Pass<"dlc-allocate-on-device", "::mlir::func::FuncOp"> {
  let summary = "Put a host function's buffers in GPU memory";
  let description = [{
    Expects: a host function on memrefs whose loops have become
    `gpu.launch` regions (or outlined `gpu.launch_func`s), its arguments
    being device buffers (the CUDA runtime passes device pointers).

    Produces: every `memref.alloc`/`memref.dealloc` of the function (outside
    kernels) as `gpu.alloc`/`gpu.dealloc`, so intermediates live in device
    memory and are allocated through the runtime (`mgpuMemAlloc`), not
    malloc; every constant buffer (`memref.get_global`) copied once per
    call into a device buffer (`gpu.memcpy`) that replaces it and is freed
    before the return. `gpu-async-region` then orders all of it on one
    stream.

    Fails, naming the op, where a load or store is left outside every
    `gpu.launch` (a loop nest the mapping did not turn into a kernel would
    read device memory on the host).

    Leaves alone: code inside `gpu.launch` regions and GPU modules, and
    stack allocations (which kernels cannot address: none are created on
    this path).
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def LowerVectors : Pass<"dlc-lower-vectors"> {
  let summary = "Hoist and lower vector ops on buffers to FMAs, loads and stores";
  let description = [{
    Expects: vectorized code after bufferization.

    Produces: register tiles unrolled into 1-D vectors of a power-of-two
    length (rows, and 48-wide rows into 16-wide pieces), memref aliases
    folded into the transfers and CSE'd, accumulators hoisted out of their
    reduction loops (`linalg::hoistRedundantVectorTransfers`: they stay in
    registers across k, or across C, KH and KW for conv), then
    `vector.contract` lowered to outer products and FMAs, multi-reductions
    to vector reductions, vector exp/expm1/log/log1p/tanh/erf to upstream's
    polynomial approximations (scalar math keeps libm), leading unit dims
    of row vectors dropped (so every elementwise op is on 1-D vectors, as
    the LLVM lowering of some math ops requires), and transfers to
    plain vector loads/stores (fully unrolled to rank 1; permutation maps
    lowered after the unrolling).

    With `lower-broadcasts` (the GPU path, run on the GPU modules before
    `convert-gpu-to-nvvm`, which takes 1-D vectors only), n-D broadcasts
    and shape casts are lowered too, to 1-D vector ops.

    Leaves alone: everything that is not a vector op. Transfers through an
    `expand_shape` are not folded (upstream's folding pattern never
    converges on them).
  }];
  let options = [
    Option<"lowerBroadcasts", "lower-broadcasts", "bool", /*default=*/"false",
           "Also lower n-D vector.broadcast and shape_cast to 1-D ops (for "
           "GPU kernels)">,
  ];
  let dependentDialects = [
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

#endif // DLC_TRANSFORMS_PASSES_TD
