"""Browser tests: Debian's headless Chromium, driven by Selenium, against the live server.

A reader's path through the site — home page, search for "Putin", his page, the parade,
one of its participants — with no console errors, a working skip link, and no sideways
scrolling on a phone-sized screen. Screenshots go to ``test-artifacts/`` for people to look
at. Without Chromium and chromedriver the tests skip, unless ``DIPLOGRAPH_REQUIRE_BROWSER=1``
(set by ``.ci/run``) makes a missing browser a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from publisher.config import PROJECT_ROOT
from publisher.release.layout import Release
from tests.conftest import LiveServer, start_server, stop_server
from tests.test_xss import hostile_release

if TYPE_CHECKING:
    from selenium.webdriver import Chrome as WebDriver

pytestmark = [pytest.mark.browser, pytest.mark.live]
__all__ = ["hostile_release"]  # the fixture, imported so pytest finds it here

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def _find(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name) or (name if Path(name).is_file() else None)
        if found:
            return found
    return None


def _browser_or_skip() -> tuple[str, str]:
    chromium = _find("chromium", "chromium-browser", "/usr/bin/chromium")
    driver = _find("/usr/bin/chromedriver", "chromedriver")
    try:
        import selenium  # noqa: F401
    except ImportError:
        chromium = None
    if chromium and driver:
        return chromium, driver
    message = (
        "browser tests need Debian's chromium and chromium-driver packages and selenium "
        "(apt-get install chromium chromium-driver; pip install -e '.[test]')"
    )
    if os.environ.get("DIPLOGRAPH_REQUIRE_BROWSER") == "1":
        pytest.fail(f"DIPLOGRAPH_REQUIRE_BROWSER=1 but {message}")
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    chromium, driver_path = _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_argument("--window-size=1280,900")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(300)  # axe on the whole ontology, on a busy machine
    ARTIFACTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()


def screenshot(driver: WebDriver, name: str) -> Path:
    """Save the whole page (the window grown to the page's height) as a PNG artefact."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    width = driver.get_window_size()["width"]
    driver.set_window_size(width, min(max(height, 600), 6000))
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(width, 900)
    return path


def severe_console_messages(driver: WebDriver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def csp_violations(driver: WebDriver) -> list[str]:
    """What Chromium logged as blocked by the Content-Security-Policy, at any level (the log
    is read, and so emptied: call it once per check)."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if "Content Security Policy" in entry["message"]
    ]


def test_search_putin_open_the_parade_follow_a_participant(
    browser: WebDriver, live_server: LiveServer
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    wait = WebDriverWait(driver, 20)
    driver.get(live_server.url)
    assert "Diplograph" in driver.title
    screenshot(driver, "01-home")

    box = driver.find_element(By.ID, "home-q")
    box.send_keys("Putin", Keys.ENTER)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "ol.results a")))
    screenshot(driver, "02-search-putin")
    first = driver.find_element(By.CSS_SELECTOR, "ol.results a")
    assert first.text == "Vladimir Putin"
    first.click()

    wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Vladimir Putin"))
    screenshot(driver, "03-putin")
    events = driver.find_elements(By.CSS_SELECTOR, "ol.events a")
    parades = [a for a in events if "parade" in a.text.lower()]
    assert parades, [a.text for a in events]
    parade = next((a for a in parades if a.text.lower().startswith("military parade")), parades[0])
    parade_title = parade.text
    parade.click()

    wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), parade_title))
    assert driver.find_element(By.CSS_SELECTOR, "svg.timeline")
    screenshot(driver, "04-parade")
    participants = driver.find_elements(By.CSS_SELECTOR, "ul.participants li > a")
    names = [a.text for a in participants]
    assert "Vladimir Putin" in names
    other = next(a for a in participants if a.text != "Vladimir Putin")
    name = other.text
    other.click()

    wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), name))
    assert driver.find_element(By.CSS_SELECTOR, "svg.network")
    screenshot(driver, "05-participant")
    assert severe_console_messages(driver) == []


def test_keyboard_reaches_the_skip_link_first(browser: WebDriver, live_server: LiveServer) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = browser
    driver.get(live_server.url + "search?q=pyongyang")
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = driver.switch_to.active_element
    assert focused.text == "Skip to main content"
    focused.send_keys(Keys.ENTER)
    assert driver.execute_script("return location.hash") == "#main"
    assert severe_console_messages(driver) == []


def test_pages_fit_a_phone_screen(browser: WebDriver, live_server: LiveServer) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.set_window_size(390, 844)
    try:
        for name, path in (
            ("06-phone-home", ""),
            ("07-phone-putin", "doc/person/vladimir-putin"),
            ("08-phone-ontology", "ontology"),
            ("09-phone-parade", "doc/event/2025-09-beijing-military-parade"),
        ):
            driver.get(live_server.url + path)
            overflow = driver.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 1, f"{path or 'home'} scrolls sideways by {overflow}px"
            assert driver.find_element(By.TAG_NAME, "h1").is_displayed()
            screenshot(driver, name)
        assert severe_console_messages(driver) == []
    finally:
        driver.set_window_size(1280, 900)


CSP_PAGES = (
    "",
    "search?q=putin",
    "search?type=https%3A%2F%2Fw3id.org%2Fdiplograph%2Fontology%23Person",
    "doc/person/vladimir-putin",
    "doc/event/2025-09-beijing-military-parade",
    "doc/graph/reference",
    "ontology",
    "shapes",
    "dataset",
    "downloads/",
    "sparql",
    "sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20LIMIT%203",
    "doc/person/kim-jong-il",
)


def test_pages_log_no_content_security_policy_violation(
    browser: WebDriver, live_server: LiveServer
) -> None:
    """Every kind of page works under the policy: nothing it needs is blocked."""
    browser.get_log("browser")  # forget what earlier tests left
    for path in CSP_PAGES:
        browser.get(live_server.url + path)
        assert browser.execute_script("return document.readyState") == "complete"
        assert csp_violations(browser) == [], path


def test_an_injected_inline_script_is_blocked_and_reported(
    browser: WebDriver, live_server: LiveServer
) -> None:
    """The control for the test above: a violation is blocked, and logged where it looks."""
    browser.get(live_server.url + "doc/person/vladimir-putin")
    browser.get_log("browser")
    browser.execute_script(
        "var s = document.createElement('script'); s.textContent = 'window.injected = 1';"
        "document.body.appendChild(s);"
        "var t = document.createElement('style'); t.textContent = 'body { color: red }';"
        "document.head.appendChild(t);"
    )
    assert browser.execute_script("return window.injected === undefined")
    violations = csp_violations(browser)
    assert any("script-src" in v for v in violations), violations
    assert any("style-src" in v for v in violations), violations


def test_hostile_data_runs_nothing_in_a_browser(
    browser: WebDriver, hostile_release: Release, tmp_path: Path
) -> None:
    """tests/test_xss.py's release (script and javascript: links in the data), served for
    real: no page of it has anything for the policy to block, and no link runs script."""
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    server = start_server(hostile_release, tmp_path / "hostile.log")
    try:
        browser.get_log("browser")
        for path in (
            "doc/person/mallory",
            "doc/graph/hostile",
            "dataset",
            "ontology",
            "shapes",
            "search?q=mallory",
        ):
            browser.get(server.url + path)
            for link in browser.find_elements(By.CSS_SELECTOR, "a[href]"):
                href = link.get_attribute("href") or ""
                assert href.startswith(("http://", "https://")), (path, href)
            with pytest.raises(NoAlertPresentException):
                browser.switch_to.alert.text  # noqa: B018
            assert csp_violations(browser) == [], path
    finally:
        stop_server(server)


AUDITED_PAGES = (
    ("home", ""),
    ("search", "search?q=putin"),
    ("browse", "search?type=https%3A%2F%2Fw3id.org%2Fdiplograph%2Fontology%23Person"),
    ("person", "doc/person/vladimir-putin"),
    ("parade", "doc/event/2025-09-beijing-military-parade"),
    ("claim", "doc/claim/nis-north-korean-soldiers-killed"),
    ("passage", "doc/passage/article-eaf561987a3443d8-341-557"),
    ("ontology", "ontology"),
    ("downloads", "downloads/"),
    ("not-found", "doc/person/kim-jong-il"),
)


@pytest.mark.parametrize(("name", "path"), AUDITED_PAGES, ids=[n for n, _ in AUDITED_PAGES])
def test_pages_pass_an_axe_accessibility_audit(
    browser: WebDriver, live_server: LiveServer, name: str, path: str
) -> None:
    """axe-core (bundled by axe-selenium-python, no network) finds no violation."""
    try:
        from axe_selenium_python import Axe
    except ImportError:
        if os.environ.get("DIPLOGRAPH_REQUIRE_BROWSER") == "1":
            raise
        pytest.skip("axe-selenium-python is not installed (pip install -e '.[test]')")
    browser.get(live_server.url + path)
    axe = Axe(browser)
    axe.inject()
    results = axe.run()
    violations = results["violations"]
    assert violations == [], axe.report(violations)
