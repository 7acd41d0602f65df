"""Each kernel of a dlc module compiled for an NVIDIA architecture and
assembled by ptxas (dlc.execution.check_ptx, which refuses spills), as
'NAME: R registers' lines for FileCheck. Usage: ptxas_report.py FILE ARCH."""

import sys

from dlc.execution import check_ptx

registers: dict = {}
check_ptx(open(sys.argv[1]).read(), sys.argv[2], registers=registers)
for name, count in registers.items():
    print(f"{name}: {count} registers")
