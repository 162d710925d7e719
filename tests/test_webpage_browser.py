"""The voters' page in a real browser (Debian's chromium, driven by Playwright): filter by party, search by
name, open a finding's evidence, a phone-sized screen, and a scraped name that is HTML rendering as text."""

import json
import os
import shutil
from pathlib import Path

import pytest

from pipeline.settings import Settings
from tests.support import reset_pipeline_env, run_pipeline, serve_as_live

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
XSS_NAME = "<img src=x onerror=alert(1)>"

if not CHROMIUM:
    if os.environ.get("CI"):
        pytest.fail("CI must provide chromium (installed by .ci/run)", pytrace=False)
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright


def _add_hostile_candidate(recordings: Path) -> None:
    """An invented candidate whose name is HTML, with a declared conviction so she appears on the page."""
    listing = recordings / "jne" / "lists" / "2-1.json"
    doc = json.loads(listing.read_text(encoding="utf-8"))
    doc["data"].append(
        {
            "idOrgPol": 99002,
            "txNom": XSS_NAME,
            "txApePat": "EJEMPLO",
            "txApeMat": "SIMULADO",
            "txOrgPol": "ALIANZA EJEMPLO",
            "txDocId": "99000099",
            "txEstCand": "INSCRITO",
            "nuPos": 8,
            "idHojaVida": 990099,
        }
    )
    listing.write_text(json.dumps(doc), encoding="utf-8")
    hv = json.loads((recordings / "jne" / "hoja-vida" / "990005.json").read_text(encoding="utf-8"))
    for section in ("sentenciaPenal", "sentenciaObliga"):
        for item in hv[section]:
            item["idHojaVida"] = 990099
            item["idHvSentenciaPenal" if section == "sentenciaPenal" else "idHvSentenciaObliga"] = 9900991
    (recordings / "jne" / "hoja-vida" / "990099.json").write_text(json.dumps(hv), encoding="utf-8")
    index = json.loads((recordings / "jne" / "index.json").read_text(encoding="utf-8"))
    index["routes"].append(
        {
            "method": "GET",
            "path": "/candidato/hoja-vida",
            "query": {"IdHojaVida": "990099"},
            "body": None,
            "status": 200,
            "file": "hoja-vida/990099.json",
        }
    )
    (recordings / "jne" / "index.json").write_text(json.dumps(index), encoding="utf-8")


@pytest.fixture(scope="module")
def page_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    from pipeline.settings import RECORDINGS_DIR

    mp = pytest.MonkeyPatch()
    base = tmp_path_factory.mktemp("web")
    reset_pipeline_env(mp, base / "data")
    recordings = base / "recordings"
    shutil.copytree(RECORDINGS_DIR, recordings)
    _add_hostile_candidate(recordings)
    with serve_as_live(mp, recordings):
        settings = Settings.from_env()
        assert run_pipeline(settings, ["EG2026"])
    mp.undo()
    return (settings.published_dir / "current" / "web" / "index.html").as_uri()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def _open(browser, url: str, **context):
    page = browser.new_page(**context)
    problems: list[str] = []
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(url)
    return page, problems


def test_filter_search_and_evidence(browser, page_url: str) -> None:
    page, problems = _open(browser, page_url, viewport={"width": 1100, "height": 1300})
    total = page.locator(".finding").count()
    assert total >= 5 and page.locator("#count").text_content() == f"{total} hallazgos"

    page.select_option("#f-party", "ALIANZA EJEMPLO")
    parties = page.locator(".finding .who").all_text_contents()
    assert parties and all(text.startswith("ALIANZA EJEMPLO") for text in parties) and len(parties) < total
    page.select_option("#f-party", "")

    page.fill("#search", "ejemplo prueba")
    assert page.locator(".finding .name").all_text_contents() == ["Ana Lucía Ejemplo Prueba"]
    card = page.locator(".finding").first
    assert "ESCAÑO VACÍO" in card.locator(".badge").text_content().upper()
    card.locator("summary").click()
    evidence = card.locator(".evidence-list")
    assert evidence.is_visible()
    assert "99001-2025-0-5001-JR-PE-01" in evidence.text_content()
    assert card.locator(".evidence-list a").get_attribute("href").startswith("https://")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "webpage-evidence.png"), full_page=True)
    assert problems == []


def test_scraped_html_renders_as_text(browser, page_url: str) -> None:
    page, problems = _open(browser, page_url)
    page.fill("#search", "onerror")
    names = page.locator(".finding .name").all_text_contents()
    assert names and all(XSS_NAME in name for name in names)
    assert page.locator("img").count() == 0
    page.wait_for_timeout(200)
    assert problems == []  # no alert() ran


def test_phone_screen(browser, page_url: str) -> None:
    page, problems = _open(browser, page_url, viewport={"width": 390, "height": 844}, is_mobile=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "webpage-phone.png"), full_page=True)
    assert problems == []
