#!/usr/bin/env python3
"""Sums test results from meson's testlog.json files: the test cases of doctest executables
(from doctest's own summary line), and one result for every other test. Prints the totals as
'PASSED FAILED'."""
import json
import re
import sys

SUMMARY = re.compile(r"\[doctest\] test cases:\s*(\d+)\s*\|\s*(\d+) passed\s*\|\s*(\d+) failed")

passed = failed = 0
for path in sys.argv[1:]:
    with open(path) as log:
        for line in log:
            test = json.loads(line)
            ok = test["result"] == "OK"
            found = SUMMARY.findall(test.get("stdout", "") or "")
            if found:
                _, p, f = map(int, found[-1])
                passed += p
                failed += f
                if not ok and f == 0:
                    failed += 1  # crashed or timed out after its summary, or a non-zero exit
            elif ok:
                passed += 1
            else:
                failed += 1
print(passed, failed)
