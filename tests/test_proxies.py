"""Which requests of edgen's own pools go through a proxy: HTTP_PROXY, HTTPS_PROXY, ALL_PROXY
and NO_PROXY are read as a plain `httpx.Client()` reads them, when the client is made.

What goes on the wire through a proxy is in test_hostile_connections.py (http://) and
test_tls.py (https://, through a CONNECT tunnel).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

import httpcore
import httpx
import pytest

from edgen import Edgen
from edgen._transport import EnvironmentProxies, LazyTransport

PROXY = "http://proxy.invalid:3128"


def _proxy_for(url: str) -> str | None:
    proxy = EnvironmentProxies.read().for_url(httpx.URL(url))
    return None if proxy is None else str(proxy.url)


@pytest.mark.parametrize(
    ("no_proxy", "url", "proxied"),
    [
        ("", "http://example.com/", True),
        ("example.com", "http://example.com/", False),
        ("example.com", "https://api.example.com/", False),
        ("example.com", "http://notexample.com/", True),
        (".example.com", "http://example.com/", True),
        (".example.com", "http://api.example.com/", False),
        ("EXAMPLE.com", "http://example.com/", False),
        ("example.com:8080", "http://example.com:8080/", False),
        ("example.com:8080", "http://example.com/", True),
        ("localhost", "http://localhost:33322/", False),
        ("localhost", "http://localhost.example.com/", True),
        ("127.0.0.1", "http://127.0.0.1:33322/", False),
        ("127.0.0.1", "http://127.0.0.2/", True),
        ("::1", "http://[::1]:33322/", False),
        ("https://example.com", "https://example.com/", False),
        ("https://example.com", "http://example.com/", True),
        ("other.org, example.com", "http://example.com/", False),
        ("*", "http://example.com/", False),
        ("other.org,*", "https://example.com/", False),
    ],
)
def test_no_proxy_entries(
    proxy_env: Callable[..., None], no_proxy: str, url: str, proxied: bool
) -> None:
    proxy_env(ALL_PROXY=PROXY, NO_PROXY=no_proxy)
    assert _proxy_for(url) == (PROXY if proxied else None)


def test_each_scheme_has_its_proxy_and_all_proxy_is_the_fallback(
    proxy_env: Callable[..., None],
) -> None:
    proxy_env(HTTP_PROXY="http-proxy.invalid:3128", ALL_PROXY="https://all-proxy.invalid")
    assert _proxy_for("http://example.com/") == "http://http-proxy.invalid:3128"
    assert _proxy_for("https://example.com/") == "https://all-proxy.invalid"
    proxy_env(HTTPS_PROXY="http://https-proxy.invalid")
    assert _proxy_for("https://example.com/") == "http://https-proxy.invalid"


def test_lower_case_names_win(proxy_env: Callable[..., None]) -> None:
    proxy_env(HTTP_PROXY="http://upper.invalid", http_proxy="http://lower.invalid")
    assert _proxy_for("http://example.com/") == "http://lower.invalid"


def test_the_environment_is_read_when_the_client_is_made(
    proxy_env: Callable[..., None],
) -> None:
    url = httpx.URL("http://example.com/v1/")
    with Edgen(base_url=url) as direct:
        proxy_env(HTTP_PROXY=PROXY)
        with Edgen(base_url=url) as proxied:
            assert isinstance(direct._http._transport, LazyTransport)
            assert isinstance(proxied._http._transport, LazyTransport)
            # Made on first use, but by the settings the client was made with.
            direct_pool = direct._http._transport.transport_for(url).pool
            proxied_pool = proxied._http._transport.transport_for(url).pool
    assert type(direct_pool) is httpcore.ConnectionPool
    assert type(proxied_pool) is httpcore.HTTPProxy


@pytest.mark.skipif(
    importlib.util.find_spec("socksio") is not None, reason="checks the error without socksio"
)
def test_a_socks_proxy_is_left_to_httpx(proxy_env: Callable[..., None]) -> None:
    # httpcore reaches SOCKS proxies only with socksio; httpx's own pool says so.
    proxy_env(ALL_PROXY="socks5://127.0.0.1:1080")
    with pytest.raises(ImportError, match="socksio"):
        Edgen(base_url="http://example.com/v1/")
