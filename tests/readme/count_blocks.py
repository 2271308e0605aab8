#!/usr/bin/env python3
"""Prints how many ```cpp blocks the README holds, so the build compiles each one."""
import re
import sys

print(len(re.findall(r"^```cpp\n", open(sys.argv[1], encoding="utf-8").read(), re.M)))
