"""VIB_PROXY_HOPS: behind that many proxies, the client's address and scheme come from the headers the
proxies add, and from nothing a client adds before them."""

import pytest
from flask import request

from tests.conftest import APP_CONFIG
from vib import create_app


def app_seeing(tmp_path, hops: int | None):
    settings = {"VIB_HOME": tmp_path / "home", **APP_CONFIG}
    if hops is not None:
        settings["VIB_PROXY_HOPS"] = hops
    app = create_app(settings)
    app.add_url_rule("/test/who", "test_who", lambda: {"address": request.remote_addr, "scheme": request.scheme})
    return app


FORWARDED = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7", "X-Forwarded-Proto": "https"}


def test_behind_one_proxy_the_address_is_the_one_it_added(tmp_path):
    seen = app_seeing(tmp_path, 1).test_client().get("/test/who", headers=FORWARDED).json
    # 203.0.113.9 is what the client claimed; 198.51.100.7 is what the proxy saw
    assert seen == {"address": "198.51.100.7", "scheme": "https"}


@pytest.mark.parametrize("hops", [None, 0])
def test_by_default_no_forwarded_header_is_believed(tmp_path, hops):
    seen = app_seeing(tmp_path, hops).test_client().get("/test/who", headers=FORWARDED).json
    assert seen == {"address": "127.0.0.1", "scheme": "http"}
