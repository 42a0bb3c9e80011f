import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("path", "heading"),
    [("/", "The Joint Task Force on smart cities"), ("/about/", "About the Joint Task Force")],
)
def test_page_loads_shows_its_heading_and_is_accessible(
    page, assert_accessible, words, path, heading
):
    page.goto(words.path(path))
    expect(page.locator("html")).to_have_attribute("lang", words.language)
    expect(page.get_by_role("heading", level=1)).to_have_text(words(heading))
    expect(page.get_by_role("navigation", name=words("Main"))).to_be_visible()
    assert_accessible(page)


def test_skip_link_appears_on_keyboard_focus_and_moves_to_main(page, words):
    page.goto(words.path("/"))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=words("Skip to content"))
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()


def test_layout_fits_a_phone_screen(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto("/en/about/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert overflow <= 0


def test_accessibility_check_catches_a_violation(page, assert_accessible):
    page.set_content('<html lang="en"><body><main><img src="x.png"></main></body></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)
