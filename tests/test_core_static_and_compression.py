"""Pages arrive compressed, static files at addresses that name their content are kept a year, and there is an icon."""
import gzip
import re

import brotli
from backports import zstd

from tests.factories import make_city


def test_pages_and_styles_are_compressed_for_browsers_that_accept_it(app, client):
    with app.app_context():
        make_city()
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and page.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(page.data).decode()
    assert "Pothole" in html and "Accept-Encoding" in page.headers.get("Vary", "")
    style = re.search(r'href="(/static/tandem\.css\?v=[0-9a-f]{12})"', html).group(1)
    # a static file is sent as a stream, which goes out in Zstandard or Brotli (Chromium accepts both)
    css = client.get(style, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    decoded = {"br": brotli.decompress, "zstd": zstd.decompress}[css.headers["Content-Encoding"]](css.data)
    assert b".header-nav" in decoded and len(css.data) < len(decoded) / 2
    plain = client.get("/")
    assert "Content-Encoding" not in plain.headers and "Pothole" in plain.text


def test_static_files_at_their_digest_are_kept_a_year_and_others_revalidated(client):
    page = client.get("/").text
    style = re.search(r'href="(/static/tandem\.css\?v=[0-9a-f]{12})"', page).group(1)
    kept = client.get(style)
    assert kept.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/static/tandem.css?v=000000000000").headers["Cache-Control"] == "no-cache"
    assert client.get("/static/tandem.css").headers["Cache-Control"] == "no-cache"


def test_the_icon_is_there_where_browsers_look_and_where_pages_link_it(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    linked = re.search(r'<link rel="icon" href="([^"]+)"', client.get("/").text).group(1)
    assert client.get(linked).data == icon.data
