"""ReplayServer: recorded responses served on 127.0.0.1 from a recordings folder built in each test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from pipeline.http.archive import Archive
from pipeline.http.client import HttpClient, HttpSettings
from pipeline.http.replay import ReplayServer, load_routes
from pipeline.http.request import Request


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy from the environment may reroute the loopback requests."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")


def write_source(root: Path, name: str, routes: list[dict[str, Any]], files: dict[str, bytes]) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    for file_name, content in files.items():
        (folder / file_name).write_bytes(content)
    (folder / "index.json").write_text(json.dumps({"routes": routes}), encoding="utf-8")


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("replay") / "recordings"
    write_source(
        root,
        "jne",
        [
            {
                "method": "GET",
                "path": "/api/candidatos",
                "query": {"page": 1, "q": "Lima"},
                "file": "page1.json",
            },
            {"method": "GET", "path": "api/candidatos/", "query": {"page": 2}, "file": "page2.json"},
            {
                "method": "POST",
                "path": "/api/buscar",
                "body": {"tipo": "A", "ids": [1, 2]},
                "file": "buscar_a.json",
            },
            {
                "method": "POST",
                "path": "/api/buscar",
                "body": {"tipo": "B", "ids": [1, 2]},
                "file": "buscar_b.json",
            },
            {"method": "post", "path": "/api/cualquiera", "file": "any.json"},
            {"path": "/caido", "status": 503, "content_type": "text/html", "file": "caido.html"},
        ],
        {
            "page1.json": b'{"page": 1}',
            "page2.json": b'{"page": 2}',
            "buscar_a.json": b'{"answer": "A"}',
            "buscar_b.json": b'{"answer": "B"}',
            "any.json": b'{"answer": "any"}',
            "caido.html": b"<h1>mantenimiento</h1>",
        },
    )
    write_source(
        root,
        "congreso",
        [{"path": "/", "content_type": "text/html", "file": "home.html"}],
        {"home.html": b"<p>Pleno</p>"},
    )
    return root


@pytest.fixture(scope="module")
def server(recordings: Path) -> Iterator[ReplayServer]:
    # One server per module: it is stateless, and each stop() waits out serve_forever's 0.5 s poll.
    with ReplayServer(recordings) as replay:
        yield replay


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def test_binds_loopback_only(server: ReplayServer) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")


def test_get_matches_path_and_query(server: ReplayServer, http: requests.Session) -> None:
    url = server.base_url + "/jne/api/candidatos"

    first = http.get(url, params={"q": "Lima", "page": 1})
    second = http.get(url, params={"page": 2})

    assert (first.status_code, first.content) == (200, b'{"page": 1}')
    assert first.headers["Content-Type"] == "application/json; charset=utf-8"
    assert (second.status_code, second.content) == (200, b'{"page": 2}')


@pytest.mark.parametrize(
    "params",
    [{"page": 1}, {"page": 1, "q": "Cusco"}, {"page": 1, "q": "Lima", "extra": "x"}, {}, {"page": 3}],
)
def test_query_must_match_exactly(server: ReplayServer, http: requests.Session, params: dict) -> None:
    response = http.get(server.base_url + "/jne/api/candidatos", params=params)
    assert response.status_code == 404


def test_paths_are_normalised_on_both_sides(server: ReplayServer, http: requests.Session) -> None:
    # index path "api/candidatos/" (no leading slash, trailing slash) and a request with a trailing slash
    response = http.get(server.base_url + "/jne/api/candidatos/", params={"page": 2})
    assert response.content == b'{"page": 2}'


def test_each_source_is_mounted_at_its_folder(server: ReplayServer, http: requests.Session) -> None:
    response = http.get(server.base_url + "/congreso/")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html"
    assert response.text == "<p>Pleno</p>"
    assert http.get(server.base_url + "/api/candidatos", params={"page": 2}).status_code == 404


def test_two_post_routes_on_one_path_answer_by_body(server: ReplayServer, http: requests.Session) -> None:
    url = server.base_url + "/jne/api/buscar"

    a = http.post(url, json={"ids": [1, 2], "tipo": "A"})
    b = http.post(url, data=b'{"tipo":"B",  "ids":[1,2]}', headers={"Content-Type": "application/json"})
    other = http.post(url, json={"tipo": "C", "ids": [1, 2]})
    empty = http.post(url)

    assert (a.status_code, a.json()) == (200, {"answer": "A"})
    assert (b.status_code, b.json()) == (200, {"answer": "B"})
    assert other.status_code == 404
    assert empty.status_code == 404


def test_route_without_body_matches_any_body(server: ReplayServer, http: requests.Session) -> None:
    url = server.base_url + "/jne/api/cualquiera"
    assert http.post(url, json={"x": 1}).json() == {"answer": "any"}
    assert http.post(url).json() == {"answer": "any"}


def test_method_must_match(server: ReplayServer, http: requests.Session) -> None:
    assert http.get(server.base_url + "/jne/api/buscar").status_code == 404
    assert http.post(server.base_url + "/jne/api/candidatos", params={"page": 2}).status_code == 404


def test_recorded_status_and_content_type_are_served(server: ReplayServer, http: requests.Session) -> None:
    response = http.get(server.base_url + "/jne/caido")
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "text/html"
    assert response.content == b"<h1>mantenimiento</h1>"


def test_unmatched_request_gets_404_naming_it(server: ReplayServer, http: requests.Session) -> None:
    get = http.get(server.base_url + "/jne/api/nada", params={"id": 7})
    post = http.post(server.base_url + "/jne/api/buscar", json={"tipo": "Z"})

    assert get.status_code == 404
    assert get.text == "no recorded response for GET /jne/api/nada?id=7"
    assert post.status_code == 404
    assert post.text == "no recorded response for POST /jne/api/buscar"


def test_route_naming_a_missing_file_fails_at_load_time(tmp_path: Path) -> None:
    root = tmp_path / "recordings"
    write_source(
        root,
        "onpe",
        [{"path": "/ok", "file": "ok.json"}, {"path": "/gone", "file": "gone.json"}],
        {"ok.json": b"{}"},
    )

    with pytest.raises(FileNotFoundError, match="gone.json"):
        load_routes(root)
    with pytest.raises(FileNotFoundError, match="/gone"):
        ReplayServer(root)


def test_load_routes_defaults(recordings: Path) -> None:
    routes = {(r.method, r.path, r.file.name): r for r in load_routes(recordings)}

    caido = routes[("GET", "/jne/caido", "caido.html")]
    assert caido.status == 503
    assert caido.query == {}
    assert caido.body is None
    page1 = routes[("GET", "/jne/api/candidatos", "page1.json")]
    assert page1.query == {"page": "1", "q": "Lima"}  # query values compared as strings
    assert page1.status == 200
    assert page1.content_type == "application/json; charset=utf-8"
    assert ("POST", "/jne/api/cualquiera", "any.json") in routes  # method upper-cased
    assert ("GET", "/congreso", "home.html") in routes


def test_recordings_travel_through_the_http_client(server: ReplayServer, tmp_path: Path) -> None:
    settings = HttpSettings(
        user_agent="replay-test",
        timeout_s=5,
        requests_per_second=1000,
        max_retries=0,
        backoff_factor=0.01,
        backoff_jitter=0.0,
    )
    client = HttpClient(settings, Archive(tmp_path / "archive"))
    try:
        results = client.fetch_many(
            [
                Request("POST", server.base_url + "/jne/api/buscar", json_body={"tipo": "B", "ids": [1, 2]}),
                Request("GET", server.base_url + "/jne/api/candidatos", params={"page": 1, "q": "Lima"}),
                Request("GET", server.base_url + "/jne/missing"),
            ]
        )
    finally:
        client.close()

    assert [f.status for f in results] == [200, 200, 404]
    assert results[0].content == b'{"answer": "B"}'
    assert results[1].content == b'{"page": 1}'
    assert results[2].describe_failure() == f"GET {server.base_url}/jne/missing: HTTP 404"
    assert client.archive.get(results[0].sha256) == results[0].content
