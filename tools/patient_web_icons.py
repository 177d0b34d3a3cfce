"""Draw the app's PNG icons from ``icons/icon.svg`` with Chromium (run by hand when the icon changes).

Install prompts want PNGs of 192 and 512 px, and a "maskable" one whose artwork stays inside the
centre 80 % that any launcher's mask leaves visible: the same drawing on a full square, shrunk.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

ICONS = Path(__file__).resolve().parent.parent / "patient_web" / "static" / "patient_web" / "icons"


def maskable(svg: str) -> str:
    square = re.sub(r'<rect ([^>]*?) rx="\d+"', r"<rect \1", svg)
    shrunk = square.replace("<circle", '<g transform="translate(64 64) scale(0.75)"><circle', 1)
    return shrunk.replace("</svg>", "</g></svg>")


def main() -> None:
    svg = (ICONS / "icon.svg").read_text()
    jobs = [("icon-192.png", svg, 192), ("icon-512.png", svg, 512), ("icon-maskable-512.png", maskable(svg), 512)]
    with sync_playwright() as p:
        chromium = os.environ.get("GOOD_ENOUGH_BROWSER", "/usr/bin/chromium")
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for name, drawing, size in jobs:
            page = browser.new_page(viewport={"width": size, "height": size})
            sized = drawing.replace("<svg ", f"<svg width={size} height={size} ", 1)
            html = f'<html><body style="margin:0;background:transparent">{sized}</body></html>'
            page.set_content(html)
            page.screenshot(path=str(ICONS / name), omit_background=True)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
