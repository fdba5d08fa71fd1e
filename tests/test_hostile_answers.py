"""Plain (non-streamed) answers a server or a proxy in front of it may send instead of the JSON
asked for, over a real socket on 127.0.0.1 (tests/rawserver.py): the error says what came."""

from __future__ import annotations

import pytest
from rawserver import Conn, RawServer, Request, serve_each

import edgen
from edgen import Edgen

MESSAGES = [{"role": "user", "content": "hi"}]


def answering(head: bytes, body: bytes = b"") -> RawServer:
    def answer(conn: Conn, request: Request) -> None:
        conn.send(head + b"\r\n" + body)

    return RawServer(serve_each(answer))


@pytest.mark.parametrize(
    ("head", "status"),
    [
        pytest.param(b"HTTP/1.1 204 No Content\r\n", 204, id="204"),
        pytest.param(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 0\r\n",
            200,
            id="200-empty",
        ),
    ],
)
def test_an_empty_2xx_body_is_called_empty_not_truncated(head: bytes, status: int) -> None:
    # msgspec's own words for it, "Input data was truncated", read as a cut connection.
    with answering(head) as server:
        client = Edgen(base_url=server.url, max_retries=0)
        with pytest.raises(edgen.APIResponseValidationError) as info:
            client.chat.completions.create(model="m", messages=MESSAGES)
        assert info.value.message.startswith(
            "Response body does not fit the expected type: "
            f"the server answered {status} with an empty body ["
        )
        raw = client.chat.completions.with_raw_response.create(model="m", messages=MESSAGES)
        assert raw.status_code == status
        with pytest.raises(edgen.APIResponseValidationError, match="with an empty body"):
            raw.parse()
        client.close()


def test_a_body_that_is_no_json_is_shown_with_its_content_type() -> None:
    # A server that streams whatever `stream` says, or a proxy's page under status 200.
    body = b'data: {"id": "chatcmpl-1"}\n\ndata: [DONE]\n\n'
    head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: %d\r\n" % len(
        body
    )
    with answering(head, body) as server:
        client = Edgen(base_url=server.url, max_retries=0)
        with pytest.raises(edgen.APIResponseValidationError) as info:
            client.chat.completions.create(model="m", messages=MESSAGES)
        message = info.value.message
        assert message.startswith("Response body does not fit the expected type: JSON is malformed")
        assert (
            "(content type 'text/event-stream', body starting "
            '\'data: {"id": "chatcmpl-1"}\\n\\ndata: [DONE]\\n\\n\') [POST'
        ) in message
        client.close()


def test_a_redirect_says_where_it_points() -> None:
    # A reverse proxy sending http:// to https://: not followed (see test_security.py), but
    # the address it names is the fix.
    head = (
        b"HTTP/1.1 301 Moved Permanently\r\n"
        b"location: https://user:secret@llm.example/v1/chat/completions\r\ncontent-length: 0\r\n"
    )
    with answering(head) as server:
        client = Edgen(base_url=server.url, max_retries=0)
        with pytest.raises(edgen.APIStatusError) as info:
            client.chat.completions.create(model="m", messages=MESSAGES)
        assert info.value.status_code == 301
        assert "redirected to https://***@llm.example/v1/chat/completions" in info.value.message
        assert "secret" not in str(info.value)
        assert len(server.requests) == 1
        client.close()
