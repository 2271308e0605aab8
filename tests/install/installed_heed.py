#!/usr/bin/env python3
"""heed as a user gets it: `meson install` into a staging folder (DESTDIR), then

  headers  every installed header compiles on its own, through pkg-config's flags, and each is a
           public header of the core, the backend kit, the training API or the models;
  example  examples/pointer_sort, copied out of the source tree, is configured, built and run
           twice: with meson through pkg-config and with CMake through find_package(heed). Each
           build trains a few steps on every backend built, stops, resumes (equal to an
           uninterrupted run bit for bit), evaluates and predicts with its attention, finding
           the backend modules beside the installed libheed and nothing in the build tree.

usage: installed_heed.py headers|example BUILD_DIR SOURCE_DIR PREFIX LIBDIR INCLUDEDIR BACKENDS"""
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

mode, build, source, prefix, libdir, includedir, backends = sys.argv[1:8]
build, source = Path(build).resolve(), Path(source).resolve()
backends = [b for b in backends.split(",") if b]
failures = []


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what, flush=True)
    if not condition:
        failures.append(what)


def run(command, cwd=None, env=None, expect=0):
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if expect is not None and result.returncode != expect:
        print(f"$ {' '.join(map(str, command))}\n{result.stdout}{result.stderr}", flush=True)
        raise SystemExit(f"FAIL  {' '.join(map(str, command[:3]))} ... exited {result.returncode}, not {expect}")
    return result


def path_in(stage, path):
    return stage / Path(path).relative_to("/") if Path(path).is_absolute() else stage / prefix.lstrip("/") / path


