//===- GPUToSIMTEmulator.cpp - GPU kernels as host functions --------------===//
//
// Each outlined kernel becomes a host function whose GPU operations call the
// SIMT emulator (lib/SIMTEmulator), and each launch a call that runs it for
// every thread of every block: the GPU pipeline's kernels, after all of its
// GPU passes, run on the CPU where tests compare them with NumPy.
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/Passes.h"
#include "dlc/Conversion/TensorMapArguments/TensorMapArguments.h"

#include "mlir/Conversion/GPUCommon/GPUCommonPass.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Conversion/NVGPUToNVVM/NVGPUToNVVM.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/DialectConversion.h"

#include <algorithm>

namespace dlc {
#define GEN_PASS_DEF_CONVERTGPUTOSIMTEMULATOR
#include "dlc/Conversion/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// Bytes an element of `type` takes in memory: i1 takes a byte, as the
/// LLVM lowering stores it (bit width / 8 would be 0).
int64_t storageBytes(ShapedType type) {
  return llvm::divideCeil(type.getElementTypeBitWidth(), 8);
}

constexpr llvm::StringLiteral kKernelPrefix = "__dlc_simt_kernel_";
constexpr llvm::StringLiteral kLaunchPrefix = "__dlc_simt_launch_";
constexpr llvm::StringLiteral kDynamicShared = "__dlc_simt_dynamic_shared";
// The most dynamic shared memory a block may have (sm_90: 227 KiB).
constexpr int64_t kMaxDynamicShared = 227 * 1024;

/// The name of kernel `function` of GPU module `module` in the emulator's
/// symbols and messages: the module's and the kernel's, or one of them
/// where they are the same (dlc-name-kernels).
std::string kernelName(StringRef module, StringRef function) {
  return module == function ? module.str() : (module + "_" + function).str();
}

/// `type` without a GPU address space (workgroup, private): on the host all
/// memory is one space.
Type stripAddressSpace(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref || !isa_and_nonnull<gpu::AddressSpaceAttr>(
                     memref.getMemorySpace()))
    return type;
  return MemRefType::get(memref.getShape(), memref.getElementType(),
                         memref.getLayout());
}

/// An sm_90 nvgpu operation (mbarriers, TMA, wgmma): emulated after
/// upstream's lowering to NVVM; the older ones (cp.async, ldmatrix,
/// mma.sync) as they are.
bool isHopperOp(Operation *op) {
  return isa<nvgpu::NVGPUDialect>(op->getDialect()) &&
         !isa<nvgpu::DeviceAsyncCopyOp, nvgpu::DeviceAsyncCreateGroupOp,
              nvgpu::DeviceAsyncWaitOp, nvgpu::LdMatrixOp, nvgpu::MmaSyncOp>(
             op);
}

/// Declares (once) the emulator function `name`.
func::FuncOp declare(ModuleOp module, StringRef name, TypeRange inputs,
                     TypeRange results) {
  if (auto fn = module.lookupSymbol<func::FuncOp>(name))
    return fn;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto fn = func::FuncOp::create(b, module.getLoc(), name,
                                 b.getFunctionType(inputs, results));
  fn.setPrivate();
  return fn;
}

struct Emitter {
  ModuleOp module;
  OpBuilder &b;
  Location loc;

  Value call(StringRef name, Type result, ValueRange args) {
    SmallVector<Type> results;
    if (result)
      results.push_back(result);
    func::FuncOp fn = declare(module, name, args.getTypes(), results);
    auto op = func::CallOp::create(b, loc, fn, args);
    return result ? op.getResult(0) : Value();
  }
  Value i32(int64_t v) { return arith::ConstantIntOp::create(b, loc, v, 32); }
  Value i64(int64_t v) { return arith::ConstantIntOp::create(b, loc, v, 64); }
  Value toI64(Value index) {
    return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  }
  /// The address (i64) of the buffer under `memref`.
  Value baseAddress(Value memref) {
    return toI64(
        memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref));
  }
  /// The address (i64) of element `indices` of `memref`.
  Value elementAddress(Value memref, ValueRange indices) {
    auto type = cast<MemRefType>(memref.getType());
    auto meta = memref::ExtractStridedMetadataOp::create(b, loc, memref);
    Value linear = meta.getOffset();
    for (auto [index, stride] : llvm::zip(indices, meta.getStrides()))
      linear = arith::AddIOp::create(
          b, loc, linear, arith::MulIOp::create(b, loc, index, stride));
    Value bytes = arith::MulIOp::create(
        b, loc, linear,
        arith::ConstantIndexOp::create(
            b, loc, storageBytes(type)));
    Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
    return toI64(arith::AddIOp::create(b, loc, base, bytes));
  }
};

/// Stack buffers of a kernel (a fragment's registers), one per element
/// type and size, allocated at its entry: the calls that take fragments
/// read and write them there.
struct Scratch {
  explicit Scratch(func::FuncOp kernel) : kernel(kernel) {}

  func::FuncOp kernel;
  llvm::DenseMap<std::pair<Type, int64_t>, std::pair<Value, Value>> buffers;

  /// The buffer of `count` x `type` for `role` (0, 1, 2, ...) and its
  /// address.
  std::pair<Value, Value> get(int role, Type type, int64_t count) {
    auto key = std::make_pair(type, count * 8 + role);
    auto it = buffers.find(key);
    if (it != buffers.end())
      return it->second;
    OpBuilder b = OpBuilder::atBlockBegin(&kernel.getBody().front());
    Location loc = kernel.getLoc();
    Value buffer = memref::AllocaOp::create(
        b, loc, MemRefType::get({count}, type), IntegerAttr());
    Value address = arith::IndexCastOp::create(
        b, loc, b.getI64Type(),
        memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer));
    return buffers[key] = {buffer, address};
  }
};

/// `value` (a vector) stored flat into `buffer`.
void storeFlat(OpBuilder &b, Location loc, Value value, Value buffer) {
  auto type = cast<VectorType>(value.getType());
  auto flat = VectorType::get({type.getNumElements()}, type.getElementType());
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  vector::StoreOp::create(
      b, loc, vector::ShapeCastOp::create(b, loc, flat, value), buffer, zero);
}

/// A vector of `type` loaded flat from `buffer`.
Value loadFlat(OpBuilder &b, Location loc, VectorType type, Value buffer) {
  auto flat = VectorType::get({type.getNumElements()}, type.getElementType());
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value loaded = vector::LoadOp::create(b, loc, flat, buffer, zero);
  return vector::ShapeCastOp::create(b, loc, type, loaded);
}

/// "<op> (<what>)<detail> at <file>:<line>:<col>" (the location as
/// printed where it has no source line): how the emulator names an access
/// in its messages and profile.
std::string describeAccess(Operation *op, StringRef what, StringRef detail = "") {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << op->getName() << " (" << what << ")" << detail << " at ";
  Location loc = op->getLoc();
  if (auto file = loc->findInstanceOf<FileLineColLoc>())
    os << file.getFilename().getValue() << ":" << file.getLine() << ":"
       << file.getColumn();
  else
    loc.print(os);
  return text;
}

/// Constant strings of the module for the emulator's messages and profile.
struct Strings {
  ModuleOp module;
  llvm::StringMap<LLVM::GlobalOp> globals;

