"""Which files a run processes: git's view inside a work tree, the walk elsewhere, excludes, explicit paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.core.settings import Settings
from migrator.runner import select_files
from tests.repos import CLEAN, RISKY, commit_all, make_tree

TREE = {
    "recipes/llama.yaml": RISKY,
    "recipes/nested/deeper/qwen.yml": RISKY,
    "recipes/legacy/old.yaml": RISKY,
    "recipes/notes.txt": "not a config",
    "build/generated.yaml": RISKY,  # ignored by .gitignore
    "scratch.yaml": CLEAN,  # untracked, not ignored: git would track it
    ".venv/lib/site.yaml": RISKY,  # untracked virtualenv without a .gitignore entry
    "node_modules/pkg/x.yaml": RISKY,
    ".gitignore": "build/\n*.local.yaml\n",
    "recipes/mine.local.yaml": RISKY,  # ignored by pattern
}


def _selected(root: Path, *paths: str, **settings: object) -> list[str]:
    chosen = select_files(Settings(paths or (str(root),), root=str(root), **settings))  # type: ignore[arg-type]
    return [path.relative_to(root).as_posix() if path.is_absolute() else path.as_posix() for path, _ in chosen]


@pytest.fixture(params=[True, False], ids=["git", "plain"])
def tree(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, bool]:
    return make_tree(tmp_path, TREE, git_repo=request.param), request.param


def test_folder_search_respects_gitignore_in_a_work_tree_and_skips_tool_folders(tree: tuple[Path, bool]) -> None:
    root, in_git = tree
    expected = ["recipes/legacy/old.yaml", "recipes/llama.yaml", "recipes/nested/deeper/qwen.yml", "scratch.yaml"]
    if not in_git:  # outside git nothing reads .gitignore
        expected = [
            "build/generated.yaml",
            "recipes/legacy/old.yaml",
            "recipes/llama.yaml",
            "recipes/mine.local.yaml",
            "recipes/nested/deeper/qwen.yml",
            "scratch.yaml",
        ]
    assert _selected(root) == expected


def test_tracked_and_untracked_files_both_count(tmp_path: Path) -> None:
    root = make_tree(tmp_path, TREE, git_repo=True)
    commit_all(root)
    (root / "recipes" / "new.yaml").write_text(RISKY)
    (root / "recipes" / "llama.yaml").unlink()  # tracked but deleted: nothing to read
    assert _selected(root) == [
        "recipes/legacy/old.yaml",
        "recipes/nested/deeper/qwen.yml",
        "recipes/new.yaml",
        "scratch.yaml",
    ]


def test_no_respect_gitignore_walks_the_tree(tmp_path: Path) -> None:
    root = make_tree(tmp_path, TREE, git_repo=True)
    assert "build/generated.yaml" in _selected(root, respect_gitignore=False)


@pytest.mark.parametrize(
    ("globs", "gone"),
    [
        pytest.param(("legacy",), {"recipes/legacy/old.yaml"}, id="folder name anywhere"),
        pytest.param(("recipes/nested",), {"recipes/nested/deeper/qwen.yml"}, id="folder path from the root"),
        pytest.param(("*.yml",), {"recipes/nested/deeper/qwen.yml"}, id="file name glob"),
        pytest.param(
            ("recipes/*",),
            {"recipes/legacy/old.yaml", "recipes/llama.yaml", "recipes/nested/deeper/qwen.yml"},
            id="star crosses folders",
        ),
        pytest.param(
            ("scratch.yaml", "legacy/"), {"scratch.yaml", "recipes/legacy/old.yaml"}, id="repeatable, trailing slash"
        ),
    ],
)
def test_exclude_globs_apply_in_and_out_of_git(tree: tuple[Path, bool], globs: tuple[str, ...], gone: set[str]) -> None:
    root, in_git = tree
    everything = set(_selected(root))
    if globs == ("recipes/*",) and not in_git:
        gone = gone | {"recipes/mine.local.yaml"}  # only git ignores it
    assert set(_selected(root, exclude=globs)) == everything - gone


def test_explicit_file_is_processed_even_when_excluded_or_ignored(tmp_path: Path) -> None:
    root = make_tree(tmp_path, TREE, git_repo=True)
    named = [str(root / "recipes/legacy/old.yaml"), str(root / "build/generated.yaml")]
    assert _selected(root, *named, exclude=("legacy",)) == ["recipes/legacy/old.yaml", "build/generated.yaml"]


def test_force_exclude_applies_excludes_to_explicit_files(tmp_path: Path) -> None:
    root = make_tree(tmp_path, TREE, git_repo=True)
    named = [str(root / "recipes/legacy/old.yaml"), str(root / "recipes/llama.yaml")]
    assert _selected(root, *named, exclude=("legacy",), force_exclude=True) == ["recipes/llama.yaml"]


def test_subfolder_of_a_work_tree_uses_git_and_is_relative_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_tree(tmp_path, TREE, git_repo=True)
    monkeypatch.chdir(root / "recipes")
    chosen = [
        path.as_posix() for path, _ in select_files(Settings((".",), exclude=("recipes/nested",), root=str(root)))
    ]
    assert chosen == ["legacy/old.yaml", "llama.yaml"]


def test_each_file_once_and_missing_paths_reported_in_place(tmp_path: Path) -> None:
    root = make_tree(tmp_path, TREE, git_repo=True)
    chosen = select_files(
        Settings((str(root / "recipes/llama.yaml"), str(root / "nope.yaml"), str(root / "recipes")), root=str(root))
    )
    names = [(path.name, problem is not None) for path, problem in chosen]
    assert names == [("llama.yaml", False), ("nope.yaml", True), ("old.yaml", False), ("qwen.yml", False)]


@pytest.mark.parametrize("in_git", [True, False], ids=["git", "plain"])
def test_a_folder_named_env_is_searched_unless_it_is_a_virtualenv(tmp_path: Path, in_git: bool) -> None:
    files = {
        "src/env/train.yaml": RISKY,  # a source package named env
        "env/pyvenv.cfg": "home = /usr/bin\n",  # a real virtualenv, whatever its name
        "env/lib/site.yaml": RISKY,
    }
    root = make_tree(tmp_path, files, git_repo=in_git)
    assert _selected(root) == ["src/env/train.yaml"]


def test_git_is_not_started_outside_a_work_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("git was started outside a work tree")

    make_tree(tmp_path, TREE, git_repo=False)
    monkeypatch.setattr(subprocess, "run", refuse)
    assert "build/generated.yaml" in _selected(tmp_path)  # walked: no .gitignore read


def test_a_linked_folder_inside_a_work_tree_still_follows_git(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    repo = make_tree(tmp_path / "repo", TREE, git_repo=True)
    link = tmp_path / "link"
    link.symlink_to(repo / "recipes")
    selected = _selected(tmp_path, str(link))
    assert "link/llama.yaml" in selected
    assert "link/mine.local.yaml" not in selected  # ignored by the repository's .gitignore
