"""A real bulk run (`python -m migrator migrate`, on a process pool) over a few thousand files, killed at random moments.

SIGKILL cannot be caught, so this proves the write path itself: after every kill each file is
byte-identical to its original or to its fully migrated version, and the only strays are temporary files
whose names no YAML tool takes for a config. Ctrl-C and SIGTERM must instead stop after the file in hand
with exit 130/143 and a summary that counts exactly the files written.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from migrator.core.settings import Options
from migrator.files import TEMP_SUFFIX, decode
from migrator.yaml.front_end import migrate_yaml
from tests.conftest import FIXTURES

FILES = 2000
KILL_TRIALS = 6
SEED = 20240606
CASES = sorted(FIXTURES.glob("*/*/input.yaml"))


def _migrated(raw: bytes) -> bytes:
    source = decode(raw)
    outcome = migrate_yaml(source.text, Options(pattern="te"))
    return source.restore(outcome.new_text) if outcome.new_text is not None else raw


class Tree:
    """FILES configs cut from the fixtures, 100 per folder, with their before and after bytes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.before: dict[Path, bytes] = {}
        self.after: dict[Path, bytes] = {}
        expected = {case: (case.read_bytes(), _migrated(case.read_bytes())) for case in CASES}
        for index in range(FILES):
            case = CASES[index % len(CASES)]
            path = root / f"d{index // 100:02}" / f"{index:04}_{case.parent.name}.yaml"
            self.before[path], self.after[path] = expected[case]
        self.changing = sum(self.before[path] != self.after[path] for path in self.before)

    def reset(self) -> None:
        for path in self.root.rglob(f"*{TEMP_SUFFIX}"):
            path.unlink()
        for path, raw in self.before.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(raw)

    def start(self) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "migrator", "migrate", "--pattern", "te", str(self.root)]
        # A session of its own, so a signal can go to the whole process group as a terminal or a CI runner sends it.
        return subprocess.Popen(
            command, cwd=self.root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )

    def check(self) -> tuple[int, int]:
        """Every file old or new (nothing else); returns (files migrated, temporary files left)."""
        migrated = 0
        for path, old in self.before.items():
            now = path.read_bytes()
            assert now in (old, self.after[path]), f"{path.name} is neither the original nor the migrated version"
            migrated += now != old
        strays = [path for path in self.root.rglob("*") if path.is_file() and path not in self.before]
        for stray in strays:
            assert stray.name.endswith(TEMP_SUFFIX) and not stray.name.endswith((".yaml", ".yml", ".py")), stray
        return migrated, len(strays)

    def wait_for_first_write(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            if any(path.read_bytes() != self.before[path] for path in list(self.before)[:50]):
                return
            time.sleep(0.005)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    return Tree(tmp_path_factory.mktemp("kill"))


def test_sigkill_at_random_moments_leaves_every_file_old_or_new(tree: Tree) -> None:
    tree.reset()
    started = time.monotonic()
    full = tree.start()
    full.communicate(timeout=300)
    duration = time.monotonic() - started
    assert tree.check() == (tree.changing, 0), "an uninterrupted run migrates everything and leaves no strays"

    rng = random.Random(SEED)
    landed_mid_run = 0
    for _ in range(KILL_TRIALS):
        tree.reset()
        process = tree.start()
        # Uniform over the run, capped so slow disks do not make the suite slow: every moment of a run
        # looks the same to the write path.
        time.sleep(rng.uniform(0.0, min(duration, 3.0)))
        os.killpg(process.pid, signal.SIGKILL)  # the main process and its pool workers
        process.communicate(timeout=60)
        migrated, strays = tree.check()
        landed_mid_run += 0 < migrated < tree.changing
        print(f"killed after {migrated}/{tree.changing} files written, {strays} temporary files left")
    assert landed_mid_run, "no kill landed while files were being written"

    completed = tree.start()  # the next run finishes the job; leftover temporaries are never picked up
    completed.communicate(timeout=300)
    assert tree.check()[0] == tree.changing


@pytest.mark.parametrize(
    ("signum", "code", "group"),
    [
        pytest.param(signal.SIGINT, 130, True, id="ctrl-c-to-the-group"),
        pytest.param(signal.SIGTERM, 143, False, id="sigterm-to-the-main-process"),
    ],
)
def test_ctrl_c_and_sigterm_stop_after_the_files_in_hand(tree: Tree, signum: int, code: int, group: bool) -> None:
    tree.reset()
    process = tree.start()
    tree.wait_for_first_write(process)
    if group:
        os.killpg(process.pid, signum)  # what Ctrl-C in a terminal does: workers get it too, and ignore it
    else:
        process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    stderr = err.decode()
    assert process.returncode == code, stderr[-2000:]
    migrated, strays = tree.check()
    assert strays == 0, "a clean stop removes or never leaves temporary files"
    assert f"interrupted by {signal.Signals(signum).name}: stopped after" in stderr
    summary = re.search(r"(\d+) files scanned: (\d+) migrated", stderr)
    assert summary is not None and int(summary.group(2)) == migrated, "the summary counts exactly the files written"
    assert int(summary.group(1)) < FILES, "the run stopped early"


def _processes_running_on(folder: Path) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and str(folder).encode() in (entry / "cmdline").read_bytes():
                pids.append(int(entry.name))
        except OSError:  # exited meanwhile
            continue
    return pids


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers die with their parent through prctl on Linux")
def test_pool_workers_do_not_outlive_a_killed_main_process(tree: Tree) -> None:
    tree.reset()
    process = tree.start()
    tree.wait_for_first_write(process)
    process.send_signal(signal.SIGKILL)  # the main process only, as the OOM killer would
    process.wait(timeout=60)
    deadline = time.monotonic() + 10
    while _processes_running_on(tree.root) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_running_on(tree.root) == [], "orphaned pool workers"
    tree.check()
