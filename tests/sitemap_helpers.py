"""Read the sitemap the way a search engine does: the index, then every page it lists."""

import re

LOC = re.compile(r"<loc>([^<]+)</loc>")


def sitemap_pages(client):
    """The index's <loc> entries, as paths (e.g. /sitemap-news.xml?p=2)."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    assert "<sitemapindex" in xml
    return [url.removeprefix("http://testserver").replace("&amp;", "&") for url in LOC.findall(xml)]


def read_sitemap(client):
    """Every sitemap page listed in the index, joined into one string."""
    pages = []
    for path in sitemap_pages(client):
        response = client.get(path)
        assert response.status_code == 200, path
        pages.append(response.content.decode())
    return "\n".join(pages)