  /// The address (i64) of NUL-terminated `text`, a constant global (an LLVM
  /// string: readable in the IR).
  Value address(OpBuilder &b, Location loc, StringRef text) {
    LLVM::GlobalOp &global = globals[text];
    if (!global) {
      std::string bytes = text.str();
      bytes.push_back('\0');
      OpBuilder g = OpBuilder::atBlockEnd(module.getBody());
      auto type = LLVM::LLVMArrayType::get(g.getI8Type(), bytes.size());
      global = LLVM::GlobalOp::create(
          g, loc, type, /*isConstant=*/true, LLVM::Linkage::Internal,
          ("__dlc_simt_message_" + Twine(globals.size())).str(),
          g.getStringAttr(bytes));
    }
    Value address = LLVM::AddressOfOp::create(b, loc, global);
    return LLVM::PtrToIntOp::create(b, loc, b.getI64Type(), address);
  }
};

/// Checks of a kernel's memory accesses against their memrefs' sizes,
/// made before its GPU operations become emulator calls: a failed check
/// calls dlc_simt_out_of_bounds with a message naming the operation, its
/// source location and the dimension.
struct BoundsChecks {
  Strings &strings;

  /// Elements [index, index + extent) of dimension `dim` of `memref` lie
  /// inside it (where `when` holds, if given).
  void check(OpBuilder &b, Operation *op, StringRef what, Value memref,
             int64_t dim, Value index, Value extent, Value when = Value()) {
    Location loc = op->getLoc();
    Value size = memref::DimOp::create(b, loc, memref, dim);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value end = arith::AddIOp::create(b, loc, index, extent);
    Value negative =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, index, zero);
    Value past =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, end, size);
    Value bad = arith::OrIOp::create(b, loc, negative, past);
    if (when)
      bad = arith::AndIOp::create(b, loc, bad, when);
    auto ifOp = scf::IfOp::create(b, loc, bad, /*withElseRegion=*/false);
    OpBuilder then = ifOp.getThenBodyBuilder();
    std::string text =
        describeAccess(op, what, (" dimension " + Twine(dim)).str());
    Emitter e{strings.module, then, loc};
    e.call("dlc_simt_out_of_bounds", Type(),
           {strings.address(then, loc, text), e.toI64(index), e.toI64(extent),
            e.toI64(size)});
  }
  void check(OpBuilder &b, Operation *op, StringRef what, Value memref,
             int64_t dim, Value index, int64_t extent, Value when = Value()) {
    check(b, op, what, memref, dim, index,
          arith::ConstantIndexOp::create(b, op->getLoc(), extent), when);
  }

  /// Each of `indices` inside `memref`; the last `vector` dims (a vector's
  /// shape, or elements a copy moves) from there on.
  void checkIndices(OpBuilder &b, Operation *op, StringRef what, Value memref,
                    ValueRange indices, ArrayRef<int64_t> vector = {},
                    Value when = Value()) {
    int64_t leading = indices.size() - vector.size();
    for (auto [dim, index] : llvm::enumerate(indices))
      check(b, op, what, memref, dim, index,
            static_cast<int64_t>(dim) < leading ? 1 : vector[dim - leading],
            when);
  }

  /// Inserts the checks of `op` before it (nothing where it touches no
  /// memory or only through other checked ops).
  void insert(Operation *op) {
    OpBuilder b(op);
    Location loc = op->getLoc();
    if (auto load = dyn_cast<memref::LoadOp>(op))
      return checkIndices(b, op, "read", load.getMemref(), load.getIndices());
    if (auto store = dyn_cast<memref::StoreOp>(op))
      return checkIndices(b, op, "write", store.getMemref(),
                          store.getIndices());
    if (auto rmw = dyn_cast<memref::AtomicRMWOp>(op))
      return checkIndices(b, op, "update", rmw.getMemref(), rmw.getIndices());
    if (auto rmw = dyn_cast<memref::GenericAtomicRMWOp>(op))
      return checkIndices(b, op, "update", rmw.getMemref(), rmw.getIndices());
    if (auto load = dyn_cast<vector::LoadOp>(op))
      return checkIndices(b, op, "read", load.getBase(), load.getIndices(),
                          load.getVectorType().getShape());
    if (auto store = dyn_cast<vector::StoreOp>(op))
      return checkIndices(b, op, "write", store.getBase(),
                          store.getIndices(),
                          store.getVectorType().getShape());
    if (auto transfer = dyn_cast<VectorTransferOpInterface>(op)) {
      // In-bounds dims must be; the others are masked. Dims the vector does
      // not span hold one element.
      if (!isa<MemRefType>(transfer.getShapedType()))
        return;
      AffineMap map = transfer.getPermutationMap();
      SmallVector<int64_t> extent(transfer.getIndices().size(), 1);
      SmallVector<bool> checked(extent.size(), true);
      for (auto [i, expr] : llvm::enumerate(map.getResults()))
        if (auto d = dyn_cast<AffineDimExpr>(expr)) {
          extent[d.getPosition()] = transfer.getVectorType().getDimSize(i);
          checked[d.getPosition()] = transfer.isDimInBounds(i);
        }
      StringRef what = isa<vector::TransferReadOp>(op) ? "read" : "write";
      for (auto [dim, index] : llvm::enumerate(transfer.getIndices()))
        if (checked[dim])
          check(b, op, what, transfer.getBase(), dim, index, extent[dim]);
      return;
    }
    if (auto copy = dyn_cast<nvgpu::DeviceAsyncCopyOp>(op)) {
      int64_t elements = copy.getDstElements().getZExtValue();
      checkIndices(b, op, "cp.async write", copy.getDst(),
                   copy.getDstIndices(), {elements});
      // A copy of fewer source elements (the rest zeros) reads only those.
      ValueRange src = copy.getSrcIndices();
      checkIndices(b, op, "cp.async read", copy.getSrc(), src.drop_back(),
                   {});
      Value count = copy.getSrcElements();
      if (!count)
        count = arith::ConstantIndexOp::create(b, loc, elements);
      return check(b, op, "cp.async read", copy.getSrc(), src.size() - 1,
                   src.back(), count);
    }
    if (auto load = dyn_cast<nvgpu::LdMatrixOp>(op)) {
      // Lanes give the rows of 16 bytes that ldmatrix reads, 8 a tile; the
      // addresses of lanes past the tiles' rows are not read.
      Emitter e{strings.module, b, loc};
      Value lane = e.call("dlc_simt_lane_id", b.getI64Type(), {});
      Value reads = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                          lane, e.i64(8 * load.getNumTiles()));
      auto type = cast<MemRefType>(load.getSrcMemref().getType());
      int64_t row = 128 / type.getElementTypeBitWidth();
      return checkIndices(b, op, "ldmatrix row", load.getSrcMemref(),
                          load.getIndices(), {row}, reads);
    }
    if (auto subview = dyn_cast<memref::SubViewOp>(op)) {
      // Where a dim has elements, its first and last lie in the source.
      for (int64_t dim = 0, e = subview.getSourceType().getRank(); dim < e;
           ++dim) {
        Value offset = getValueOrCreateConstantIndexOp(
            b, loc, subview.getMixedOffsets()[dim]);
        Value size = getValueOrCreateConstantIndexOp(
            b, loc, subview.getMixedSizes()[dim]);
        Value stride = getValueOrCreateConstantIndexOp(
            b, loc, subview.getMixedStrides()[dim]);
        Value one = arith::ConstantIndexOp::create(b, loc, 1);
        Value span = arith::AddIOp::create(
            b, loc,
            arith::MulIOp::create(b, loc,
                                  arith::SubIOp::create(b, loc, size, one),
                                  stride),
            one);
        Value nonEmpty = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::sgt, size,
            arith::ConstantIndexOp::create(b, loc, 0));
        check(b, op, "view", subview.getSource(), dim, offset, span,
              nonEmpty);
      }
      return;
    }
    if (auto view = dyn_cast<memref::ViewOp>(op)) {
      // The view's bytes from its shift on lie in the source's.
      MemRefType type = view.getType();
      Value bytes = arith::ConstantIndexOp::create(b, loc, storageBytes(type));
      auto dynamic = view.getSizes().begin();
      for (int64_t size : type.getShape())
        bytes = arith::MulIOp::create(
            b, loc, bytes,
            ShapedType::isDynamic(size)
                ? Value(*dynamic++)
                : Value(arith::ConstantIndexOp::create(b, loc, size)));
      return check(b, op, "view", view.getSource(), 0, view.getByteShift(),
                   bytes);
    }
  }
};

