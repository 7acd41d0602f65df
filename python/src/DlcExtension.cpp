//===- DlcExtension.cpp - the dlc._dlc Python extension --------------------===//
//
// The narrow binding under the Python front end (python/dlc):
// - ModuleBuilder: a facade that creates dlc ops one at a time, each at its Python
//   source location; result types are inferred and every op is verified as
//   it is made, so a shape error is reported at the user's line.
// - compile: the builder's module -> artifact bytes, in process, through the
//   one compiler library the tools use (include/dlc/Compiler).
// - LoadedModule/EntryPoint: the C runtime on artifact bytes; calls take NumPy arrays
//   or DLPack tensors without copying.
// MLIR's own classes are not bound.
//
//===----------------------------------------------------------------------===//

#include "dlc/Compiler/Compiler.h"
#include "dlc/InitAll.h"
#include "dlc/runtime.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <mutex>

namespace py = pybind11;
using namespace mlir;

namespace {

/// The one context of the process, with every dialect and pass of dlc.
MLIRContext &context() {
  static MLIRContext *ctx = [] {
    DialectRegistry registry;
    dlc::registerAllDialects(registry);
    dlc::registerAllPasses();
    auto *c = new MLIRContext(registry);
    c->loadAllAvailableDialects();
    return c;
  }();
  return *ctx;
}

/// Python's exception for a failed compilation (dlc.CompileError).
struct CompileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
/// Python's exception for a failed runtime call (dlc.DlcRuntimeError).
struct RuntimeFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// "file:line:col" of the innermost file location, or "".
std::string where(Location loc) {
  if (auto file = loc->findInstanceOf<FileLineColLoc>())
    return file.getFilename().str() + ":" + std::to_string(file.getLine()) +
           ":" + std::to_string(file.getColumn());
  return "";
}

/// Collects the diagnostics emitted while it lives, one per line as
/// "file:line:col: message", notes indented below their diagnostic.
class Diagnostics {
public:
  Diagnostics()
      : handler(&context(), [this](Diagnostic &diag) {
          append(diag, "");
          for (Diagnostic &note : diag.getNotes())
            append(note, "  note: ");
          return success();
        }) {}
  std::string take() {
    std::string result = std::move(text);
    text.clear();
    return result;
  }

private:
  void append(Diagnostic &diag, const char *prefix) {
    if (!text.empty())
      text += "\n";
    std::string at = where(diag.getLocation());
    text += prefix;
    if (!at.empty())
      text += at + ": ";
    text += diag.str();
  }
  std::string text;
  ScopedDiagnosticHandler handler;
};

Location location(const py::tuple &loc) {
  if (loc.size() != 3)
    return UnknownLoc::get(&context());
  return FileLineColLoc::get(&context(), loc[0].cast<std::string>(),
                             loc[1].cast<unsigned>(), loc[2].cast<unsigned>());
}

Type parseTypeOrThrow(const std::string &text) {
  Diagnostics diagnostics;
  Type type = parseType(text, &context());
  if (!type)
    throw py::value_error("invalid type '" + text + "': " +
                          diagnostics.take());
  return type;
}

/// dlc's element type names.
std::string elementName(Type type) {
  if (std::optional<std::string> name = dlc::elementTypeName(type))
    return *name;
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

/// Builds one module of functions, op by op.
class ModuleBuilder {
public:
  ModuleBuilder()
      : module(ModuleOp::create(UnknownLoc::get(&context()))),
        builder(&context()) {}

  /// Starts a function (nested in the current one's construction: the outer
  /// function resumes at end_function) and returns its argument ids.
  std::vector<int64_t> beginFunction(const std::string &name,
                                     const std::vector<std::string> &argTypes,
                                     bool isPublic, const py::tuple &loc) {
    SmallVector<Type> types;
    for (const std::string &text : argTypes)
      types.push_back(parseTypeOrThrow(text));
    saved.push_back(builder.saveInsertionPoint());
    builder.setInsertionPointToEnd(module->getBody());
    auto func = func::FuncOp::create(builder, location(loc), name,
                                     builder.getFunctionType(types, {}));
    if (!isPublic)
      func.setPrivate();
    Block *entry = func.addEntryBlock();
    builder.setInsertionPointToStart(entry);
    functions.push_back(func);
    std::vector<int64_t> ids;
    for (BlockArgument arg : entry->getArguments())
      ids.push_back(add(arg));
    return ids;
  }

  /// Appends an argument to the current function (a value the function
  /// captures from an enclosing one) and returns its id.
  int64_t addArgument(const std::string &type, const py::tuple &loc) {
    func::FuncOp func = current();
    Block &entry = func.getBody().front();
    BlockArgument arg = entry.addArgument(parseTypeOrThrow(type), location(loc));
    func.setType(builder.getFunctionType(entry.getArgumentTypes(),
                                         func.getResultTypes()));
    return add(arg);
  }

  /// Sets a discardable attribute of argument `index` of the current
  /// function (e.g. dlc.name = "fc1.weight", dlc.param).
  void setArgAttr(int64_t index, const std::string &name,
                  const std::string &value) {
    func::FuncOp func = current();
    if (index < 0 || index >= static_cast<int64_t>(func.getNumArguments()))
      throw py::index_error("argument index out of range");
    func.setArgAttr(index, name, parseAttributeOrThrow(value));
  }

  /// Returns `results` from the current function and resumes the enclosing
  /// one.
  void endFunction(const std::vector<int64_t> &results, const py::tuple &loc) {
    func::FuncOp func = current();
    SmallVector<Value> values = lookup(results);
    func::ReturnOp::create(builder, location(loc), values);
    func.setType(builder.getFunctionType(func.getArgumentTypes(),
                                         ValueRange(values).getTypes()));
    functions.pop_back();
    builder.restoreInsertionPoint(saved.back());
    saved.pop_back();
  }

  /// Creates op `name` in the current function and returns its result ids.
  /// Result types are `resultTypes` when given, else inferred (the op then
  /// has `numResults` results). Attribute values are MLIR attribute text.
  /// The op is verified at once: an invalid op is erased and its diagnostic
  /// raised as ValueError, prefixed with the op's location.
  std::vector<int64_t> op(const std::string &name,
                          const std::vector<int64_t> &operands,
                          const std::map<std::string, std::string> &attrs,
                          const std::optional<std::vector<std::string>> &resultTypes,
                          int64_t numResults, const py::tuple &loc) {
    current();
    Diagnostics diagnostics;
    OperationState state(location(loc), name);
    if (!state.name.isRegistered())
      throw py::value_error("unknown op '" + name + "'");
    state.addOperands(lookup(operands));
    for (const auto &[key, text] : attrs)
      state.addAttribute(key, parseAttributeOrThrow(text));
    if (resultTypes) {
      for (const std::string &text : *resultTypes)
        state.addTypes(parseTypeOrThrow(text));
    } else {
      state.addTypes(SmallVector<Type>(numResults, NoneType::get(&context())));
    }
    Operation *op = builder.create(state);
    if (!resultTypes) {
      auto infer = dyn_cast<InferTypeOpInterface>(op);
      SmallVector<Type> types;
      if (!infer ||
          failed(infer.inferReturnTypes(
              &context(), op->getLoc(), op->getOperands(),
              op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
              op->getRegions(), types)) ||
          types.size() != op->getNumResults()) {
        op->erase();
        std::string message = diagnostics.take();
        throw py::value_error(message.empty()
                                  ? "cannot infer the result types of " + name
                                  : message);
      }
      for (auto [result, type] : llvm::zip(op->getResults(), types))
        result.setType(type);
    }
    if (failed(verify(op))) {
      op->erase();
      throw py::value_error(diagnostics.take());
    }
    std::vector<int64_t> ids;
    for (Value result : op->getResults())
      ids.push_back(add(result));
    return ids;
  }

  /// A dlc.constant holding `array` (C-contiguous; its dtype names the
  /// element type).
  int64_t constant(const py::array &array, const std::string &element,
                   const py::tuple &loc) {
    current();
    SmallVector<int64_t> shape(array.shape(), array.shape() + array.ndim());
    Type elementType = parseTypeOrThrow(element);
    auto type = RankedTensorType::get(shape, elementType);
    DenseElementsAttr value;
    if (elementType.isInteger(1)) {
      auto flat = py::array_t<bool, py::array::c_style | py::array::forcecast>(array);
      SmallVector<bool> bits(flat.data(), flat.data() + flat.size());
      value = DenseElementsAttr::get(type, ArrayRef<bool>(bits));
    } else {
      auto compact = py::array::ensure(array, py::array::c_style);
      size_t bytes = compact.nbytes();
      if (bytes != static_cast<size_t>(type.getNumElements()) *
                       ((elementType.getIntOrFloatBitWidth() + 7) / 8))
        throw py::value_error("constant: the array's element size does not "
                              "match " + element);
      value = DenseElementsAttr::getFromRawBuffer(
          type, ArrayRef<char>(static_cast<const char *>(compact.data()),
                               bytes));
    }
    OperationState state(location(loc), "dlc.constant");
    state.addAttribute("value", value);
    state.addTypes(type);
    return add(builder.create(state)->getResult(0));
  }

  /// (shape, element type name) of value `id`.
  py::tuple type(int64_t id) {
    auto type = cast<RankedTensorType>(lookup({id}).front().getType());
    return py::make_tuple(py::tuple(py::cast(type.getShape().vec())),
                          elementName(type.getElementType()));
  }

  /// The module as text (with locations if `debugInfo`).
  std::string text(bool debugInfo) {
    std::string out;
    llvm::raw_string_ostream os(out);
    OpPrintingFlags flags;
    if (debugInfo)
      flags.enableDebugInfo(true, /*prettyForm=*/false);
    module->print(os, flags);
    return out;
  }

  /// Compiles a copy of the module to artifact bytes, after building a
  /// training step from `trainStep` (dlc-make-train-step options) if given.
  py::bytes compile(const std::string &cpu, int optLevel,
                    const std::optional<std::string> &trainStep,
                    const std::string &target, const std::string &gpuArch,
                    bool allowTF32) {
    if (target != "cpu" && target != "cuda")
      throw py::value_error("compile: unknown target '" + target +
                            "' (expected 'cpu' or 'cuda')");
    if (!functions.empty())
      throw py::value_error("compile: function '" +
                            current().getSymName().str() +
                            "' is not finished");
    OwningOpRef<ModuleOp> copy = module->clone();
    std::vector<uint8_t> bytes;
    std::string warnings;
    {
      // The compiler's pass managers run outside the GIL; one compilation
      // at a time shares the context's diagnostics.
      py::gil_scoped_release release;
      static std::mutex mutex;
      std::lock_guard<std::mutex> lock(mutex);
      Diagnostics diagnostics;
      if (trainStep) {
        PassManager pm(&context());
        std::string errors;
        llvm::raw_string_ostream os(errors);
        if (failed(parsePassPipeline("dlc-make-train-step{" + *trainStep + "}",
                                     pm, os)))
          throw CompileError("invalid training-step options: " + errors);
        if (failed(pm.run(*copy)))
          throw CompileError(diagnostics.take());
      }
      dlc::CompileOptions options;
      options.cpu = cpu;
      options.optLevel = optLevel;
      // "gpu-kernels:sm_XX": that GPU's kernels, after every GPU pass, run
      // on this CPU by the SIMT emulator (dlc-compile --emulate-gpu-kernels),
      // so that a model's GPU kernels are checked without a GPU.
      if (llvm::StringRef chip(cpu); chip.consume_front("gpu-kernels:")) {
        if (target != "cpu")
          throw py::value_error("compile: cpu='" + cpu +
                                "' emulates GPU kernels on the CPU target, "
                                "not on '" +
                                target + "'");
        options.cpu = "native";
        options.emulateGPUKernels = chip.str();
        options.emulateTF32Schedule = allowTF32;
      }
      FailureOr<std::vector<uint8_t>> result = failure();
      if (target == "cuda") {
        auto machine = dlc::createTargetMachine(options);
        if (!machine)
          throw CompileError(llvm::toString(machine.takeError()));
        result = dlc::compileToCUDAArtifact(*copy, **machine, gpuArch,
                                            optLevel, {}, allowTF32);
      } else {
        result = dlc::compileToArtifact(*copy, options);
      }
      if (failed(result)) {
        std::string message = diagnostics.take();
        throw CompileError(message.empty() ? "compilation failed" : message);
      }
      bytes = std::move(*result);
      warnings = diagnostics.take();
    }
    // Warnings of a successful compilation (PTX only for a chip the
    // toolkit's ptxas lacks) as Python warnings.
    if (!warnings.empty() &&
        PyErr_WarnEx(PyExc_UserWarning, warnings.c_str(), 1) != 0)
      throw py::error_already_set();
    return py::bytes(reinterpret_cast<const char *>(bytes.data()),
                     bytes.size());
  }

private:
  func::FuncOp current() {
    if (functions.empty())
      throw py::value_error("no function is being built");
    return functions.back();
  }
  int64_t add(Value value) {
    values.push_back(value);
    return static_cast<int64_t>(values.size()) - 1;
  }
  SmallVector<Value> lookup(const std::vector<int64_t> &ids) {
    SmallVector<Value> result;
    for (int64_t id : ids) {
      if (id < 0 || id >= static_cast<int64_t>(values.size()))
        throw py::index_error("unknown value id " + std::to_string(id));
      result.push_back(values[id]);
    }
    return result;
  }
  Attribute parseAttributeOrThrow(const std::string &text) {
    Diagnostics diagnostics;
    Attribute attr = parseAttribute(text, &context());
    if (!attr)
      throw py::value_error("invalid attribute '" + text + "': " +
                            diagnostics.take());
    return attr;
  }

  OwningOpRef<ModuleOp> module;
  OpBuilder builder;
  std::vector<Value> values;
  std::vector<func::FuncOp> functions;
  std::vector<OpBuilder::InsertPoint> saved;
};

//===----------------------------------------------------------------------===//
// Runtime
//===----------------------------------------------------------------------===//

[[noreturn]] void throwStatus(dlc_status status) {
  std::string message = dlc_last_error();
  if (status == DLC_ERROR_ARGUMENT)
    throw py::value_error(message);
  throw RuntimeFailure(message);
}

/// NumPy's bfloat16: ml_dtypes' (as JAX's), a dependency of the package.
py::dtype bfloat16Type() {
  return py::dtype::from_args(
      py::module_::import("ml_dtypes").attr("bfloat16"));
}

/// NumPy's dtype for a DLPack type.
py::dtype numpyType(DLDataType type) {
  switch (type.code) {
  case kDLFloat:
    return type.bits == 16 ? py::dtype("float16")
           : type.bits == 32 ? py::dtype("float32")
                             : py::dtype("float64");
  case kDLBfloat:
    return bfloat16Type();
  case kDLInt:
    return type.bits == 32 ? py::dtype("int32") : py::dtype("int64");
  default:
    return py::dtype("bool");
  }
}

std::string dtypeName(DLDataType type) {
  switch (type.code) {
  case kDLFloat:
    return "f" + std::to_string(type.bits);
  case kDLBfloat:
    return "bf16";
  case kDLInt:
    return "i" + std::to_string(type.bits);
  default:
    return "i1";
  }
}

/// The DLPack type of a NumPy array (bool as {kDLUInt, 8}, dlc's i1).
DLDataType dlpackType(const py::dtype &dtype) {
  char kind = dtype.kind();
  uint8_t bits = static_cast<uint8_t>(dtype.itemsize() * 8);
  if (kind == 'f')
    return {kDLFloat, bits, 1};
  if (kind == 'i')
    return {kDLInt, bits, 1};
  if (kind == 'b')
    return {kDLUInt, 8, 1};
  if (kind == 'V' && bits == 16 && dtype.num() == bfloat16Type().num())
    return {kDLBfloat, 16, 1};
  return {kDLUInt, bits, 1};
}

const DLTensor *deviceTensor(const py::handle &object);

/// A view of a call argument as a DLTensor: a NumPy array (shared, no copy)
/// or an object with __dlpack__ (its capsule is kept alive by `keep`).
struct Argument {
  DLTensor tensor{};
  std::vector<int64_t> shape, strides;
  py::object keep;
};

void view(const py::handle &object, Argument &arg, bool writable) {
  if (const DLTensor *tensor = deviceTensor(object)) {
    arg.tensor = *tensor;
    arg.keep = py::reinterpret_borrow<py::object>(object);
    return;
  }
  if (py::isinstance<py::array>(object)) {
    auto array = py::reinterpret_borrow<py::array>(object);
    if (writable && !array.writeable())
      throw py::value_error("output array is read-only");
    arg.shape.assign(array.shape(), array.shape() + array.ndim());
    arg.strides.resize(array.ndim());
    for (py::ssize_t i = 0; i < array.ndim(); ++i)
      arg.strides[i] = array.strides(i) / array.itemsize();
    arg.tensor.data = const_cast<void *>(array.data());
    arg.tensor.device = {kDLCPU, 0};
    arg.tensor.ndim = static_cast<int32_t>(array.ndim());
    arg.tensor.dtype = dlpackType(array.dtype());
    arg.tensor.shape = arg.shape.data();
    // An empty array's strides say nothing (NumPy may give zeros): compact.
    arg.tensor.strides = array.size() ? arg.strides.data() : nullptr;
    arg.keep = py::reinterpret_borrow<py::object>(object);
    return;
  }
  if (!py::hasattr(object, "__dlpack__"))
    throw py::type_error("expected a NumPy array or an object with __dlpack__, "
                         "got " + py::str(py::type::of(object)).cast<std::string>());
  py::capsule capsule = object.attr("__dlpack__")();
  auto *managed = static_cast<DLManagedTensor *>(
      PyCapsule_GetPointer(capsule.ptr(), "dltensor"));
  if (!managed)
    throw py::value_error("__dlpack__ did not return a DLPack capsule");
  arg.tensor = managed->dl_tensor;
  // Keep the producer's tensor alive for the call; the capsule's destructor
  // frees it (the capsule is not renamed "used_dltensor": it is not consumed).
  arg.keep = capsule;
}

class EntryPoint;

/// A loaded artifact.
class LoadedModule : public std::enable_shared_from_this<LoadedModule> {
public:
  explicit LoadedModule(const py::bytes &bytes) {
    std::string_view data = bytes;
    dlc_status status = dlc_module_load_bytes(data.data(), data.size(), &module);
    if (status != DLC_OK)
      throwStatus(status);
  }
  static std::shared_ptr<LoadedModule> fromFile(const std::string &path) {
    auto result = std::shared_ptr<LoadedModule>(new LoadedModule());
    dlc_status status = dlc_module_load(path.c_str(), &result->module);
    if (status != DLC_OK)
      throwStatus(status);
    return result;
  }
  ~LoadedModule() { dlc_module_free(module); }
  std::string manifest() const { return dlc_module_manifest(module); }
  std::vector<std::string> names() const {
    std::vector<std::string> result;
    for (size_t i = 0; i < dlc_module_num_functions(module); ++i)
      result.push_back(dlc_function_name(dlc_module_function(module, i)));
    return result;
  }
  const dlc_function *lookup(const std::string &name) const {
    const dlc_function *function = nullptr;
    dlc_status status = dlc_module_lookup(module, name.c_str(), &function);
    if (status != DLC_OK)
      throwStatus(status);
    return function;
  }
  void setThreads(int threads) {
    dlc_status status = dlc_set_num_threads(module, threads);
    if (status != DLC_OK)
      throwStatus(status);
  }
  const dlc_module *get() const { return module; }
  std::string device() const {
    return dlc_module_device(module) == kDLCUDA ? "cuda" : "cpu";
  }
  int deviceId() const { return dlc_module_device_id(module); }

private:
  LoadedModule() = default;
  dlc_module *module = nullptr;
};

/// A tensor in a CUDA module's device memory (dlc_device_alloc): a
/// parameter or optimizer state that stays on the GPU between calls. Calls
/// use it in place; `numpy()` copies it back; `__dlpack__` lends it to other
/// frameworks without a copy.
class DeviceArray {
public:
  DeviceArray(std::shared_ptr<LoadedModule> owner, const py::array &host)
      : module(std::move(owner)) {
    if (module->device() != "cuda")
      throw py::value_error("to_device: this module runs on the CPU; its "
                            "arrays stay NumPy arrays");
    auto array = py::array::ensure(host, py::array::c_style);
    if (!array)
      throw py::type_error("to_device: expected a NumPy array");
    shape.assign(array.shape(), array.shape() + array.ndim());
    dtype = array.dtype();
    bytes = array.nbytes();
    check(dlc_device_alloc(module->get(), bytes, &data));
    upload(array);
  }
  ~DeviceArray() { (void)dlc_device_free(module->get(), data); }

  int deviceId() const { return module->deviceId(); }

  void upload(const py::array &host) {
    auto array = py::array::ensure(host, py::array::c_style);
    if (!array || !array.dtype().is(dtype) ||
        std::vector<int64_t>(array.shape(), array.shape() + array.ndim()) !=
            shape)
      throw py::value_error("copy_from: expected a " + describe() +
                            " array");
    check(dlc_device_copy(module->get(), data, array.data(), bytes));
  }
  py::array numpy() const {
    py::array array(dtype, std::vector<py::ssize_t>(shape.begin(), shape.end()));
    check(dlc_device_copy(module->get(), array.mutable_data(), data, bytes));
    return array;
  }
  std::string describe() const {
    std::string text =
        py::str(static_cast<const py::handle &>(dtype)).cast<std::string>() +
        "[";
    for (size_t i = 0; i < shape.size(); ++i)
      text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
  }
  const DLTensor &tensor() {
    view.data = data;
    view.device = {kDLCUDA, module->deviceId()};
    view.ndim = static_cast<int32_t>(shape.size());
    view.dtype = dlpackType(dtype);
    view.shape = shape.data();
    view.strides = nullptr;
    view.byte_offset = 0;
    return view;
  }
  /// DLPack export: the capsule keeps this array alive until its consumer
  /// calls the deleter.
  static py::capsule dlpack(py::object self, py::object /*stream*/) {
    auto &array = self.cast<DeviceArray &>();
    auto *managed = new DLManagedTensor{};
    managed->dl_tensor = array.tensor();
    managed->manager_ctx = self.release().ptr();
    managed->deleter = [](DLManagedTensor *m) {
      py::gil_scoped_acquire gil;
      Py_DECREF(static_cast<PyObject *>(m->manager_ctx));
      delete m;
    };
    return py::capsule(managed, "dltensor", [](PyObject *capsule) {
      // Not consumed (still named "dltensor"): free it here.
      if (PyCapsule_IsValid(capsule, "dltensor")) {
        auto *m = static_cast<DLManagedTensor *>(
            PyCapsule_GetPointer(capsule, "dltensor"));
        m->deleter(m);
      }
    });
  }

  std::vector<int64_t> shape;
  py::dtype dtype;

private:
  static void check(dlc_status status) {
    if (status != DLC_OK)
      throwStatus(status);
  }
  std::shared_ptr<LoadedModule> module;
  void *data = nullptr;
  size_t bytes = 0;
  DLTensor view{};
};

const DLTensor *deviceTensor(const py::handle &object) {
  if (!py::isinstance<DeviceArray>(object))
    return nullptr;
  return &object.cast<DeviceArray &>().tensor();
}

/// One entry point of a module (keeps the module alive).
class EntryPoint {
public:
  EntryPoint(std::shared_ptr<LoadedModule> module, const std::string &name)
      : module(std::move(module)), function(this->module->lookup(name)) {}

  std::string name() const { return dlc_function_name(function); }
  static py::tuple spec(dlc_tensor_spec spec) {
    return py::make_tuple(
        py::tuple(py::cast(std::vector<int64_t>(spec.shape, spec.shape + spec.ndim))),
        dtypeName(spec.dtype), std::string(spec.name ? spec.name : ""));
  }
  py::list inputs() const {
    py::list result;
    for (size_t i = 0; i < dlc_function_num_inputs(function); ++i)
      result.append(spec(dlc_function_input(function, i)));
    return result;
  }
  py::list outputs() const {
    py::list result;
    for (size_t i = 0; i < dlc_function_num_outputs(function); ++i) {
      py::tuple s = spec(dlc_function_output(function, i));
      result.append(py::make_tuple(s[0], s[1], s[2],
                                   dlc_function_output_inout(function, i)));
    }
    return result;
  }

  /// Calls the function on `inputs`. Outputs are new NumPy arrays, except
  /// in-out outputs, which are written into their input (updated in place;
  /// the input must then be a writable NumPy array or DLPack tensor) and not
  /// returned. Returns the ordinary outputs as a list.
  py::list call(const py::sequence &inputs, uintptr_t stream) {
    size_t numInputs = dlc_function_num_inputs(function),
           numOutputs = dlc_function_num_outputs(function);
    if (static_cast<size_t>(py::len(inputs)) != numInputs)
      throw py::type_error(name() + "() takes " + std::to_string(numInputs) +
                           " arguments (" + std::to_string(py::len(inputs)) +
                           " given)");
    std::vector<Argument> in(numInputs), out(numOutputs);
    std::vector<DLTensor> inTensors(numInputs), outTensors(numOutputs);
    for (size_t i = 0; i < numInputs; ++i) {
      view(inputs[i], in[i], /*writable=*/false);
      inTensors[i] = in[i].tensor;
    }
    py::list results;
    for (size_t i = 0; i < numOutputs; ++i) {
      int64_t inout = dlc_function_output_inout(function, i);
      if (inout >= 0) {
        if (py::isinstance<py::array>(inputs[inout]) &&
            !py::reinterpret_borrow<py::array>(inputs[inout]).writeable())
          throw py::value_error(name() + ": in-out argument " +
                                std::to_string(inout) + " is read-only");
        outTensors[i] = inTensors[inout];
        continue;
      }
      dlc_tensor_spec spec = dlc_function_output(function, i);
      py::array array(numpyType(spec.dtype),
                      std::vector<py::ssize_t>(spec.shape, spec.shape + spec.ndim));
      view(array, out[i], /*writable=*/true);
      outTensors[i] = out[i].tensor;
      results.append(array);
    }
    dlc_status status;
    {
      py::gil_scoped_release release;
      status = dlc_call_on_stream(function, inTensors.data(), numInputs,
                                  outTensors.data(), numOutputs,
                                  reinterpret_cast<void *>(stream));
    }
    if (status != DLC_OK)
      throwStatus(status);
    return results;
  }

private:
  std::shared_ptr<LoadedModule> module;
  const dlc_function *function;
};

} // namespace

PYBIND11_MODULE(_dlc, m) {
  m.doc() = "dlc's compiler and runtime, in process (see python/dlc).";
  static py::exception<CompileError> compileError(m, "CompileError",
                                                  PyExc_RuntimeError);
  static py::exception<RuntimeFailure> runtimeError(m, "DlcRuntimeError",
                                                    PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p)
        std::rethrow_exception(p);
    } catch (const CompileError &e) {
      py::set_error(compileError, e.what());
    } catch (const RuntimeFailure &e) {
      py::set_error(runtimeError, e.what());
    }
  });

  py::class_<ModuleBuilder>(m, "ModuleBuilder")
      .def(py::init<>())
      .def("begin_function", &ModuleBuilder::beginFunction, py::arg("name"),
           py::arg("arg_types"), py::arg("public"), py::arg("loc"))
      .def("add_argument", &ModuleBuilder::addArgument, py::arg("type"),
           py::arg("loc"))
      .def("set_arg_attr", &ModuleBuilder::setArgAttr)
      .def("end_function", &ModuleBuilder::endFunction, py::arg("results"),
           py::arg("loc"))
      .def("op", &ModuleBuilder::op, py::arg("name"), py::arg("operands"),
           py::arg("attrs"), py::arg("result_types"), py::arg("num_results"),
           py::arg("loc"))
      .def("constant", &ModuleBuilder::constant, py::arg("array"),
           py::arg("element"), py::arg("loc"))
      .def("type", &ModuleBuilder::type)
      .def("text", &ModuleBuilder::text, py::arg("debug_info") = false)
      .def("compile", &ModuleBuilder::compile, py::arg("cpu") = "native",
           py::arg("opt_level") = 3, py::arg("train_step") = py::none(),
           py::arg("target") = "cpu", py::arg("gpu_arch") = "sm_80",
           py::arg("allow_tf32") = false);

  m.def("cuda_device", [] {
    int32_t ordinal = 0, capability = 0;
    const char *name = nullptr;
    if (dlc_status status = dlc_cuda_device(&ordinal, &capability, &name))
      throwStatus(status);
    return py::make_tuple(ordinal, capability / 10, capability % 10,
                          std::string(name));
  });
  m.def("native_gpu_arch", [] {
    llvm::Expected<std::string> arch = dlc::nativeGPUArch();
    if (!arch)
      throw RuntimeFailure(llvm::toString(arch.takeError()));
    return *arch;
  });

  py::class_<LoadedModule, std::shared_ptr<LoadedModule>>(m, "LoadedModule")
      .def(py::init<const py::bytes &>())
      .def_static("load", &LoadedModule::fromFile)
      .def_property_readonly("manifest", &LoadedModule::manifest)
      .def_property_readonly("names", &LoadedModule::names)
      .def("set_num_threads", &LoadedModule::setThreads)
      .def_property_readonly("device", &LoadedModule::device)
      .def_property_readonly("device_id", &LoadedModule::deviceId)
      .def("to_device",
           [](std::shared_ptr<LoadedModule> self, const py::array &host) {
             return std::make_unique<DeviceArray>(std::move(self), host);
           })
      .def("function", [](std::shared_ptr<LoadedModule> self, const std::string &name) {
        return EntryPoint(std::move(self), name);
      });

  py::class_<DeviceArray>(m, "DeviceArray")
      .def_property_readonly("shape", [](const DeviceArray &a) {
        return py::tuple(py::cast(a.shape));
      })
      .def_readonly("dtype", &DeviceArray::dtype)
      .def("numpy", &DeviceArray::numpy)
      .def("copy_from", &DeviceArray::upload)
      .def("__dlpack__", &DeviceArray::dlpack, py::arg("stream") = py::none())
      .def("__dlpack_device__",
           [](const DeviceArray &a) {
             return py::make_tuple(int(kDLCUDA), a.deviceId());
           })
      .def("__repr__", [](const DeviceArray &a) {
        return "<dlc.DeviceArray " + a.describe() + " on cuda:" +
               std::to_string(a.deviceId()) + ">";
      });

  py::class_<EntryPoint>(m, "EntryPoint")
      .def_property_readonly("name", &EntryPoint::name)
      .def_property_readonly("inputs", &EntryPoint::inputs)
      .def_property_readonly("outputs", &EntryPoint::outputs)
      .def("__call__", &EntryPoint::call, py::arg("inputs"),
           py::arg("stream") = 0);

}
