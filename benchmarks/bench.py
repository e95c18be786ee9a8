"""Benchmark migrate against its baselines on the real AutoModel corpus, all in one run.

    python benchmarks/bench.py [--corpus DIR] [--external DIR] [--runs 5] [--scale 10]

Baselines (in-process, on the same files): raw read, the fastest C YAML parser available
(PyYAML's CSafeLoader, libyaml), a ruamel.yaml round-trip load; for Python files CPython's `ast.parse`,
on the AutoModel corpus and on non-AutoModel training code (`--external`, MIGRATOR_EXTERNAL_CORPUS).
The C parse is also timed as a process of its own, which pays the interpreter's start-up and the reads as
the tool does. The tool is timed as whole processes (`migrate --check`, `migrate` writing a fresh copy,
`--jobs 1`, the default jobs and `--jobs 2`, the corpus as is and replicated), plus start-up and peak memory.
Figures are medians; each ratio is the median of ratios of back-to-back pairs (baseline, tool), so a
busy moment on a shared machine weighs on both sides of a pair alike.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The C parse as a process of its own: the same interpreter start-up and file reads as the tool pays.
C_PARSE_PROCESS = """import sys, yaml
for name in sys.argv[1:]:
    with open(name, encoding="utf-8") as handle:
        yaml.load(handle.read(), Loader=yaml.CSafeLoader)
"""
YAML_SUFFIXES = (".yaml", ".yml")
MIGRATE = [sys.executable, "-m", "migrator"]


def timed(action: Callable[[], object], prepare: Callable[[], object] | None = None) -> float:
    if prepare is not None:
        prepare()
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def median_time(action: Callable[[], object], runs: int, prepare: Callable[[], object] | None = None) -> float:
    return statistics.median(timed(action, prepare) for _ in range(runs))


def paired(baseline: Callable[[], float], measured: Callable[[], float], runs: int) -> tuple[float, float, float]:
    """Medians of both and of their ratio, each pair timed back to back so that both see the same machine."""
    pairs = [(baseline(), measured()) for _ in range(runs)]
    return (
        statistics.median(base for base, _ in pairs),
        statistics.median(value for _, value in pairs),
        statistics.median(value / base for base, value in pairs),
    )


def run_tool(*args: str) -> None:
    completed = subprocess.run([*MIGRATE, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if completed.returncode not in (0, 1):
        raise SystemExit(f"migrate {' '.join(args)} failed ({completed.returncode}):\n{completed.stderr[-2000:]}")


def peak_memory_mb(*args: str) -> float:
    """Largest resident set of the tool's process tree (the process or one of its workers)."""
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", probe, *MIGRATE, *args], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def supports(option: str) -> bool:
    return option in subprocess.run([*MIGRATE, "migrate", "--help"], capture_output=True, text=True).stdout


def copy_tree(source: Path, target: Path, suffixes: tuple[str, ...]) -> None:
    """Only files with these suffixes, writable whatever the source's modes (the corpus is read-only)."""
    for path in files_under(source, suffixes):
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


def replicate(source: Path, target: Path, copies: int) -> None:
    for index in range(copies):
        copy_tree(source, target / f"copy{index}", YAML_SUFFIXES)


def files_under(root: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.suffix in suffixes)


