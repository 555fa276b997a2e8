"""The query page in a real browser: YASGUI loads, runs an example query, charts the result.

Uses the shared headless-Chromium fixture of test_browser.py (same skip/require rules).
YASGUI is installed by ``make ui``; without it the page's plain form is tested through the
Flask client in test_sparql_endpoint.py instead.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from publisher.web.sparql.service import YASGUI
from tests.conftest import LiveServer
from tests.test_browser import browser, screenshot, severe_console_messages

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
