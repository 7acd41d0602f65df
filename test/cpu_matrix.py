"""The lit test format of the dlc suite: ShTest plus the ISA-level matrix.

A test whose RUN lines use %cpu becomes one lit test per ISA level the host
can execute (named `file@level`), with %cpu replaced by the level; if it also
uses %compile_only, one more per level the host cannot execute
(`file@level-compile-only`), where %compile_only expands to --compile-only
(and to nothing in the others). Tests without %cpu run once, as ShTest.
"""

import lit.formats
import lit.Test
import lit.TestRunner


class CPULevelTest(lit.Test.Test):
    """One ISA level of a test file: named `file@level`, read from `file`."""

    def getSourcePath(self):
        return self.file_path


class CPUMatrixTest(lit.formats.ShTest):
    def __init__(self, execute_external, runnable, compile_only):
        super().__init__(execute_external)
        self.runnable = list(runnable)
        self.compile_only = list(compile_only)

    def getTestsInDirectory(self, testSuite, path_in_suite, litConfig, localConfig):
        for test in super().getTestsInDirectory(testSuite, path_in_suite, litConfig,
                                                localConfig):
            source = test.getSourcePath()
            with open(source, errors="replace") as f:
                text = f.read()
            if "%cpu" not in text:
                yield test
                continue
            levels = [(cpu, False) for cpu in self.runnable]
            if "%compile_only" in text:
                levels += [(cpu, True) for cpu in self.compile_only]
            for cpu, only_compile in levels:
                name = f"{test.path_in_suite[-1]}@{cpu}"
                if only_compile:
                    name += "-compile-only"
                instance = CPULevelTest(testSuite, test.path_in_suite[:-1] + (name,),
                                       localConfig, file_path=source)
                instance.dlc_cpu = (cpu, only_compile)
                yield instance

    def execute(self, test, litConfig):
        cpu, only_compile = getattr(test, "dlc_cpu", ("native", False))
        substitutions = [("%compile_only", "--compile-only" if only_compile else ""),
                         ("%cpu", cpu)]
        return lit.TestRunner.executeShTest(test, litConfig, self.execute_external,
                                            substitutions)
