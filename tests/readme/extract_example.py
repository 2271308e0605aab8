#!/usr/bin/env python3
"""Writes one of the README's C++ blocks (```cpp) to a file, so that every block is compiled as a
test and cannot go stale. usage: extract_example.py README.md OUT.cpp [BLOCK]   (BLOCK: 0 first)"""
import re
import sys

readme, out = sys.argv[1], sys.argv[2]
block = int(sys.argv[3]) if len(sys.argv) > 3 else 0
text = open(readme, encoding="utf-8").read()
blocks = re.findall(r"^```cpp\n(.*?)^```", text, re.S | re.M)
if block >= len(blocks):
    sys.exit(f"{readme}: it has {len(blocks)} ```cpp blocks, not block {block}")
with open(out, "w", encoding="utf-8") as f:
    f.write(f"// Generated from {readme} (C++ block {block}) by extract_example.py; edit the README, not this file.\n")
    f.write(blocks[block])
