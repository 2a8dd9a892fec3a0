"""Make the README's screenshots from the bundled example (synthetic Eastbrook data).

Runs the demo into a temporary folder, opens the interactive map (showing
dementia) and the gap cards in headless Chromium, and saves
``docs/map.png`` and ``docs/gap-card.png``. Needs Debian's ``chromium`` and
``chromium-driver`` and the test extras (selenium).

    .venv/bin/python examples/make_screenshots.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import asset_map
from asset_map.demo import run_demo, write_demo_outputs

DOCS = Path(__file__).resolve().parent.parent / "docs"


def browser(width: int, height: int):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", f"--window-size={width},{height}",
                "--hide-scrollbars"):
        opts.add_argument(arg)
    opts.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ws = asset_map.Workspace(tmp / "demo.gpkg")
        run_demo(ws)
        write_demo_outputs(ws, tmp / "out")
        driver = browser(1280, 800)
        try:
            driver.get((tmp / "out" / "map.html").as_uri())
            driver.execute_script("assetMap.show('dementia')")
            driver.save_screenshot(str(DOCS / "map.png"))
            cards = tmp / "out" / "cards.html"
            if cards.exists():
                driver.set_window_size(900, 1200)
                driver.get(cards.as_uri())
                driver.save_screenshot(str(DOCS / "gap-card.png"))
        finally:
            driver.quit()
    print(f"wrote {DOCS / 'map.png'}" + (f" and {DOCS / 'gap-card.png'}" if (DOCS / "gap-card.png").exists() else ""))


if __name__ == "__main__":
    main()
