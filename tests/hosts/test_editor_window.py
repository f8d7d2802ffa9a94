"""The editor in a real window: Xvfb + Mesa, the real egui editor fed by the engine running the
bundled example in real time (examples/editor_demo.rs), screenshotted at 1x and 2x. Checks the
pixels, so an empty plot, missing text or a window drawn at the wrong scale fails."""
import os
import subprocess

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT

DEMO = os.path.join(ROOT, "target", "release", "examples", "editor_demo")
# Colours of the editor's palette (src/editor/mod.rs).
OUTPUT = (92, 200, 190)
BLEED = (236, 140, 70)
HISTOGRAM = (58, 84, 110)
RECEIVING = (110, 200, 120)


def shoot(tmp_path, scale):
    assert os.path.exists(DEMO), f"{DEMO} missing: run `cargo build --release --example editor_demo`"
    w, h = int(960 * scale), int(640 * scale)
    png = tmp_path / f"editor-{scale}x.png"
    run = subprocess.run(
        ["xvfb-run", "-a", "-s", f"-screen 0 {w}x{h}x24", DEMO, "--screenshot", str(png), "--seconds", "5", "--scale", str(scale)],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, f"exit {run.returncode}: {run.stderr[-2000:]}"
    return np.asarray(Image.open(png).convert("RGB")).astype(int), png


def count(img, colour, region, tol=12):
    (y0, y1), (x0, x1) = region
    part = img[int(y0 * img.shape[0]):int(y1 * img.shape[0]), int(x0 * img.shape[1]):int(x1 * img.shape[1])]
    return int((np.abs(part - np.array(colour)).max(axis=2) <= tol).sum())


@pytest.mark.parametrize("scale", [1, 2])
def test_editor_window_shows_live_data(tmp_path, scale):
    img, png = shoot(tmp_path, scale)
    assert img.shape[:2] == (640 * scale, 960 * scale)
    px = scale * scale  # areas grow with the square of the scale
    # The spectrum region stops above its bottom edge, where empty curves would lie at the floor.
    top, spectrum = ((0.05, 0.62), (0, 1)), ((0.45, 0.75), (0, 1))
    found = {
        "mask histogram bars (transfer curve panel)": count(img, HISTOGRAM, top),
        "output curve (spectrum)": count(img, OUTPUT, spectrum),
        "bleed estimate curve (spectrum)": count(img, BLEED, spectrum),
        "'Sidechain: receiving' text": count(img, RECEIVING, ((0, 0.06), (0, 0.4)), tol=40),
    }
    print(png, found)
    # The bars' area depends on how much of the example's spectrum the masks cut in the first 5 s
    # (2359 pixels at 1x measured); no histogram draws none.
    need = {"mask histogram bars (transfer curve panel)": 1500, "output curve (spectrum)": 300, "bleed estimate curve (spectrum)": 300, "'Sidechain: receiving' text": 40}
    for what, n in found.items():
        assert n >= need[what] * px, f"{scale}x: too little {what}: {n} pixels ({png})"
    # Not a blank or single-colour frame: many distinct colours (anti-aliased text and curves).
    assert len(np.unique(img.reshape(-1, 3), axis=0)) > 500