/// A call before each memory access of a kernel telling the emulator its
/// address, size and kind (trace-memory), for the memory profile the
/// emulator writes at exit: how many shared-memory wavefronts and global
/// sectors the warps' requests of each operation take.
struct MemoryTrace {
  Strings &strings; // (the sites' names)

  enum : int32_t { kWrite = 1, kShared = 2, kLdMatrix = 4 };

  void record(OpBuilder &b, Operation *op, StringRef what, Value memref,
              ValueRange indices, Value bytes, int32_t flags) {
    Location loc = op->getLoc();
    auto type = cast<MemRefType>(memref.getType());
    if (isa_and_nonnull<gpu::AddressSpaceAttr>(type.getMemorySpace()))
      flags |= kShared;
    Emitter e{strings.module, b, loc};
    Value address = e.elementAddress(memref, indices);
    e.call("dlc_simt_access", Type(),
           {strings.address(b, loc, describeAccess(op, what)), address, bytes,
            e.i32(flags)});
  }
  void record(OpBuilder &b, Operation *op, StringRef what, Value memref,
              ValueRange indices, int64_t elements, int32_t flags) {
    auto type = cast<MemRefType>(memref.getType());
    Emitter e{strings.module, b, op->getLoc()};
    record(b, op, what, memref, indices,
           e.i32(elements * storageBytes(type)), flags);
  }

  void insert(Operation *op) {
    OpBuilder b(op);
    Location loc = op->getLoc();
    if (auto load = dyn_cast<memref::LoadOp>(op))
      return record(b, op, "read", load.getMemref(), load.getIndices(), 1, 0);
    if (auto store = dyn_cast<memref::StoreOp>(op))
      return record(b, op, "write", store.getMemref(), store.getIndices(), 1,
                    kWrite);
    if (auto rmw = dyn_cast<memref::AtomicRMWOp>(op))
      return record(b, op, "update", rmw.getMemref(), rmw.getIndices(), 1,
                    kWrite);
    if (auto load = dyn_cast<vector::LoadOp>(op))
      return record(b, op, "read", load.getBase(), load.getIndices(),
                    load.getVectorType().getNumElements(), 0);
    if (auto store = dyn_cast<vector::StoreOp>(op))
      return record(b, op, "write", store.getBase(), store.getIndices(),
                    store.getVectorType().getNumElements(), kWrite);
    if (auto transfer = dyn_cast<VectorTransferOpInterface>(op)) {
      if (!isa<MemRefType>(transfer.getShapedType()))
        return;
      bool write = isa<vector::TransferWriteOp>(op);
      return record(b, op, write ? "write" : "read", transfer.getBase(),
                    transfer.getIndices(),
                    transfer.getVectorType().getNumElements(),
                    write ? kWrite : 0);
    }
    if (auto copy = dyn_cast<nvgpu::DeviceAsyncCopyOp>(op)) {
      int64_t elements = copy.getDstElements().getZExtValue();
      record(b, op, "cp.async write", copy.getDst(), copy.getDstIndices(),
             elements, kWrite);
      Value count = copy.getSrcElements();
      if (!count)
        return record(b, op, "cp.async read", copy.getSrc(),
                      copy.getSrcIndices(), elements, 0);
      Emitter e{strings.module, b, loc};
      int64_t elementBytes =
          storageBytes(cast<MemRefType>(copy.getSrc().getType()));
      Value bytes = arith::MulIOp::create(
          b, loc, arith::IndexCastOp::create(b, loc, b.getI32Type(), count),
          e.i32(elementBytes));
      return record(b, op, "cp.async read", copy.getSrc(),
                    copy.getSrcIndices(), bytes, 0);
    }
    if (auto load = dyn_cast<nvgpu::LdMatrixOp>(op)) {
      Emitter e{strings.module, b, loc};
      return record(b, op, "read", load.getSrcMemref(), load.getIndices(),
                    e.i32(16), kLdMatrix | (load.getNumTiles() << 8));
    }
  }
};

