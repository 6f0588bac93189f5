"""Screenshots of the app for the README, taken in Debian's headless Chromium.

    python scripts/screenshots.py [--out docs]

Runs the browser tests (``tests/test_browser.py``: the sample corpus indexed with the real
embedder, ``streamlit run ui/app.py``, Playwright) with ``DOSSIER_SCREENSHOTS`` pointing at
``--out``, so the pictures show exactly what the tests check — the chat, an opened source, the
briefing, the Library — then shrinks each PNG (narrower, fewer colours) to keep the repo small.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NAMES = ("ui-chat.png", "ui-source.png", "ui-brief.png", "ui-library.png")


def shrink(path: Path, width: int = 1100, colours: int = 96) -> int:
    """Resize ``path`` to ``width`` pixels wide and save it as a palette PNG; its new size."""
    from PIL import Image

    with Image.open(path) as img:
        rgb = img.convert("RGB")
        if rgb.width > width:
            rgb = rgb.resize((width, round(rgb.height * width / rgb.width)), Image.LANCZOS)
        rgb.quantize(colors=colours, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    return path.stat().st_size


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "docs")
    args = ap.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DOSSIER_SCREENSHOTS": str(out), "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "pytest", "-q", "-s", "-m", "browser", "tests/test_browser.py"]
    done = subprocess.run(cmd, cwd=REPO, env=env, check=False)
    for name in NAMES:
        path = out / name
        if path.exists():
            print(f"{path}  {shrink(path) / 1000:.0f} kB")
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
