"""The fork shows its diff: `scripts/check_patches.py` passes on `patches/` as committed and
fails once a file differs from the published crate that `patches/README.md` does not list."""
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECK = [sys.executable, os.path.join(ROOT, "scripts", "check_patches.py")]


def test_every_file_that_differs_from_the_published_crates_is_listed():
    run = subprocess.run(CHECK, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "(listed)" in run.stdout and "NOT LISTED" not in run.stdout, run.stdout


def test_a_change_to_a_file_the_readme_does_not_list_fails_the_check(tmp_path):
    copy = tmp_path / "patches"
    shutil.copytree(os.path.join(ROOT, "patches"), copy, ignore=shutil.ignore_patterns("target"))
    lib = copy / "nice-plug-core" / "src" / "lib.rs"
    lib.write_text(lib.read_text() + "\n// an unlisted change\n")
    run = subprocess.run(CHECK + ["--patches", str(copy)], capture_output=True, text=True)
    assert run.returncode != 0, run.stdout
    assert "nice-plug-core/src/lib.rs" in run.stderr, run.stderr


def test_the_diff_is_shown():
    run = subprocess.run(CHECK + ["--diff", "src/params/boolean.rs"], capture_output=True, text=True)
    assert run.returncode == 0
    assert "+++ patches/nice-plug-core/src/params/boolean.rs" in run.stdout, run.stdout