struct ConvertGPUToSIMTEmulator
    : public dlc::impl::ConvertGPUToSIMTEmulatorBase<
          ConvertGPUToSIMTEmulator> {
  using ConvertGPUToSIMTEmulatorBase::ConvertGPUToSIMTEmulatorBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::StringMap<func::FuncOp> kernels; // "<module>_<kernel>" -> host fn
    for (auto gpuModule :
         llvm::to_vector(module.getOps<gpu::GPUModuleOp>())) {
      if (failed(convertModule(gpuModule, kernels)))
        return signalPassFailure();
    }
    Strings strings{module, {}};
    BoundsChecks checks{strings};
    for (auto &[name, kernel] : kernels) {
      SmallVector<Operation *> accesses;
      kernel.walk([&](Operation *op) { accesses.push_back(op); });
      MemoryTrace trace{strings};
      for (Operation *op : accesses) {
        if (checkBounds)
          checks.insert(op);
        if (traceMemory)
          trace.insert(op);
      }
      if (failed(convertKernel(kernel)))
        return signalPassFailure();
    }
    // Host code: its views checked too (the buffers kernels get are views
    // the host made); launches run the emulator; device buffers are host
    // ones.
    if (checkBounds)
      for (auto fn : llvm::to_vector(module.getOps<func::FuncOp>()))
        if (!fn.getName().starts_with(kKernelPrefix) && !fn.isExternal()) {
          SmallVector<Operation *> accesses;
          fn.walk([&](Operation *op) { accesses.push_back(op); });
          for (Operation *op : accesses)
            checks.insert(op);
        }
    SmallVector<Operation *> hostOps;
    for (auto fn : module.getOps<func::FuncOp>())
      if (!fn.getName().starts_with(kKernelPrefix))
        fn.walk([&](Operation *op) {
          if (isa<gpu::LaunchFuncOp, gpu::AllocOp, gpu::DeallocOp,
                  gpu::MemcpyOp, gpu::MemsetOp, gpu::WaitOp,
                  nvgpu::TmaCreateDescriptorOp>(op))
            hostOps.push_back(op);
        });
    for (Operation *op : hostOps)
      if (failed(convertHostOp(op)))
        return signalPassFailure();
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn.isPublic() && !fn.isExternal() &&
          !fn.getName().starts_with(kKernelPrefix))
        stageArguments(fn);
    for (auto gpuModule : llvm::to_vector(module.getOps<gpu::GPUModuleOp>()))
      gpuModule.erase();
    module->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());
  }

  /// The kernels of `gpuModule` as host functions, its shared arrays as host
  /// globals.
  LogicalResult convertModule(gpu::GPUModuleOp gpuModule,
                              llvm::StringMap<func::FuncOp> &kernels) {
    if (failed(lowerHopperOps(gpuModule)))
      return failure();
    ModuleOp module = getOperation();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    SymbolTable symbols(module);
    DenseMap<StringAttr, StringAttr> renamed;
    for (auto global :
         llvm::to_vector(gpuModule.getOps<memref::GlobalOp>())) {
      auto copy = cast<memref::GlobalOp>(b.clone(*global));
      copy.setType(cast<MemRefType>(stripAddressSpace(copy.getType())));
      copy.setPrivate();
      StringAttr name = symbols.insert(copy); // unique in the host module
      renamed[global.getSymNameAttr()] = name;
    }
    for (Operation &op : gpuModule.getBody()->getOperations()) {
      if (isa<memref::GlobalOp>(op))
        continue;
      auto gpuFunc = dyn_cast<gpu::GPUFuncOp>(op);
      if (!gpuFunc || !gpuFunc.isKernel())
        return op.emitError("convert-gpu-to-simt-emulator: only kernels and "
                            "shared-memory globals are supported in a GPU "
                            "module");
      if (gpuFunc.getNumWorkgroupAttributions() ||
          gpuFunc.getNumPrivateAttributions())
        return gpuFunc.emitError("convert-gpu-to-simt-emulator: memory "
                                 "attributions are not supported");
      std::string name = kernelName(gpuModule.getName(), gpuFunc.getName());
      auto fn = func::FuncOp::create(b, gpuFunc.getLoc(), kKernelPrefix.str() + name,
                                     gpuFunc.getFunctionType());
      fn.getBody().takeBody(gpuFunc.getBody());
      fn.walk([&](gpu::ReturnOp ret) {
        OpBuilder at(ret);
        func::ReturnOp::create(at, ret.getLoc(), ret.getOperands());
        ret.erase();
      });
      fn.walk([&](memref::GetGlobalOp get) {
        if (StringAttr to = renamed.lookup(get.getNameAttr().getAttr()))
          get.setNameAttr(FlatSymbolRefAttr::get(to));
      });
      kernels[name] = fn;
    }
    return success();
  }

  /// The sm_90 operations of `gpuModule` lowered as upstream lowers them
  /// (convert-nvgpu-to-nvvm's patterns), so that what the emulator runs is
  /// that lowering's NVVM (wgmma descriptors, TMA coordinates, mbarrier
  /// pointers) and it models the hardware, not the nvgpu ops. Shared memory
  /// is address space 0 there, as on the host; tensor maps are pointers.
  LogicalResult lowerHopperOps(gpu::GPUModuleOp gpuModule) {
    bool any = false;
    WalkResult walk = gpuModule.walk([&](Operation *op) {
      any |= isHopperOp(op);
      // (Refused before upstream's lowering, which crashes on a multicast
      // mask in MLIR 22.)
      auto load = dyn_cast<nvgpu::TmaAsyncLoadOp>(op);
      if (load && load.getMulticastMask()) {
        load.emitError("convert-gpu-to-simt-emulator: TMA loads of tiles "
                       "without multicast only");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();
    if (!any)
      return success();
    MLIRContext *context = &getContext();
    LLVMTypeConverter converter(context);
    populateGpuMemorySpaceAttributeConversions(
        converter, [](gpu::AddressSpace) -> unsigned { return 0; });
    Type i64 = IntegerType::get(context, 64);
    converter.addConversion([&](nvgpu::WarpgroupAccumulatorType type) -> Type {
      VectorType fragmented = type.getFragmented();
      // A struct per 64 rows of n / 2 floats (f32 sums only: the emulator
      // refuses others when it meets their wgmma).
      auto rows = LLVM::LLVMStructType::getLiteral(
          context, SmallVector<Type>(fragmented.getDimSize(1) / 2,
                                     fragmented.getElementType()));
      return LLVM::LLVMStructType::getLiteral(
          context, SmallVector<Type>(fragmented.getDimSize(0) / 64, rows));
    });
    converter.addConversion([=](nvgpu::MBarrierTokenType) { return i64; });
    converter.addConversion(
        [=](nvgpu::WarpgroupMatrixDescriptorType) { return i64; });
    converter.addConversion([&](nvgpu::MBarrierGroupType type) -> Type {
      return converter.convertType(
          nvgpu::getMBarrierMemrefType(context, type));
    });
    converter.addConversion([&](nvgpu::TensorMapDescriptorType) -> Type {
      return LLVM::LLVMPointerType::get(context);
    });
    RewritePatternSet patterns(context);
    populateNVGPUToNVVMConversionPatterns(converter, patterns);
    ConversionTarget target(*context);
    target.markUnknownOpDynamicallyLegal(
        [](Operation *op) { return !isHopperOp(op); });
    scf::populateSCFStructuralTypeConversionsAndLegality(converter, patterns,
                                                         target);
    if (failed(applyPartialConversion(gpuModule, target, std::move(patterns))))
      return failure();
    // Kernel arguments that are tensor maps: pointers (the host passes what
    // dlc_simt_tensor_map made).
    for (auto fn : gpuModule.getOps<gpu::GPUFuncOp>())
      dlc::tensorMapArgumentsAsPointers(fn);
    return success();
  }

  /// The GPU operations of a kernel (now a host function) as emulator calls.
  LogicalResult convertKernel(func::FuncOp kernel) {
    ModuleOp module = getOperation();
    SmallVector<Operation *> ops;
    kernel.walk([&](Operation *op) { ops.push_back(op); });
    Scratch scratch(kernel);
    Type i64 = IntegerType::get(&getContext(), 64);
    IndexType index = IndexType::get(&getContext());
    // Async-copy groups before the copies whose tokens they take.
    std::stable_partition(ops.begin(), ops.end(), [](Operation *op) {
      return isa<nvgpu::DeviceAsyncWaitOp, nvgpu::DeviceAsyncCreateGroupOp>(
          op);
    });
    std::stable_partition(ops.begin(), ops.end(), [](Operation *op) {
      return isa<nvgpu::DeviceAsyncWaitOp>(op);
    });
    for (Operation *op : ops) {
      OpBuilder b(op);
      Emitter e{module, b, op->getLoc()};
      auto replaceWithId = [&](int which) {
        Value id = e.call("dlc_simt_id", i64, {e.i32(which)});
        op->getResult(0).replaceAllUsesWith(
            arith::IndexCastOp::create(b, op->getLoc(), index, id));
        op->erase();
      };
      if (auto id = dyn_cast<gpu::ThreadIdOp>(op)) {
        replaceWithId(static_cast<int>(id.getDimension()));
      } else if (auto id = dyn_cast<gpu::BlockIdOp>(op)) {
        replaceWithId(3 + static_cast<int>(id.getDimension()));
      } else if (auto dim = dyn_cast<gpu::BlockDimOp>(op)) {
        replaceWithId(6 + static_cast<int>(dim.getDimension()));
      } else if (auto dim = dyn_cast<gpu::GridDimOp>(op)) {
        replaceWithId(9 + static_cast<int>(dim.getDimension()));
      } else if (isa<gpu::LaneIdOp>(op)) {
        Value lane = e.call("dlc_simt_lane_id", i64, {});
        op->getResult(0).replaceAllUsesWith(
            arith::IndexCastOp::create(b, op->getLoc(), index, lane));
        op->erase();
      } else if (isa<gpu::BarrierOp>(op)) {
        e.call("dlc_simt_barrier", Type(), {});
        op->erase();
      } else if (auto shuffle = dyn_cast<gpu::ShuffleOp>(op)) {
        if (failed(convertShuffle(shuffle, e)))
          return failure();
      } else if (auto get = dyn_cast<memref::GetGlobalOp>(op)) {
        // Shared memory starts each block as garbage (0xff bytes).
        // (Upstream's mbarrier lowering makes its array in NVVM's shared
        // space, 3: left as it is, one space with the rest on x86.)
        auto type = get.getType();
        auto space = dyn_cast_or_null<IntegerAttr>(type.getMemorySpace());
        if (!isa_and_nonnull<gpu::AddressSpaceAttr>(type.getMemorySpace()) &&
            !(space && space.getInt() == 3))
          continue;
        b.setInsertionPointAfter(get);
        e.call("dlc_simt_shared", Type(),
               {e.baseAddress(get),
                e.i64(type.getNumElements() * storageBytes(type))});
      } else if (auto shared = dyn_cast<gpu::DynamicSharedMemoryOp>(op)) {
        auto type = MemRefType::get({kMaxDynamicShared}, b.getI8Type());
        // (Aligned as swizzled TMA and wgmma tiles of 128-byte rows repeat:
        // their offsets keep their swizzle on the host.)
        if (!module.lookupSymbol(kDynamicShared)) {
          OpBuilder g = OpBuilder::atBlockEnd(module.getBody());
          memref::GlobalOp::create(g, module.getLoc(), kDynamicShared,
                                   g.getStringAttr("private"), type,
                                   Attribute(), /*constant=*/false,
                                   g.getI64IntegerAttr(1024));
        }
        Value global =
            memref::GetGlobalOp::create(b, op->getLoc(), type, kDynamicShared);
        e.call("dlc_simt_shared", Type(), {e.baseAddress(global), e.i64(-1)});
        // As long as the launch's dynamic shared bytes (views past them
        // fail their checks).
        Value bytes = arith::IndexCastOp::create(
            b, op->getLoc(), index, e.call("dlc_simt_id", i64, {e.i32(12)}));
        OpFoldResult offsets[] = {b.getIndexAttr(0)}, sizes[] = {bytes},
                     strides[] = {b.getIndexAttr(1)};
        op->getResult(0).replaceAllUsesWith(memref::SubViewOp::create(
            b, op->getLoc(),
            cast<MemRefType>(stripAddressSpace(shared.getType())), global,
            offsets, sizes, strides));
        op->erase();
      } else if (auto wait = dyn_cast<nvgpu::DeviceAsyncWaitOp>(op)) {
        e.call("dlc_simt_cp_async_wait", Type(),
               {e.i32(wait.getNumGroups().value_or(0))});
        op->erase();
      } else if (isa<nvgpu::DeviceAsyncCreateGroupOp>(op)) {
        if (!op->use_empty())
          return op->emitError("convert-gpu-to-simt-emulator: group token "
                               "used other than by a wait");
        e.call("dlc_simt_cp_async_commit", Type(), {});
        op->erase();
      } else if (auto copy = dyn_cast<nvgpu::DeviceAsyncCopyOp>(op)) {
        if (!copy.getAsyncToken().use_empty())
          return op->emitError("convert-gpu-to-simt-emulator: copy token used "
                               "other than by a group");
        int64_t elementBytes = storageBytes(copy.getDst().getType());
        Value dst = e.elementAddress(copy.getDst(), copy.getDstIndices());
        Value src = e.elementAddress(copy.getSrc(), copy.getSrcIndices());
        int64_t bytes = copy.getDstElements().getZExtValue() * elementBytes;
        Value srcBytes = e.i64(bytes);
        if (Value elements = copy.getSrcElements())
          srcBytes = arith::MulIOp::create(b, op->getLoc(), e.toI64(elements),
                                           e.i64(elementBytes));
        e.call("dlc_simt_cp_async", Type(), {dst, src, e.i64(bytes), srcBytes});
        op->erase();
      } else if (isa<NVVM::CpAsyncCommitGroupOp>(op)) {
        e.call("dlc_simt_cp_async_commit", Type(), {});
        op->erase();
      } else if (auto wait = dyn_cast<NVVM::CpAsyncWaitGroupOp>(op)) {
        e.call("dlc_simt_cp_async_wait", Type(), {e.i32(wait.getN())});
        op->erase();
      } else if (auto load = dyn_cast<nvgpu::LdMatrixOp>(op)) {
        VectorType type = load.getRes().getType();
        // (ldmatrix moves 16-bit elements; f32 fragments of TF32 products
        // are read as pairs of them.)
        if (type.getElementTypeBitWidth() != 16 &&
            type.getElementTypeBitWidth() != 32)
          return op->emitError("convert-gpu-to-simt-emulator: ldmatrix of "
                               "16- or 32-bit elements only");
        auto [buffer, out] =
            scratch.get(0, type.getElementType(), type.getNumElements());
        e.call("dlc_simt_ldmatrix", Type(),
               {e.elementAddress(load.getSrcMemref(), load.getIndices()),
                e.i32(load.getNumTiles()), e.i32(load.getTranspose()), out});
        op->getResult(0).replaceAllUsesWith(
            loadFlat(b, op->getLoc(), type, buffer));
        op->erase();
      } else if (auto convert = dyn_cast<NVVM::ConvertFloatToTF32Op>(op)) {
        if (failed(convertToTF32(convert, e)))
          return failure();
      } else if (auto mma = dyn_cast<nvgpu::MmaSyncOp>(op)) {
        if (failed(convertMma(mma, e, scratch)))
          return failure();
      } else if (auto mma = dyn_cast<NVVM::MmaOp>(op)) {
        if (failed(convertBF16Mma(mma, e, scratch)))
          return failure();
      } else if (isa<NVVM::NVVMDialect>(op->getDialect()) &&
                 isHopperNVVM(op)) {
        if (failed(convertHopperOp(op, e, scratch)))
          return failure();
      } else if (isa<gpu::GPUDialect, nvgpu::NVGPUDialect, NVVM::NVVMDialect>(
                     op->getDialect())) {
        return op->emitError("convert-gpu-to-simt-emulator: no emulation "
                             "of this operation");
      }
    }
    // Every memref in one address space.
    kernel.walk([&](Operation *op) {
      for (Value result : op->getResults())
        result.setType(stripAddressSpace(result.getType()));
      for (Region &region : op->getRegions())
        for (Block &block : region)
          for (BlockArgument arg : block.getArguments())
            arg.setType(stripAddressSpace(arg.getType()));
    });
    return success();
  }

  static bool isHopperNVVM(Operation *op) {
    return isa<NVVM::ThreadIdXOp, NVVM::ThreadIdYOp, NVVM::ThreadIdZOp,
               NVVM::LaneIdOp, NVVM::PrefetchOp, NVVM::MBarrierInitOp,
               NVVM::MBarrierArriveOp, NVVM::MBarrierArriveExpectTxOp,
               NVVM::MBarrierExpectTxOp, NVVM::MBarrierTryWaitParityOp,
               NVVM::CpAsyncBulkTensorGlobalToSharedClusterOp,
               NVVM::WgmmaFenceAlignedOp, NVVM::WgmmaGroupSyncAlignedOp,
               NVVM::WgmmaWaitGroupSyncOp, NVVM::WgmmaMmaAsyncOp,
               NVVM::SetMaxRegisterOp, NVVM::FenceMbarrierInitOp>(op);
  }

  /// The NVVM of upstream's lowering of the sm_90 nvgpu operations
  /// (lowerHopperOps) as emulator calls.
  LogicalResult convertHopperOp(Operation *op, Emitter &e, Scratch &scratch) {
    OpBuilder &b = e.b;
    Location loc = e.loc;
    auto address = [&](Value pointer) -> Value {
      return LLVM::PtrToIntOp::create(b, loc, b.getI64Type(), pointer);
    };
    auto toI64 = [&](Value v) -> Value {
      return v.getType().isInteger(64)
                 ? v
                 : arith::ExtUIOp::create(b, loc, b.getI64Type(), v);
    };
    auto replaceWithI32 = [&](Value i64) {
      op->getResult(0).replaceAllUsesWith(
          arith::TruncIOp::create(b, loc, b.getI32Type(), i64));
      op->erase();
      return success();
    };
    // Predicated forms: not what upstream's lowering emits.
    for (Value operand : op->getOperands())
      if (operand.getType().isInteger(1))
        return op->emitError("convert-gpu-to-simt-emulator: predicated "
                             "operation not emulated");
    Type i64 = b.getI64Type();
    if (isa<NVVM::ThreadIdXOp, NVVM::ThreadIdYOp, NVVM::ThreadIdZOp>(op)) {
      int dim = isa<NVVM::ThreadIdXOp>(op) ? 0 : isa<NVVM::ThreadIdYOp>(op) ? 1 : 2;
      return replaceWithI32(e.call("dlc_simt_id", i64, {e.i32(dim)}));
    }
    if (isa<NVVM::LaneIdOp>(op))
      return replaceWithI32(e.call("dlc_simt_lane_id", i64, {}));
    if (isa<NVVM::PrefetchOp, NVVM::WgmmaFenceAlignedOp,
            NVVM::SetMaxRegisterOp, NVVM::FenceMbarrierInitOp>(op)) {
      // (No cache to fill; the fences order accesses the emulator makes in
      // order anyway; a fiber has no register file to resize.)
      op->erase();
      return success();
    }
    if (auto init = dyn_cast<NVVM::MBarrierInitOp>(op)) {
      e.call("dlc_simt_mbarrier_init", Type(),
             {address(init.getAddr()), init.getCount()});
    } else if (auto arrive = dyn_cast<NVVM::MBarrierArriveOp>(op)) {
      if (arrive.getCount())
        return op->emitError("convert-gpu-to-simt-emulator: mbarrier arrive "
                             "with a count not emulated");
      Value phase = e.call("dlc_simt_mbarrier_arrive", i64,
                           {address(arrive.getAddr()), e.i64(0)});
      if (Value res = arrive.getRes())
        res.replaceAllUsesWith(phase);
    } else if (auto arrive = dyn_cast<NVVM::MBarrierArriveExpectTxOp>(op)) {
      Value phase = e.call("dlc_simt_mbarrier_arrive", i64,
                           {address(arrive.getAddr()),
                            toI64(arrive.getTxcount())});
      if (Value res = arrive.getRes())
        res.replaceAllUsesWith(phase);
    } else if (auto expect = dyn_cast<NVVM::MBarrierExpectTxOp>(op)) {
      e.call("dlc_simt_mbarrier_expect_tx", Type(),
             {address(expect.getAddr()), toI64(expect.getTxcount())});
    } else if (auto wait = dyn_cast<NVVM::MBarrierTryWaitParityOp>(op)) {
      e.call("dlc_simt_mbarrier_wait_parity", Type(),
             {address(wait.getAddr()), wait.getPhase()});
    } else if (auto load =
                   dyn_cast<NVVM::CpAsyncBulkTensorGlobalToSharedClusterOp>(
                       op)) {
      if (load.getMode() != NVVM::TMALoadMode::TILE ||
          !load.getIm2colOffsets().empty() || load.getMulticastMask() ||
          load.getCoordinates().size() > 5)
        return op->emitError("convert-gpu-to-simt-emulator: TMA loads of "
                             "tiles without multicast only");
      SmallVector<Value> args = {address(load.getDstMem()),
                                 address(load.getTmaDescriptor()),
                                 address(load.getMbar())};
      for (Value c : load.getCoordinates())
        args.push_back(c);
      while (args.size() < 8)
        args.push_back(e.i32(0));
      e.call("dlc_simt_tma_load", Type(), args);
    } else if (isa<NVVM::WgmmaGroupSyncAlignedOp>(op)) {
      e.call("dlc_simt_wgmma_commit", Type(), {});
    } else if (auto wait = dyn_cast<NVVM::WgmmaWaitGroupSyncOp>(op)) {
      e.call("dlc_simt_wgmma_wait", Type(),
             {e.i32(static_cast<int64_t>(wait.getGroup()))});
    } else if (auto mma = dyn_cast<NVVM::WgmmaMmaAsyncOp>(op)) {
      return convertWgmma(mma, e, scratch);
    }
    op->erase();
    return success();
  }

  /// wgmma.mma_async (f16, bf16 or TF32 operands from shared memory, f32
  /// sums): this thread's accumulators through a stack buffer.
  LogicalResult convertWgmma(NVVM::WgmmaMmaAsyncOp mma, Emitter &e,
                             Scratch &scratch) {
    OpBuilder &b = e.b;
    Location loc = e.loc;
    NVVM::MMAShapeAttr shape = mma.getShape();
    int kind = mma.getTypeA() == NVVM::WGMMATypes::f16    ? 0
               : mma.getTypeA() == NVVM::WGMMATypes::bf16 ? 1
               : mma.getTypeA() == NVVM::WGMMATypes::tf32 ? 2
                                                          : -1;
    if (kind < 0 || mma.getTypeB() != mma.getTypeA() ||
        mma.getTypeD() != NVVM::WGMMATypes::f32 ||
        mma.getSatfinite() == NVVM::MMAIntOverflow::satfinite ||
        shape.getM() != 64 || shape.getK() != (kind == 2 ? 8 : 16))
      return mma.emitError("convert-gpu-to-simt-emulator: wgmma of f16, bf16 "
                           "or TF32 operands and f32 sums only");
    int n = shape.getN();
    auto structType = cast<LLVM::LLVMStructType>(mma.getResults().getType());
    if (structType.getBody().size() != static_cast<size_t>(n / 2))
      return mma.emitError("convert-gpu-to-simt-emulator: wgmma accumulators "
                           "not n / 2 floats");
    auto [buffer, pointer] = scratch.get(3, b.getF32Type(), n / 2);
    if (Value in = mma.getInouts())
      for (int i = 0; i < n / 2; ++i) {
        Value v = LLVM::ExtractValueOp::create(b, loc, in, i);
        memref::StoreOp::create(b, loc, v, buffer,
                                arith::ConstantIndexOp::create(b, loc, i)
                                    .getResult());
      }
    bool accumulate =
        mma.getInouts() && mma.getScaleD() == NVVM::WGMMAScaleOut::one;
    e.call("dlc_simt_wgmma", Type(),
           {e.i32(kind), e.i32(n),
            e.i32(mma.getLayoutA() == NVVM::MMALayout::col),
            e.i32(mma.getLayoutB() == NVVM::MMALayout::row),
            e.i32(accumulate), e.i32(mma.getScaleA() == NVVM::WGMMAScaleIn::neg),
            e.i32(mma.getScaleB() == NVVM::WGMMAScaleIn::neg),
            mma.getDescriptorA(), mma.getDescriptorB(), pointer});
    Value result = LLVM::PoisonOp::create(b, loc, structType);
    for (int i = 0; i < n / 2; ++i) {
      Value v = memref::LoadOp::create(
          b, loc, buffer, arith::ConstantIndexOp::create(b, loc, i).getResult());
      result = LLVM::InsertValueOp::create(b, loc, result, v, i);
    }
    mma.getResults().replaceAllUsesWith(result);
    mma.erase();
    return success();
  }

  LogicalResult convertShuffle(gpu::ShuffleOp shuffle, Emitter &e) {
    Type type = shuffle.getValue().getType();
    unsigned width = type.getIntOrFloatBitWidth();
    if (width != 32 && width != 64)
      return shuffle.emitError("convert-gpu-to-simt-emulator: shuffles of "
                               "32 or 64 bits only");
    // The emulator takes upstream's numbering: xor 0, down 1, up 2, idx 3.
    int mode = static_cast<int>(shuffle.getMode());
    OpBuilder &b = e.b;
    Location loc = e.loc;
    Type bitsType = b.getIntegerType(width);
    Value bits = shuffle.getValue();
    if (bits.getType() != bitsType)
      bits = arith::BitcastOp::create(b, loc, bitsType, bits);
    if (width == 32)
      bits = arith::ExtUIOp::create(b, loc, b.getI64Type(), bits);
    Value args[] = {bits, shuffle.getOffset(), shuffle.getWidth(),
                    e.i32(mode)};
    Value result = e.call("dlc_simt_shuffle", b.getI64Type(), args);
    if (width == 32)
      result = arith::TruncIOp::create(b, loc, bitsType, result);
    if (type != bitsType)
      result = arith::BitcastOp::create(b, loc, type, result);
    Value valid = e.call("dlc_simt_shuffle_valid", b.getI32Type(),
                         ValueRange(args).drop_front());
    valid = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, valid,
                                  e.i32(0));
    shuffle.getShuffleResult().replaceAllUsesWith(result);
    shuffle.getValid().replaceAllUsesWith(valid);
    shuffle.erase();
    return success();
  }

  /// cvt.rna.tf32.f32 in integer arithmetic: round the 13 low bits away,
  /// halves away from zero; infinities and NaNs as they are.
  LogicalResult convertToTF32(NVVM::ConvertFloatToTF32Op convert, Emitter &e) {
    if (convert.getRnd() != NVVM::FPRoundingMode::RNA || convert.getRelu() ||
        convert.getSat() != NVVM::SaturationMode::NONE)
      return convert.emitError("convert-gpu-to-simt-emulator: TF32 "
                               "conversion with rounding rna only");
    OpBuilder &b = e.b;
    Location loc = e.loc;
    Value bits = arith::BitcastOp::create(b, loc, b.getI32Type(),
                                          convert.getSrc());
    Value exponent = arith::AndIOp::create(b, loc, bits, e.i32(0x7f800000));
    Value finite = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                         exponent, e.i32(0x7f800000));
    Value rounded = arith::AndIOp::create(
        b, loc, arith::AddIOp::create(b, loc, bits, e.i32(0x1000)),
        e.i32(static_cast<int32_t>(0xffffe000u)));
    convert.getRes().replaceAllUsesWith(
        arith::SelectOp::create(b, loc, finite, rounded, bits));
    convert.erase();
    return success();
  }

  LogicalResult convertMma(nvgpu::MmaSyncOp mma, Emitter &e, Scratch &scratch) {
    SmallVector<int64_t> shape = llvm::to_vector(mma.getMmaShapeAsArray());
    Type a = mma.getMatrixA().getType().getElementType();
    int kind;
    if (a.isF16() && shape == SmallVector<int64_t>{16, 8, 16})
      kind = 0;
    else if (a.isF32() && mma.getTf32Enabled() &&
             shape == SmallVector<int64_t>{16, 8, 8})
      kind = 2;
    else
      return mma.emitError("convert-gpu-to-simt-emulator: mma.sync of f16 "
                           "m16n8k16 or TF32 m16n8k8 only");
    if (!mma.getMatrixC().getType().getElementType().isF32())
      return mma.emitError("convert-gpu-to-simt-emulator: mma.sync with f32 "
                           "sums only");
    OpBuilder &b = e.b;
    Location loc = e.loc;
    SmallVector<Value> addresses;
    int role = 1;
    for (Value operand : {mma.getMatrixA(), mma.getMatrixB(), mma.getMatrixC()}) {
      auto type = cast<VectorType>(operand.getType());
      auto [buffer, address] =
          scratch.get(role++, type.getElementType(), type.getNumElements());
      storeFlat(b, loc, operand, buffer);
      addresses.push_back(address);
    }
    VectorType resultType = mma.getRes().getType();
    auto [result, out] = scratch.get(role, resultType.getElementType(),
                                     resultType.getNumElements());
    e.call("dlc_simt_mma", Type(),
           {e.i32(kind), addresses[0], addresses[1], addresses[2], out});
    mma.getRes().replaceAllUsesWith(loadFlat(b, loc, resultType, result));
    mma.erase();
    return success();
  }

  /// The NVVM bf16 product of dlc-lower-to-mma-sync: 32-bit registers of
  /// two bf16 each, f32 sums taken apart by llvm.extractvalue.
  LogicalResult convertBF16Mma(NVVM::MmaOp mma, Emitter &e, Scratch &scratch) {
    if (mma.getMultiplicandAPtxType() != NVVM::MMATypes::bf16 ||
        mma.getOperandA().size() != 4 || mma.getOperandB().size() != 2 ||
        mma.getOperandC().size() != 4)
      return mma.emitError("convert-gpu-to-simt-emulator: NVVM mma.sync of "
                           "bf16 m16n8k16 only");
    OpBuilder &b = e.b;
    Location loc = e.loc;
    SmallVector<Value> addresses;
    int role = 5;
    for (OperandRange operands :
         {mma.getOperandA(), mma.getOperandB(), mma.getOperandC()}) {
      auto [buffer, address] = scratch.get(role++, operands[0].getType(),
                                           operands.size());
      for (auto [i, value] : llvm::enumerate(operands))
        memref::StoreOp::create(
            b, loc, value, buffer,
            ValueRange{arith::ConstantIndexOp::create(b, loc, i)});
      addresses.push_back(address);
    }
    auto [result, out] = scratch.get(role, b.getF32Type(), 4);
    e.call("dlc_simt_mma", Type(),
           {e.i32(1), addresses[0], addresses[1], addresses[2], out});
    for (Operation *user : llvm::make_early_inc_range(mma->getUsers())) {
      auto extract = dyn_cast<LLVM::ExtractValueOp>(user);
      if (!extract || extract.getPosition().size() != 1)
        return user->emitError("convert-gpu-to-simt-emulator: the product "
                               "must be taken apart by llvm.extractvalue");
      OpBuilder at(extract);
      extract.getResult().replaceAllUsesWith(memref::LoadOp::create(
          at, loc, result,
          ValueRange{arith::ConstantIndexOp::create(
              at, loc, extract.getPosition()[0])}));
      extract.erase();
    }
    mma.erase();
    return success();
  }

  /// The entry point's memref arguments as the CUDA runtime hands them to
  /// the GPU code: copied into device buffers (here host ones as aligned as
  /// cuMemAlloc's) and back after the call. Kernels then see the alignment
  /// they get on a GPU (the staging copies' run-time alignment tests take
  /// the GPU's branch; the memory profile's sectors are the GPU's), not the
  /// caller's.
  void stageArguments(func::FuncOp fn) {
    Block &entry = fn.getBody().front();
    OpBuilder b = OpBuilder::atBlockBegin(&entry);
    Location loc = fn.getLoc();
    SmallVector<std::pair<Value, Value>> staged; // argument, buffer
    for (BlockArgument arg : entry.getArguments()) {
      auto type = dyn_cast<MemRefType>(arg.getType());
      if (!type || arg.use_empty())
        continue;
      SmallVector<Value> sizes;
      for (int64_t d = 0; d < type.getRank(); ++d)
        if (type.isDynamicDim(d))
          sizes.push_back(memref::DimOp::create(b, loc, arg, d));
      auto bufferType = MemRefType::get(type.getShape(), type.getElementType());
      Value buffer = memref::AllocOp::create(b, loc, bufferType, sizes,
                                             b.getI64IntegerAttr(256));
      auto copy = memref::CopyOp::create(b, loc, arg, buffer);
      Value view = buffer;
      if (bufferType != type)
        view = memref::CastOp::create(b, loc, type, buffer);
      arg.replaceAllUsesExcept(view, copy);
      staged.push_back({arg, buffer});
    }
    fn.walk([&](func::ReturnOp ret) {
      OpBuilder at(ret);
      for (auto [arg, buffer] : staged) {
        memref::CopyOp::create(at, ret.getLoc(), buffer, arg);
        memref::DeallocOp::create(at, ret.getLoc(), buffer);
      }
    });
  }

  /// A tensor map made on the host: the emulator's (dlc_simt_tensor_map)
  /// over the ranked memref the unranked one was cast from, as a pointer
  /// the kernels take.
  LogicalResult convertTensorMap(nvgpu::TmaCreateDescriptorOp create) {
    OpBuilder b(create);
    Location loc = create.getLoc();
    Emitter e{getOperation(), b, loc};
    auto cast = create.getTensor().getDefiningOp<memref::CastOp>();
    auto ranked = cast ? dyn_cast<MemRefType>(cast.getSource().getType())
                       : MemRefType();
    if (!ranked)
      return create.emitError("convert-gpu-to-simt-emulator: tensor map of "
                              "a memref not cast from a ranked one");
    Value tensor = cast.getSource();
    int64_t rank = ranked.getRank();
    if (static_cast<int64_t>(create.getBoxDimensions().size()) != rank)
      return create.emitError("convert-gpu-to-simt-emulator: tensor map box "
                              "of another rank than its memref");
    // Sizes, strides (elements) and box, outermost first.
    Value info = memref::AllocaOp::create(
        b, loc, MemRefType::get({3 * rank}, b.getI64Type()), IntegerAttr());
    auto meta = memref::ExtractStridedMetadataOp::create(b, loc, tensor);
    auto put = [&](int64_t i, Value v) {
      memref::StoreOp::create(b, loc, e.toI64(v), info,
                              ValueRange{arith::ConstantIndexOp::create(b, loc, i)
                                             .getResult()});
    };
    for (int64_t d = 0; d < rank; ++d) {
      put(d, meta.getSizes()[d]);
      put(rank + d, meta.getStrides()[d]);
      put(2 * rank + d, create.getBoxDimensions()[d]);
    }
    SmallVector<Value> zeros(rank, arith::ConstantIndexOp::create(b, loc, 0));
    nvgpu::TensorMapDescriptorType type = create.getTensorMap().getType();
    Value map = e.call(
        "dlc_simt_tensor_map", b.getI64Type(),
        {e.elementAddress(tensor, zeros), e.i32(rank), e.baseAddress(info),
         e.i32(storageBytes(ranked)), e.i32(static_cast<int>(type.getSwizzle())),
         e.i32(static_cast<int>(type.getInterleave())),
         e.i32(static_cast<int>(type.getOob()))});
    create.getTensorMap().replaceAllUsesWith(LLVM::IntToPtrOp::create(
        b, loc, LLVM::LLVMPointerType::get(b.getContext()), map));
    create.erase();
    return success();
  }

  LogicalResult convertHostOp(Operation *op) {
    ModuleOp module = getOperation();
    OpBuilder b(op);
    Location loc = op->getLoc();
    if (auto async = dyn_cast<gpu::AsyncOpInterface>(op))
      if (async.getAsyncToken() || !async.getAsyncDependencies().empty())
        return op->emitError("convert-gpu-to-simt-emulator: expects "
                             "synchronous GPU operations (before "
                             "gpu-async-region)");
    if (auto launch = dyn_cast<gpu::LaunchFuncOp>(op)) {
      if (launch.hasClusterSize())
        return op->emitError("convert-gpu-to-simt-emulator: clusters are not "
                             "supported");
      std::string name = kernelName(launch.getKernelModuleName().getValue(),
                                    launch.getKernelName().getValue());
      gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
      gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
      Value shared = launch.getDynamicSharedMemorySize();
      if (!shared)
        shared = arith::ConstantIntOp::create(b, loc, 0, 32);
      SmallVector<Value> args = {grid.x,  grid.y,  grid.z, block.x,
                                 block.y, block.z, shared};
      llvm::append_range(args, launch.getKernelOperands());
      func::FuncOp fn = declare(module, kLaunchPrefix.str() + name,
                                ValueRange(args).getTypes(), {});
      func::CallOp::create(b, loc, fn, args);
      op->erase();
      return success();
    }
    if (auto create = dyn_cast<nvgpu::TmaCreateDescriptorOp>(op))
      return convertTensorMap(create);
    if (auto alloc = dyn_cast<gpu::AllocOp>(op)) {
      // As aligned as cuMemAlloc's (the staging copies' alignment tests at
      // run time then take the same branch as on the GPU).
      auto host = memref::AllocOp::create(
          b, loc, alloc.getMemref().getType(), alloc.getDynamicSizes(),
          alloc.getSymbolOperands(), b.getI64IntegerAttr(256));
      alloc.getMemref().replaceAllUsesWith(host);
      op->erase();
      return success();
    }
    if (auto dealloc = dyn_cast<gpu::DeallocOp>(op)) {
      memref::DeallocOp::create(b, loc, dealloc.getMemref());
      op->erase();
      return success();
    }
    if (auto copy = dyn_cast<gpu::MemcpyOp>(op)) {
      memref::CopyOp::create(b, loc, copy.getSrc(), copy.getDst());
      op->erase();
      return success();
    }
    return op->emitError("convert-gpu-to-simt-emulator: no emulation of this "
                         "host operation");
  }
};

} // namespace
