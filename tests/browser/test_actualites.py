"""Actualités in Debian's Chromium on the demo: `parent.colin` (Léa selected) reads Jules-Ferry's and CM2 A's
news, then Tom's school's after switching child; `prof.martin` writes and publishes a news item for CM2 A
(unique title: the demo is shared); the school's public page opens without login and shows only public news,
with its picture. axe at 1280 and 375 px, screenshots kept."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from .helpers import check_page, log_in


def test_a_parent_reads_the_news_of_the_selected_child(new_context, screenshots_dir):
    page = new_context(bypass_csp=True).new_page()
    log_in(page, "parent.colin")
    page.goto("/")
    block = page.locator('[data-widget="actualites.latest"] .actualites-latest')
    expect(block.get_by_role("link", name="Fête de l'école le samedi 20 juin")).to_be_visible()
    page.screenshot(path=str(screenshots_dir / "actualites-dashboard-1280.png"), full_page=True)
    page.goto("/apps/actualites/")
    expect(page.get_by_role("heading", level=1, name="Actualités")).to_be_visible()
    feed = page.locator(".actualites-feed")
    expect(feed.get_by_role("link", name="Fête de l'école le samedi 20 juin")).to_be_visible()
    expect(feed.get_by_role("link", name="Classe de découverte en mars")).to_be_visible()
    expect(feed.get_by_text("Portes ouvertes du collège")).to_have_count(0)
    expect(feed.get_by_text("Sortie au musée des CM1")).to_have_count(0)  # submitted, not published
    check_page(page, "actualites-feed", screenshots_dir)
    feed.get_by_role("link", name="Classe de découverte en mars").click()
    expect(page.get_by_role("heading", level=2, name="Commentaires")).to_be_visible()
    check_page(page, "actualites-item", screenshots_dir)

    page.goto("/apps/actualites/")
    selector = page.get_by_label("Enfant")
    selector.select_option(selector.locator("option", has_text="Tom").get_attribute("value"))
    page.get_by_role("button", name="Choisir").click()
    page.wait_for_load_state()
    page.goto("/apps/actualites/")
    expect(page.locator(".actualites-feed").get_by_role("link", name="Portes ouvertes du collège")).to_be_visible()
    expect(page.locator(".actualites-feed").get_by_text("Fête de l'école le samedi 20 juin")).to_have_count(0)


def test_a_teacher_publishes_a_news_item_for_his_class(new_context, screenshots_dir):
    title = f"Sortie au planétarium {uuid.uuid4().hex[:6]}"
    page = new_context(bypass_csp=True).new_page()
    log_in(page, "prof.martin")
    page.goto("/apps/actualites/ecrire")
    expect(page.get_by_role("heading", level=1, name="Écrire une actualité")).to_be_visible()
    thread = "Actualités de la classe CM2 A — Rédacteur avec mise en ligne"
    page.get_by_label("Fil d'actualités").select_option(label=thread)
    page.get_by_label("Titre").fill(title)
    page.get_by_label("Texte").fill('<p>Rendez-vous à 8 h.</p><script>alert(1)</script><p onclick="x()">Merci</p>')
    check_page(page, "actualites-write", screenshots_dir)
    page.get_by_role("button", name="Publier", exact=True).click()
    expect(page.locator(".flash--success")).to_contain_text("Actualité publiée.")
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    body = page.locator(".actualites-body").inner_html()
    assert "<script" not in body and "onclick" not in body and "Rendez-vous à 8 h." in body


def test_the_public_page_shows_the_public_news_without_login(new_context, screenshots_dir):
    page = new_context(bypass_csp=True).new_page()
    page.goto("/apps/actualites/public/0921234A")
    expect(page.get_by_role("heading", level=1, name="École élémentaire Jules-Ferry")).to_be_visible()
    expect(page.get_by_role("link", name="Fête de l'école le samedi 20 juin")).to_be_visible()
    expect(page.get_by_text("Réunion parents-enseignants")).to_have_count(0)
    picture = page.get_by_role("img", name="Affiche colorée de la fête de l'école")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.naturalWidth") > 0
    check_page(page, "actualites-public", screenshots_dir)
    assert page.context.request.get("/apps/actualites/").url.endswith("/auth/login?next=/apps/actualites/")
