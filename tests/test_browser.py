"""A real browser walks from the home page to a mention in a document."""
from __future__ import annotations

import re


from playwright import sync_api




def test_search_entity_mention(browser, server, tmp_path):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(server + "/")
    page.fill("#home-search", "Derakhshani")
    page.press("#home-search", "Enter")
    page.wait_for_url(re.compile(r"/search\?q=Derakhshani"))
    page.screenshot(path=str(tmp_path / "search.png"))

    page.locator("ul.results a", has_text="Derakhshani").first.click()
    page.wait_for_url(re.compile(r"/person/"))
    sync_api.expect(page.locator("h1")).to_contain_text("Derakhshani")
    sync_api.expect(page.locator("dd.alt-labels")).to_contain_text("Dorokshani")
    page.screenshot(path=str(tmp_path / "entity.png"), full_page=True)

    link = page.locator("a.sentence-link").first
    sync_api.expect(link.locator("mark")).to_be_visible()
    written = link.locator("mark").inner_text()  # the name as this sentence writes it
    href = link.get_attribute("href")
    anchor = href.split("#", 1)[1]
    link.click()
    page.wait_for_url(re.compile(r"/doc/.+#"))
    target = page.locator(f"#{anchor}")
    sync_api.expect(target).to_be_visible()
    sync_api.expect(target).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == anchor
    # the :target rule highlights it (a background other than the plain mention colour, and an outline)
    style = target.evaluate("e => { const s = getComputedStyle(e); return [s.backgroundColor, s.outlineStyle]; }")
    assert style[1] != "none", style
    assert written in target.inner_text() and written in ("Derakhshani", "Darakhshani", "Dorokshani", "Darakhshami")
    page.screenshot(path=str(tmp_path / "document.png"))
    print("screenshots in", tmp_path)
    page.close()


def test_map_page_draws_places(browser, server, tmp_path):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(server + "/map")
    svg = page.locator("svg.map").first
    sync_api.expect(svg).to_be_visible()
    box = svg.bounding_box()
    assert box["width"] > 600 and box["height"] > 300, box
    assert svg.locator("circle.dot").count() >= 10
    sync_api.expect(svg.locator("text", has_text="Tabriz")).to_be_visible()
    page.screenshot(path=str(tmp_path / "map.png"), full_page=True)
    print("map screenshot in", tmp_path)
    page.close()
