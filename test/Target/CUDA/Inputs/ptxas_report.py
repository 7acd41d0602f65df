"""ptxas -v on each kernel of `dlc-compile --emit=ptx` output (sections
after '// dlc-kernel: NAME' lines): prints 'NAME: R registers, S bytes
spilled' per kernel, for FileCheck. Usage: ptxas_report.py FILE.ptx ARCH."""

import os
import re
import subprocess
import sys
import tempfile

text = open(sys.argv[1]).read()
ptxas = os.environ.get("PTXAS", "ptxas")
for name, ptx in re.findall(r"// dlc-kernel: (\S+)\n(.*?)(?=// dlc-kernel: |\Z)", text, re.S):
    with tempfile.NamedTemporaryFile("w", suffix=".ptx") as f:
        f.write(ptx)
        f.flush()
        run = subprocess.run([ptxas, f"-arch={sys.argv[2]}", "-v", f.name, "-o", os.devnull],
                             capture_output=True, text=True)
    if run.returncode:
        print(f"{name}: ptxas failed: {run.stderr.strip()}")
        continue
    registers = re.search(r"Used (\d+) registers", run.stderr).group(1)
    spilled = sum(int(b) for b in re.findall(r"(\d+) bytes spill (?:stores|loads)", run.stderr))
    print(f"{name}: {registers} registers, {spilled} bytes spilled")
