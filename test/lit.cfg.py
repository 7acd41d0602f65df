# -*- Python -*-
import os
import sys

import lit.formats
from lit.llvm import llvm_config

config.name = "dlc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".py", ".test"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt", "lit.local.cfg", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dlc_obj_root, "test")

# Named captures must not leak between CHECK-LABEL blocks.
config.environment["FILECHECK_OPTS"] = "-enable-var-scope"

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    ["dlc-opt", "dlc-compile", "dlc-run", "run_model", "mlir-translate", "llc", "llvm-nm"],
    [config.dlc_tools_dir, config.llvm_tools_dir],
)

# Python tests import the in-tree package and find the build through DLC_BUILD.
config.substitutions.append(("%PYTHON", sys.executable))
config.environment["PYTHONPATH"] = os.path.join(config.dlc_src_root, "python")
config.environment["DLC_BUILD"] = config.dlc_obj_root
config.environment["DLC_LLVM_TOOLS"] = config.llvm_tools_dir
config.substitutions.append(("%dlc_src_root", config.dlc_src_root))
