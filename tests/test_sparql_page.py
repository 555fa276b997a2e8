"""The query page in a real browser: YASGUI loads, runs an example query, charts the result.

Uses the shared headless-Chromium fixture of test_browser.py (same skip/require rules).
YASGUI is installed by ``make ui``; without it the page's plain form is tested through the
Flask client in test_sparql_endpoint.py instead.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from typing import TYPE_CHECKING

import pytest

from publisher.web.http import YASGUI_STYLE_HASHES
from publisher.web.sparql.service import YASGUI
from tests.conftest import LiveServer
from tests.test_browser import browser, csp_violations, screenshot, severe_console_messages

if TYPE_CHECKING:
    from selenium.webdriver import Chrome as WebDriver

pytestmark = [pytest.mark.browser, pytest.mark.live]
__all__ = ["browser"]  # the fixture, imported so pytest finds it here


def test_yasgui_runs_an_example_and_draws_a_chart(
    browser: WebDriver, live_server: LiveServer
) -> None:
    if not YASGUI.is_file():
        message = "YASGUI is not installed: run `make ui` (npm)"
        if os.environ.get("DIPLOGRAPH_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(live_server.url + "sparql")
    wait = WebDriverWait(browser, 20)
    wait.until(lambda d: d.execute_script("return !!window.diplographYasgui"))
    assert browser.find_element("id", "sparql-form").get_attribute("hidden") is not None
    browser.execute_script(
        "[...document.querySelectorAll('[data-example]')]"
        ".find(a => a.textContent.includes('How many world leaders')).click()"
    )
    browser.execute_script("window.diplographYasgui.getTab().query()")
    wait.until(
        lambda d: d.execute_script(
            "var r = window.diplographYasgui.getTab().getYasr().results;"
            "return !!(r && r.getBindings && r.getBindings().length)"
        )
    )
    values = browser.execute_script(
        "return window.diplographYasgui.getTab().getYasr().results.getBindings()"
        ".map(b => b.value.value)"
    )
    assert values == ["26"]
    browser.execute_script("window.diplographYasgui.getTab().getYasr().selectPlugin('chart')")
    wait.until(lambda d: d.find_elements("css selector", ".yasr svg.sparql-chart rect"))
    screenshot(browser, "sparql-yasgui-chart")
    assert severe_console_messages(browser) == []


def test_yasgui_table_works_under_the_content_security_policy(
    browser: WebDriver, live_server: LiveServer
) -> None:
    """The result table writes two <style> texts (its column resizer); the policy allows
    those by hash and nothing else, so drawing and resizing log no violation."""
    _require_yasgui()
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(live_server.url + "sparql")
    wait = WebDriverWait(browser, 20)
    wait.until(lambda d: d.execute_script("return !!window.diplographYasgui"))
    browser.get_log("browser")
    browser.execute_script("window.diplographYasgui.getTab().query()")
    browser.execute_script("window.diplographYasgui.getTab().getYasr().selectPlugin('table')")
    grips = wait.until(lambda d: d.find_elements("css selector", ".grip-handle"))
    ActionChains(browser).click_and_hold(grips[0]).move_by_offset(30, 0).release().perform()
    assert (
        browser.execute_script("return [...document.querySelectorAll('head style')].length") >= 1
    )  # the resizer's rules applied
    assert csp_violations(browser) == []


def test_the_policy_allows_exactly_the_styles_yasgui_writes() -> None:
    _require_yasgui()
    script = YASGUI.read_text(encoding="utf-8")
    literals = re.findall(r"createStyle\(\w+,`([^`]*)`\)", script)
    cursors = set(re.findall(r"dragCursor:`([^`]*)`", script))
    assert len(literals) == 1 and cursors == {"col-resize"}, (literals, cursors)
    written = [literals[0], "*{cursor:col-resize!important}"]
    hashes = tuple(
        "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"
        for css in written
    )
    assert hashes == YASGUI_STYLE_HASHES


def _require_yasgui() -> None:
    if not YASGUI.is_file():
        message = "YASGUI is not installed: run `make ui` (npm)"
        if os.environ.get("DIPLOGRAPH_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
