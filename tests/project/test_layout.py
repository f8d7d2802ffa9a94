"""The layout checks of `scripts/check_layout.py`: they pass on the project, and each fails on
what it is there to catch (an import circle, a module docs/layout.md does not name)."""
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECK = [sys.executable, os.path.join(ROOT, "scripts", "check_layout.py")]


def copy(tmp_path):
    """The sources and docs/layout.md, copied to check a changed tree."""
    for folder in ["src", "crates/residue-dsp/src", "crates/residue-render/src"]:
        shutil.copytree(os.path.join(ROOT, folder), tmp_path / folder)
    (tmp_path / "docs").mkdir()
    shutil.copy(os.path.join(ROOT, "docs", "layout.md"), tmp_path / "docs" / "layout.md")
    return tmp_path


def test_no_import_circle_and_every_module_named():
    run = subprocess.run(CHECK, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "layout: 0 problems" in run.stdout


def test_an_import_circle_fails_the_check(tmp_path):
    root = copy(tmp_path)
    session = root / "src" / "session.rs"
    session.write_text(session.read_text() + "\nuse crate::params::ResidueParams;\n")
    run = subprocess.run(CHECK + ["--root", str(root)], capture_output=True, text=True)
    assert run.returncode != 0
    assert "residue: import circle between params, session" in run.stdout, run.stdout


def test_a_module_the_layout_does_not_name_fails_the_check(tmp_path):
    root = copy(tmp_path)
    (root / "crates" / "residue-dsp" / "src" / "unnamed.rs").write_text("//! A module nobody listed.\n")
    run = subprocess.run(CHECK + ["--root", str(root)], capture_output=True, text=True)
    assert run.returncode != 0
    assert "crates/residue-dsp/src/unnamed.rs is not named" in run.stdout, run.stdout