def python_rows(
    label: str, source: Path, copy: Path, tool: Callable[..., Callable[[], float]], runs: int
) -> tuple[list[tuple[str, float, str]], str]:
    """The Python front end on a corpus's `.py` files: whole-process `--check` against CPython's `ast.parse` of
    the same files (in-process), the slowest single file; and a line on its peak memory."""
    import ast

    from migrator.core.settings import Options
    from migrator.process import migrate_text

    copy_tree(source, copy, (".py",))
    files = files_under(copy, (".py",))
    sources = [path.read_text() for path in files]

    def parse_all() -> None:
        for text in sources:  # each tree dropped after its parse, as the tool does
            ast.parse(text)

    parse, check, ratio = paired(lambda: timed(parse_all), tool("--check", "--jobs", "1", root=copy), runs)
    options = Options(pattern="te")

    def one_file(path: Path, text: str) -> float:
        return timed(lambda: migrate_text(text, ".py", options, path.relative_to(copy)))

    slowest = max((one_file(path, text), path.name) for path, text in zip(files, sources, strict=True))
    peak = peak_memory_mb("migrate", "--check", "--pattern", "te", "--jobs", "1", str(copy))
    rows = [
        (f"baseline: ast.parse, {label} ({len(files)} .py files)", parse, ""),
        (f"tool: migrate --check, {label} .py, --jobs 1", check, f"{ratio:.2f}x ast.parse (target <= 2x)"),
        (f"tool: slowest single .py file, {label} ({slowest[1]})", slowest[0], "target < 1 s"),
    ]
    return rows, f"peak memory, migrate --check on the {label} .py files: {peak:.0f} MB (target < 200 MB)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_corpus = os.environ.get("MIGRATOR_CORPUS", str(REPO.parent / "shared" / "corpus" / "automodel"))
    parser.add_argument("--corpus", type=Path, default=Path(default_corpus))
    default_external = os.environ.get(
        "MIGRATOR_EXTERNAL_CORPUS", str(REPO.parent / "shared" / "corpus" / "external-python")
    )
    parser.add_argument("--external", type=Path, default=Path(default_external), help="non-AutoModel .py files")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale", type=int, default=10)
    args = parser.parse_args()
    if not (args.corpus / "examples").is_dir():
        raise SystemExit(f"no corpus at {args.corpus} (pass --corpus or set MIGRATOR_CORPUS)")

    import compileall

    import yaml
    from ruamel.yaml import YAML

    import migrator
    from migrator.core.settings import Settings
    from migrator.process import front_end
    from migrator.runner import worker_count

    # An installed package has its bytecode; a source checkout under PYTHONDONTWRITEBYTECODE would
    # recompile every module in every timed process, which is not what users run.
    compileall.compile_dir(Path(migrator.__file__).parent, quiet=1)

    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="migrator-bench-") as tmp:
        work = Path(tmp)
        one = work / "x1"
        copy_tree(args.corpus / "examples", one / "examples", YAML_SUFFIXES)
        scaled = work / f"x{args.scale}"
        replicate(one, scaled, args.scale)
        yaml_files = files_under(one, YAML_SUFFIXES)
        texts = [path.read_text() for path in yaml_files]

        read = median_time(lambda: [path.read_bytes() for path in yaml_files], args.runs)
        rt = YAML(typ="rt")
        ruamel = median_time(lambda: [rt.load(text) for text in texts], max(1, args.runs // 2))

        def c_parse() -> float:
            return timed(lambda: [yaml.load(text, Loader=yaml.CSafeLoader) for text in texts])

        def c_parse_process() -> float:
            command = [sys.executable, "-c", C_PARSE_PROCESS, *map(str, yaml_files)]
            return timed(lambda: subprocess.run(command, check=True))

        def tool(*options: str, root: Path = one, prepare: Callable[[], object] | None = None) -> Callable[[], float]:
            return lambda: timed(lambda: run_tool("migrate", "--pattern", "te", *options, str(root)), prepare)

        fresh = work / "write"

        def fresh_copy() -> None:
            shutil.rmtree(fresh, ignore_errors=True)
            copy_tree(one, fresh, YAML_SUFFIXES)

        jobs = supports("--jobs")
        job_args = (lambda n: ["--jobs", str(n)]) if jobs else (lambda n: [])
        version = median_time(lambda: run_tool("--version"), args.runs)
        c_time, check1, check_ratio = paired(c_parse, tool("--check", *job_args(1)), args.runs)
        _, write1, write_ratio = paired(c_parse, tool(*job_args(1), root=fresh, prepare=fresh_copy), args.runs)
        _, check_auto, check_auto_ratio = paired(c_parse, tool("--check"), args.runs)
        _, write_auto, write_auto_ratio = paired(c_parse, tool(root=fresh, prepare=fresh_copy), args.runs)
        c_process, _, check_process_ratio = paired(c_parse_process, tool("--check", *job_args(1)), args.runs)
        _, _, write_process_ratio = paired(
            c_parse_process, tool(*job_args(1), root=fresh, prepare=fresh_copy), args.runs
        )
        workers = worker_count(Settings((str(one),)), len(yaml_files))  # as the tool decides it
        _, check_scaled, scale_ratio = paired(
            tool("--check", *job_args(1)), tool("--check", *job_args(1), root=scaled), args.runs
        )
        rows += [
            (f"baseline: raw read ({len(yaml_files)} files)", read, ""),
            ("baseline: C YAML parse (CSafeLoader), in-process", c_time, ""),
            ("baseline: C YAML parse, a whole process (start-up, imports, reads)", c_process, ""),
            ("baseline: ruamel round-trip load", ruamel, ""),
            ("tool: migrate --version (start-up)", version, ""),
            (
                "tool: migrate --check, x1, --jobs 1",
                check1,
                f"{check_ratio:.2f}x C parse (target <= 1.5x); {check_process_ratio:.2f}x the whole-process parse",
            ),
            (
                "tool: migrate (write), x1, --jobs 1",
                write1,
                f"{write_ratio:.2f}x C parse (target <= 2x); {write_process_ratio:.2f}x the whole-process parse",
            ),
            (f"tool: migrate --check, x1, default jobs ({workers})", check_auto, f"{check_auto_ratio:.2f}x C parse"),
            (f"tool: migrate (write), x1, default jobs ({workers})", write_auto, f"{write_auto_ratio:.2f}x C parse"),
            (
                f"tool: migrate --check, x{args.scale}, --jobs 1",
                check_scaled,
                f"{scale_ratio:.2f}x the x1 run (target <= {args.scale * 1.05:.1f}x)",
            ),
        ]
        if jobs:
            check_scaled_2, _, speedup = paired(
                tool("--check", "--jobs", "2", root=scaled), tool("--check", "--jobs", "1", root=scaled), args.runs
            )
            rows.append(
                (
                    f"tool: migrate --check, x{args.scale}, --jobs 2",
                    check_scaled_2,
                    f"{speedup:.2f}x faster than --jobs 1 (target >= 1.6x)",
                )
            )
        peak = peak_memory_mb("migrate", "--check", "--pattern", "te", str(scaled))

        memory_lines = []
        for label, source in (("AutoModel corpus", args.corpus), ("external corpus", args.external)):
            if front_end(".py") is not None and files_under(source, (".py",)):
                py_rows, memory = python_rows(
                    label, source, work / label.replace(" ", "-"), tool, max(1, args.runs // 2)
                )
                rows += py_rows
                memory_lines.append(memory)

    width = max(len(name) for name, _, _ in rows)
    print(f"{'measurement':<{width}}  {'median':>10}  ratio")
    for name, seconds, ratio in rows:
        print(f"{name:<{width}}  {seconds * 1000:>8.1f}ms  {ratio}")
    print(f"peak memory, migrate --check x{args.scale}: {peak:.0f} MB (target < 200 MB)")
    print("\n".join(memory_lines))
    print(f"start-up: {version * 1000:.0f} ms (target < 150 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
