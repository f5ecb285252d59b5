"""Helpers of the browser tests: logging in through the real form, and measuring a page with axe-core."""

from __future__ import annotations

from functools import cache
from pathlib import Path

DEMO_PASSWORD = "demo"  # noqa: S105 - the documented password of every demo account
AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


def log_in(page, login: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the real login form, as a person would."""
    page.goto("/auth/login")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


@cache
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page (its context must bypass the CSP: the script is injected inline)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    results = page.evaluate("""async () => {
        const results = await axe.run(document, {resultTypes: ["violations"]});
        return results.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
            nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary})),
        }));
    }""")
    return results


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
            lines.append("      " + (node["summary"] or "").replace("\n", "\n      "))
    return "\n".join(lines)


PAGE_WIDTHS = ((1280, 800), (375, 740))


def check_page(page, name: str, screenshots_dir) -> None:
    """axe finds nothing serious or critical at desktop and phone widths, a screenshot of each is saved to be
    looked at, and the page never scrolls sideways on the phone."""
    for width, height in PAGE_WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{name} at {width} px: serious or critical axe violations\n{describe(blocking)}"
        page.screenshot(path=str(screenshots_dir / f"{name}-{width}.png"), full_page=True)
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= 375, f"{name}: the page scrolls sideways on a 375 px phone ({scroll_width} px wide)"
    page.set_viewport_size({"width": 1280, "height": 800})
