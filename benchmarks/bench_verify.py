"""Benchmark `migrator verify` per config, after start-up, on the real AutoModel corpus, in one run.

    python benchmarks/bench_verify.py [--corpus DIR] [--runs 3]

Needs the `verify` extra. Three sets: the corpus's recipes as they are, and migrated copies on pattern `fp32`
and pattern `te`. The baseline, measured back to back with the proof in the same process, is AutoModel's own
`load_yaml_config` on the same files: the step every proof starts with. Start-up (importing torch and AutoModel)
is timed once; the first proving pass, which also imports each recipe's target modules for the first time, is
shown apart from the median of the later passes. The budget is 0.2 s per config after start-up.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import REPO, YAML_SUFFIXES, copy_tree, files_under

BUDGET_SECONDS = 0.2


def migrated_copy(corpus: Path, target: Path, pattern: str) -> Path:
    copy_tree(corpus / "examples", target / "examples", YAML_SUFFIXES)
    command = [
        sys.executable,
        "-m",
        "migrator",
        "migrate",
        "--pattern",
        pattern,
        "--no-progress",
        str(target / "examples"),
    ]
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return target / "examples"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_corpus = os.environ.get("MIGRATOR_CORPUS", str(REPO.parent / "shared" / "corpus" / "automodel"))
    parser.add_argument("--corpus", type=Path, default=Path(default_corpus))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not (args.corpus / "examples").is_dir():
        raise SystemExit(f"no corpus at {args.corpus} (pass --corpus or set MIGRATOR_CORPUS)")

    started = time.perf_counter()
    from migrator.proof.gate import shared_prover

    prover = shared_prover()
    start_up = time.perf_counter() - started
    from nemo_automodel.components.config.loader import load_yaml_config

    def load_only(files: list[Path]) -> float:
        began = time.perf_counter()
        for path in files:
            with contextlib.suppress(Exception):  # a config that does not load costs its attempt, as in the proof
                load_yaml_config(path)
        return time.perf_counter() - began

    def prove(files: list[Path]) -> float:
        began = time.perf_counter()
        for path in files:
            prover.prove_file(path, path.name)
        return time.perf_counter() - began

    print(f"start-up (import torch, AutoModel; build the prover): {start_up:.2f} s")
    print(
        f"{'set':<10} {'configs':>7} {'first pass':>11} {'proof/config':>13} {'load/config':>12} {'ratio':>6}  budget"
    )
    with tempfile.TemporaryDirectory(prefix="migrator-bench-verify-") as tmp:
        sets = {
            "original": args.corpus / "examples",
            "fp32": migrated_copy(args.corpus, Path(tmp) / "fp32", "fp32"),
            "te": migrated_copy(args.corpus, Path(tmp) / "te", "te"),
        }
        for name, root in sets.items():
            files = files_under(root, YAML_SUFFIXES)
            first = prove(files) / len(files)
            pairs = [(load_only(files), prove(files)) for _ in range(args.runs)]
            load = statistics.median(base for base, _ in pairs) / len(files)
            proof = statistics.median(value for _, value in pairs) / len(files)
            ratio = statistics.median(value / base for base, value in pairs)
            verdict = "ok" if max(first, proof) <= BUDGET_SECONDS else "OVER"
            print(
                f"{name:<10} {len(files):>7} {first * 1000:>9.1f}ms {proof * 1000:>11.1f}ms "
                f"{load * 1000:>10.1f}ms {ratio:>5.1f}x  {verdict}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
