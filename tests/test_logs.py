"""EDGEN_LOG output (through real processes against an emulator) and redact_url."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from edgen._logs import redact_url

REPO_ROOT = Path(__file__).resolve().parents[1]

# -- EDGEN_LOG ---------------------------------------------------------------------------

# One request to an emulator, with the application's logging.basicConfig() called before
# the client is made, after it, after it with a log file, or not at all.
_APP = textwrap.dedent(
    """
    import logging, sys
    from edgen import Edgen
    from edgen.testing import EdgenEmulator

    when, *log_file = sys.argv[1:]
    if when == "before":
        logging.basicConfig()
    with EdgenEmulator("127.0.0.1", 0) as server:
        with Edgen(base_url=server.url, max_retries=0) as client:
            if when == "after":
                logging.basicConfig(filename=log_file[0] if log_file else None)
            client.misc.version.create()
    """
)

_REQUEST = "/misc/version (attempt 1) headers="  # logged at DEBUG
_RESPONSE = '/misc/version "200 OK"'  # logged at INFO


def _app(*args: str, edgen_log: str = "debug") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDGEN_")}
    env.update(EDGEN_LOG=edgen_log, PYTHONPATH=str(REPO_ROOT), PYTHONIOENCODING="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", _APP, *args],
        check=False,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    return result


def _lines(text: str, part: str) -> list[str]:
    return [line for line in text.splitlines() if part in line]


# The request's line and the response's line, each printed exactly once.
def _once(stderr: str) -> tuple[str, str]:
    requests, responses = _lines(stderr, _REQUEST), _lines(stderr, _RESPONSE)
    assert (len(requests), len(responses)) == (1, 1), stderr
    return requests[0], responses[0]


def test_edgen_log_prints_to_stderr_without_logging_configured() -> None:
    stderr = _app("never").stderr
    request, response = _once(stderr)
    edgen_format = r"\[\d{4}-\d\d-\d\d [\d:,]+ - edgen:\d+ - %s\] %s GET http://127.0.0.1:"
    assert re.match(edgen_format % ("DEBUG", "Request:"), request)
    assert re.match(edgen_format % ("INFO", "HTTP Request:"), response)


def test_edgen_log_info_leaves_out_debug_lines() -> None:
    stderr = _app("never", edgen_log="info").stderr
    assert len(_lines(stderr, _RESPONSE)) == 1
    assert not _lines(stderr, _REQUEST)


@pytest.mark.parametrize("when", ["before", "after"])
def test_edgen_log_prints_once_with_the_apps_logging(when: str) -> None:
    # Printed by the application's handler, in its format, and not again by edgen's.
    stderr = _app(when).stderr
    request, response = _once(stderr)
    assert request.startswith("DEBUG:edgen:Request: GET http://127.0.0.1:")
    assert response.startswith("INFO:edgen:HTTP Request: GET http://127.0.0.1:")


def test_edgen_log_goes_to_the_apps_log_file(tmp_path: Path) -> None:
    log_file = tmp_path / "app.log"
    stderr = _app("after", str(log_file)).stderr
    logged = log_file.read_text(encoding="utf-8")
    assert len(_lines(logged, "DEBUG:edgen:Request: GET")) == 1
    assert len(_lines(logged, "INFO:edgen:HTTP Request: GET")) == 1
    assert not _lines(stderr, _REQUEST) and not _lines(stderr, _RESPONSE)


# -- redact_url ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://user:secret@127.0.0.1:1/v1/", "http://***@127.0.0.1:1/v1/"),
        ("https://key@host/v1", "https://***@host/v1"),
        ("http://u:p@ss:w@rd@host/v1?q=a@b#c@d", "http://***@host/v1?q=a@b#c@d"),
        ("http://u:p@host:99999/v1", "http://***@host:99999/v1"),  # a port httpx refuses
        (" http://u:p@host /v1\n", " http://***@host /v1\n"),
        ("u:p@host:1/v1", "***@host:1/v1"),  # no scheme
        ("http://u:p@host", "http://***@host"),
        ("http://127.0.0.1:33322/v1/", "http://127.0.0.1:33322/v1/"),
        ("http://host/v1/a@b", "http://host/v1/a@b"),
        ("http://host?next=a@b", "http://host?next=a@b"),
        ("http://host#a@b", "http://host#a@b"),
        ("http://host/a//b@c", "http://host/a//b@c"),
        ("", ""),
        ("not a url", "not a url"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_redact_url_of_an_httpx_url() -> None:
    url = httpx.URL("http://user:p@ss@127.0.0.1:1/v1/")
    assert url.password == "p@ss"
    assert redact_url(url) == "http://***@127.0.0.1:1/v1/"
    assert redact_url(httpx.URL("http://127.0.0.1:1/v1/")) == "http://127.0.0.1:1/v1/"
    assert redact_url(url.join("chat/completions")) == "http://***@127.0.0.1:1/v1/chat/completions"


_ANY_BUT_SEPARATORS = st.text(st.characters(blacklist_characters="/?#"))
_HOST = st.text(st.characters(blacklist_characters="@/?#"))
_REST = st.tuples(st.sampled_from("/?#"), st.text()).map("".join) | st.just("")


@given(st.sampled_from(["http", "https", ""]), _ANY_BUT_SEPARATORS, _HOST, _REST)
@example("http", "user:secret", "127.0.0.1:99999", "/v1")
@example("http", "u:p@ss", "host", "/v1/@x?a=@#@")
@example("", "user:pw", "", "//x")  # no scheme, no host: the `//` is no authority marker
def test_redact_url_masks_all_the_userinfo(
    scheme: str, userinfo: str, host: str, rest: str
) -> None:
    start = f"{scheme}://" if scheme else ""
    assert redact_url(f"{start}{userinfo}@{host}{rest}") == f"{start}***@{host}{rest}"


@given(st.sampled_from(["http://", "https://"]), _HOST, _REST)
def test_redact_url_leaves_urls_without_userinfo_alone(start: str, host: str, rest: str) -> None:
    assert redact_url(start + host + rest) == start + host + rest


_USERINFO = st.text(
    st.characters(codec="ascii", categories=["L", "N", "P", "S"], exclude_characters="/?#"),
    min_size=1,
)


@given(_USERINFO, st.text(max_size=20))
@example(userinfo="0", path="A:@")  # joined into "a:@": a scheme, no authority, no userinfo
def test_redact_url_of_any_httpx_url_with_userinfo(userinfo: str, path: str) -> None:
    # Shown as the same URL without its userinfo would be, with `***@` in its place.
    try:
        url = httpx.URL(f"http://{userinfo}@127.0.0.1:1/v1/").join(path)
    except httpx.InvalidURL:
        return
    without = url.copy_with(username=None, password=None)
    assert redact_url(url) == str(without).replace("http://", "http://***@", 1)


# -- credentials in the base URL stay out of reprs, logs and errors ----------------------

_SECRET_URL = "http://user:s3cret@127.0.0.1:1/v1/"


def test_client_repr_masks_the_base_urls_password() -> None:
    from edgen import AsyncEdgen, Edgen

    for client_class in (Edgen, AsyncEdgen):
        client = client_class(base_url=_SECRET_URL)
        assert repr(client).startswith(
            f"<{client_class.__name__} base_url='http://***@127.0.0.1:1/v1/'"
        )
        assert "s3cret" not in repr(client)


@pytest.mark.parametrize(
    "base_url",
    [
        "http://user:s3cret@127.0.0.1:99999/v1/",  # port out of range
        "http://user:s3cret@127.0.0.1:1/v1/?x=1",  # a query
        "user:s3cret@127.0.0.1:1/v1/",  # no scheme
        "http://user:s3cret@127.0.0.1:1/v 1/",  # whitespace
        "http://user:s3cret@127.0.0.1:port/v1/",  # not a port
    ],
)
def test_base_url_errors_mask_the_password(base_url: str) -> None:
    from edgen import Edgen

    with pytest.raises(ValueError, match=r"\*\*\*@127\.0\.0\.1") as info:
        Edgen(base_url=base_url)
    assert "s3cret" not in str(info.value)


def test_request_retry_and_response_logs_mask_the_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import respx

    from edgen import Edgen

    caplog.set_level("DEBUG", logger="edgen")
    with respx.mock(base_url="http://127.0.0.1:1/v1/") as mock:
        route = mock.get("misc/version")
        route.side_effect = [
            httpx.Response(503, headers={"retry-after-ms": "1"}),
            httpx.Response(200, json={"major": 0, "minor": 1, "patch": 0, "build": ""}),
        ]
        with Edgen(base_url=_SECRET_URL, max_retries=1) as client:
            raw = client.misc.version.with_raw_response.create()
    logged = [record.getMessage() for record in caplog.records]
    url = "http://***@127.0.0.1:1/v1/misc/version"
    assert [m.split(" (attempt")[0].split(" in 0.")[0] for m in logged] == [
        f"Request: GET {url}",
        f'HTTP Request: GET {url} "503 Service Unavailable"',
        f"Retrying GET {url}",
        f"Request: GET {url}",
        f'HTTP Request: GET {url} "200 OK"',
    ]
    assert all("s3cret" not in message for message in logged), logged
    # The password was still sent, as the server's Basic credentials.
    assert route.calls.last.request.headers["authorization"].startswith("Basic ")
    assert "s3cret" not in repr(raw) and "***@127.0.0.1" in repr(raw)