work = Path(tempfile.mkdtemp(prefix="heed-install-"))
try:
    stage = work / "stage"
    run(["meson", "install", "-C", str(build), "--no-rebuild", "--quiet", "--destdir", str(stage)])
    root = stage / prefix.lstrip("/")
    lib = path_in(stage, libdir) if Path(libdir).is_absolute() else root / libdir
    include = path_in(stage, includedir) if Path(includedir).is_absolute() else root / includedir
    env = {key: value for key, value in os.environ.items() if not key.startswith("HEED_")}
    env["PKG_CONFIG_PATH"] = str(lib / "pkgconfig")
    env["LD_LIBRARY_PATH"] = str(lib)

    if mode == "headers":
        public = set()
        for folder in ["framework/include", "train/include", "models/include", "models/data/include"]:
            public |= {p.relative_to(source / folder) for p in (source / folder).rglob("*.hpp")}
        installed = sorted(p.relative_to(include) for p in include.rglob("*.hpp"))
        check(len(installed) > 30, f"{len(installed)} headers are installed under {include}")
        private = [str(h) for h in installed if h not in public]
        check(not private, "every installed header is a public one (none from backends/ or a source folder): "
              + (", ".join(private) or "none other"))
        for name in ["heed/heed.hpp", "heed/backend/module.hpp", "heed/train/train.hpp", "heed/models/reference_models.hpp"]:
            check(Path(name) in installed, f"{name} is installed")
        for pc in ["heed", "heed-train", "heed-models"]:
            check((lib / "pkgconfig" / f"{pc}.pc").exists(), f"{pc}.pc is installed")
        flags = run(["pkg-config", "--cflags", "heed-models"], env=env).stdout.split()
        check(all(str(source) not in flag and str(build) not in flag for flag in flags),
              f"pkg-config's flags name no path in the source or build tree: {' '.join(flags)}")
        compiler = os.environ.get("CXX", "c++")

        def compile_alone(header):
            test = f"#include <{header}>\n"
            result = subprocess.run([compiler, "-std=c++20", "-fsyntax-only", "-Wall", "-Wextra", "-Wpedantic", "-Werror",
                                     "-Wno-missing-field-initializers", *flags, "-x", "c++", "-"],
                                    input=test, capture_output=True, text=True, env=env)
            return header, result.returncode, result.stderr

        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            for header, code, errors in pool.map(compile_alone, [str(h) for h in installed]):
                check(code == 0, f"<{header}> compiles on its own" + (f"\n{errors}" if code else ""))
    else:
        example = work / "pointer_sort"  # a copy: nothing points back into the source tree
        shutil.copytree(source / "examples" / "pointer_sort", example)
        run(["meson", "setup", str(work / "build-meson"), str(example)], env=env)
        run(["ninja", "-C", str(work / "build-meson")], env=env)
        # Ninja: heed's set-up installs it, while make is not on every machine (a minimal Debian).
        run(["cmake", "-G", "Ninja", "-S", str(example), "-B", str(work / "build-cmake"), f"-DCMAKE_PREFIX_PATH={root}",
             "-DCMAKE_BUILD_TYPE=Release"], env=env)
        run(["cmake", "--build", str(work / "build-cmake"), "-j", "2"], env=env)
        programs = {"meson + pkg-config": work / "build-meson" / "pointer_sort",
                    "CMake + find_package": work / "build-cmake" / "pointer_sort"}
        for how, program in programs.items():
            linked = run(["ldd", str(program)], env=env).stdout
            check(str(lib / "libheed-train.so") in linked and str(build) not in linked,
                  f"{how}: the program links the installed libheed-train, nothing in the build tree")
            listed = run([str(program), "backends"], env=env).stdout
            for backend in backends:
                check(f"{backend:<8} loaded" in listed and str(lib / "heed") in listed,
                      f"{how}: the {backend} module is found beside the installed libheed with no environment variable")
            help_text = run([str(program), "train", "--help"], env=env).stdout
            check("pointer_sort" in help_text and "--resume" in help_text, f"{how}: train --help lists pointer_sort and --resume")
            for backend in backends:
                runs = work / f"runs-{program.parent.name}-{backend}"
                common = ["--backend", backend, "--threads", "2"]
                train = [str(program), "train", "--steps", "8", "--batch", "16", "--eval-every", "0", "--eval-limit", "100",
                         "--save-every", "0", *common]
                run(train + ["--out", str(runs / "whole")], env=env)
                stopped = run(train + ["--out", str(runs / "resumed"), "--stop-after", "4"], env=env)
                check("--resume" in stopped.stderr, f"{how}, {backend}: --stop-after says how to resume")
                run([str(program), "train", "--resume", "--out", str(runs / "resumed"), *common], env=env)
                whole = (runs / "whole" / "model.safetensors").read_bytes()
                resumed = (runs / "resumed" / "model.safetensors").read_bytes()
                check(whole == resumed, f"{how}, {backend}: 4 + 4 resumed steps equal 8 uninterrupted ones bit for bit")
                metrics = [json.loads(line) for line in (runs / "resumed" / "metrics.jsonl").read_text().splitlines()]
                check(metrics and metrics[-1].get("final") and metrics[-1]["step"] == 8, f"{how}, {backend}: metrics.jsonl ends with the final evaluation")
                evaluation = json.loads(run([str(program), "eval", "--checkpoint", str(runs / "whole"), "--limit", "100", "--json", *common],
                                            env=env).stdout)
                check(evaluation["model"] == "pointer_sort" and 0 <= evaluation["exact_match"] <= 1,
                      f"{how}, {backend}: eval --json reports exact_match {evaluation.get('exact_match')}")
                prediction = json.loads(run([str(program), "predict", "--checkpoint", str(runs / "whole"), "--index", "3", "--json", *common],
                                            env=env).stdout)
                rows = prediction["attention"]
                check(len(rows) == 8 and all(len(row) == 8 and abs(sum(row) - 1) < 1e-4 for row in rows),
                      f"{how}, {backend}: predict --json gives 8 attention rows over the 8 inputs, each summing to 1")
                picture = runs / "attention.png"
                shown = run([str(program), "predict", "--checkpoint", str(runs / "whole"), "--input", "0.5 0.1 0.9 0.3 0.7 0.2 0.8 0.4",
                             "--png", str(picture), *common], env=env)
                check("output" in shown.stdout and "expected 0.1 0.2 0.3 0.4 0.5 0.7 0.8 0.9" in shown.stdout,
                      f"{how}, {backend}: predict --input prints the output and the sorted list")
                check(picture.exists() and picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{how}, {backend}: predict --png draws the attention")
        bad = run([str(programs["meson + pkg-config"]), "predict", "--checkpoint", str(work / "nowhere")], env=env, expect=1)
        check("nowhere" in bad.stderr, "a missing checkpoint is an error that names it")
finally:
    shutil.rmtree(work, ignore_errors=True)

print(f"{len(failures)} failed" if failures else "all passed")
sys.exit(1 if failures else 0)
