#!/usr/bin/env python3
"""Writes the README's C++ example (its first ```cpp block) to a file, so that the example is
compiled and run as a test and cannot go stale. usage: extract_example.py README.md OUT.cpp"""
import re
import sys

readme, out = sys.argv[1], sys.argv[2]
text = open(readme, encoding="utf-8").read()
match = re.search(r"^```cpp\n(.*?)^```", text, re.S | re.M)
if not match:
    sys.exit(f"{readme}: no ```cpp block found")
with open(out, "w", encoding="utf-8") as f:
    f.write(f"// Generated from {readme} by extract_example.py; edit the README, not this file.\n")
    f.write(match.group(1))
