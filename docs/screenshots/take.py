"""Take the screenshots of this folder from a fresh demo (run by hand, not by CI):

    python docs/screenshots/take.py after       # writes after-<page>-<width>.png here

It builds the demo in a temporary directory, serves it, and with Debian's Chromium (Playwright) saves, at 1366 and
390 px wide, full pages cut at 2,600 px (1366) or 3,000 px (390) and reduced to 256 colours: parent.colin's
dashboard (and its arrange mode) and Mes Applis; as `direction`, the structure page, its applications page and its
Mes Applis editor. It prints each page's full height (the cut hides nothing of that figure).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDTHS = ((1366, 900, 2600), (390, 844, 3000))


def serve(work: Path) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PREAU_INSTANCE_DIR": str(work / "instance")}
    env.pop("PREAU_DATABASE_URL", None)
    database = f"sqlite:///{work / 'demo.db'}"
    preau = str(Path(sys.executable).with_name("preau"))
    subprocess.run([preau, "demo", "--no-serve", "--db", database], env=env, check=True,  # noqa: S603
                   capture_output=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([preau, "demo", "--port", str(port), "--db", database], env=env,  # noqa: S603
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _attempt in range(300):
        try:
            urllib.request.urlopen(url + "/health")  # noqa: S310 - loopback
            return process, url
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("the demo did not start")


def save(page, path: Path, cut: int) -> int:
    page.wait_for_load_state("networkidle")
    height = page.evaluate("document.documentElement.scrollHeight")
    page.screenshot(path=str(path), full_page=True)
    image = Image.open(path)
    if image.height > cut:
        image = image.crop((0, 0, image.width, cut))
    image.convert("P", palette=Image.ADAPTIVE, colors=256).save(path, optimize=True)
    print(f"{path.name}: page height {height} px")
    return height


def log_in(context, login: str):
    page = context.new_page()
    page.goto("/auth/login")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill("demo")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    return page


def main(prefix: str) -> int:
    process, url = serve(Path(tempfile.mkdtemp()))
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for width, height, cut in WIDTHS:
                def shot(page, name: str, width: int = width, cut: int = cut) -> int:
                    return save(page, HERE / f"{prefix}-{name}-{width}.png", cut)

                context = browser.new_context(base_url=url, locale="fr-FR", viewport={"width": width, "height": height})
                page = log_in(context, "parent.colin")
                page.goto("/")
                shot(page, "dashboard")
                arrange = page.get_by_role("button", name="Personnaliser")
                if arrange.count():
                    arrange.click()
                    shot(page, "dashboard-arrange")
                page.goto("/apps")
                shot(page, "mes-applis")
                context.close()
                context = browser.new_context(base_url=url, locale="fr-FR", viewport={"width": width, "height": height})
                page = log_in(context, "direction")
                page.goto("/admin/")
                href = page.locator("a[href*='/admin/structures/']").first.get_attribute("href") or ""
                structure = re.search(r"/admin/structures/(\d+)", href).group(1)
                for name, path in (("structure", ""), ("applications", "/apps"), ("mes-applis-editor", "/apps-menu")):
                    response = page.goto(f"/admin/structures/{structure}{path}")
                    if response and response.ok:
                        shot(page, name)
                context.close()
            browser.close()
    finally:
        process.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "after"))
