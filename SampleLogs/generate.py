#!/usr/bin/env python3
"""Generate the sample incident in SampleLogs/: run `python3 SampleLogs/generate.py`
from the repository root. The code is in the package SampleLogs/generator/."""

import os
import sys

sys.dont_write_bytecode = True      # keep __pycache__ out of SampleLogs/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from generator.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
