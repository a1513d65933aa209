"""The API's documentation page must work on an intranet: its scripts come from our static files, not a CDN."""

import re


def test_api_docs_load_nothing_from_another_host(client, users):
    client.force_login(users["dana"])
    page = client.get("/api/v1/docs").content.decode()
    assert "swagger" in page.lower()
    remote = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", page)
    assert remote == []
