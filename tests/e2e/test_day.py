"""A person's day in Clientele's web UI, in Russian, in one shared browser.

The steps run in file order and build on each other (first run, sign in, contacts,
search, notes, edit, list, escaping, delete); after a failing step the rest are
skipped (the final same-origin check still runs).  Page contract: ids and classes as agreed with the UI (see each step).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from browsing import fill, path_of, replaced, visible, wait_for_path
from conftest import ADMIN, assert_same_origin, axe_check, screenshot, wait

pytestmark = pytest.mark.incremental

UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
RECORD_PATH = re.compile(rf"^/contacts/({UUID})/?$")

ANNA = {"first_name": "Анна", "last_name": "Петрова", "phone_mobile": "8 (912) 345-67-89",
        "email": "anna.petrova@example.test"}
ANNA_NEW_LAST_NAME = "Петрова-Соколова"
NOTE = "Позвонить в пятницу: обсудить договор поставки"
EVIL = {"first_name": "<script>alert(1)</script>", "last_name": "<b>Bold</b>"}

state: dict[str, str] = {}  # ids of records made by earlier steps


# --------------------------------------------------------------------------
# small helpers


def submit_and_wait_for_new_page(drv: WebDriver, button_css: str) -> None:
    """Click a submit button and wait until the old page is gone."""
    old_html = drv.find_element(By.TAG_NAME, "html")
    visible(drv, button_css).click()
    wait(drv).until(replaced(old_html))


def check_page(drv: WebDriver, name: str) -> None:
    screenshot(drv, name)
    axe_check(drv, name)


def assert_no_alert(drv: WebDriver) -> None:
    try:
        alert = drv.switch_to.alert
        text = alert.text
    except NoAlertPresentException:
        return
    alert.dismiss()
    raise AssertionError(f"a JavaScript alert opened (text {text!r}): markup was not escaped")


def link_to(drv: WebDriver, scope_css: str, path: str) -> WebElement | None:
    for a in drv.find_elements(By.CSS_SELECTOR, f"{scope_css} a[href]"):
        if urlsplit(a.get_attribute("href") or "").path.rstrip("/") == path:
            return a
    return None


def field_error_next_to(drv: WebDriver, field_id: str) -> str | None:
    """Text of a .field-error that belongs to #field_id: named by aria-describedby, or in the
    smallest container that holds the field and an error but no other form field."""
    return drv.execute_script(
        """
        const input = document.getElementById(arguments[0]);
        if (!input) return null;
        for (const id of (input.getAttribute('aria-describedby') || '').split(/\\s+/)) {
          const el = id && document.getElementById(id);
          if (el && el.classList.contains('field-error')) return el.textContent;
        }
        for (let box = input.parentElement; box && box.tagName !== 'FORM'; box = box.parentElement) {
          const err = box.querySelector('.field-error');
          const fields = box.querySelectorAll('input:not([type=hidden]), select, textarea');
          if (fields.length > 1) return null;
          if (err) return err.textContent;
        }
        return null;
        """,
        field_id,
    )


def open_record(drv: WebDriver, base_url: str, record_id: str) -> None:
    drv.get(f"{base_url}/contacts/{record_id}")
    visible(drv, "h1#record-title")


def global_search(drv: WebDriver, text: str) -> list[WebElement]:
    box = visible(drv, "input#global-search")
    box.clear()
    box.send_keys(text)
    try:
        return wait(drv).until(
            lambda d: [a for a in d.find_elements(By.CSS_SELECTOR, "#search-results a.search-hit") if a.is_displayed()]
            or False
        )
    except Exception as exc:
        raise AssertionError(f"typing {text!r} into #global-search showed no a.search-hit in #search-results") from exc


# --------------------------------------------------------------------------
# first run, sign out, sign in


def test_fresh_server_sends_to_setup(driver, base_url):
    driver.get(base_url + "/")
    try:
        wait_for_path(driver, "/setup")
    except AssertionError as exc:
        raise AssertionError(f"{exc} -- a server with no users should send / to /setup "
                             "(does `clientele serve` create a user on first start?)") from None
    visible(driver, "form#setup-form")
    check_page(driver, "01-setup")


def test_setup_creates_admin_and_signs_in(driver, base_url):
    fill(driver, "form#setup-form #name", ADMIN["name"])
    fill(driver, "form#setup-form #email", ADMIN["email"])
    fill(driver, "form#setup-form #password", ADMIN["password"])
    submit_and_wait_for_new_page(driver, "button#create-admin")
    wait_for_path(driver, "/")
    assert visible(driver, "h1").text.strip(), "the dashboard's h1 is empty"
    check_page(driver, "02-dashboard")


def test_sidebar_links(driver, base_url):
    visible(driver, "nav#sidebar")
    contacts = driver.find_element(By.CSS_SELECTOR, 'nav#sidebar a[data-entity="contacts"]')
    assert urlsplit(contacts.get_attribute("href")).path == "/contacts", contacts.get_attribute("href")
    for entity in ("leads", "companies", "deals", "activities"):
        links = driver.find_elements(By.CSS_SELECTOR, f'nav#sidebar a[data-entity="{entity}"]')
        assert links, f'nav#sidebar has no a[data-entity="{entity}"]'
        href = links[0].get_attribute("href") or ""
        assert href.startswith(base_url + "/"), f"sidebar link for {entity} goes to {href!r}"


def test_sign_out(driver, base_url):
    visible(driver, "form#logout-form")
    submit_and_wait_for_new_page(driver, "form#logout-form button#sign-out")
    wait_for_path(driver, "/login")
    visible(driver, "form#login-form")
    check_page(driver, "03-login")


def test_wrong_password_shows_error_and_keeps_email(driver, base_url):
    fill(driver, "form#login-form #email", ADMIN["email"])
    fill(driver, "form#login-form #password", "не-тот-пароль")
    submit_and_wait_for_new_page(driver, "button#sign-in")
    error = visible(driver, ".form-error")
    assert error.get_attribute("role") == "alert", f".form-error should have role=alert: {error.get_attribute('outerHTML')[:300]}"
    assert error.text.strip(), ".form-error is empty"
    assert visible(driver, "#email").get_attribute("value") == ADMIN["email"], "the typed e-mail was not kept"
    assert path_of(driver) != "/", "a wrong password signed in"


def test_sign_in(driver, base_url):
    fill(driver, "form#login-form #email", ADMIN["email"])
    fill(driver, "form#login-form #password", ADMIN["password"])
    submit_and_wait_for_new_page(driver, "button#sign-in")
    wait_for_path(driver, "/")
    visible(driver, "h1")


# --------------------------------------------------------------------------
# contacts


def test_new_contact_missing_last_name(driver, base_url):
    driver.get(base_url + "/contacts/new")
    visible(driver, "form#record-form")
    check_page(driver, "04-contact-new")
    fill(driver, "#f-first_name", ANNA["first_name"])
    visible(driver, "#f-last_name").clear()
    # Test the server's validation, not the browser's: a `required` attribute would stop the submit.
    driver.execute_script("document.getElementById('record-form').noValidate = true;")
    submit_and_wait_for_new_page(driver, "form#record-form button#save")
    visible(driver, "form#record-form")
    error = field_error_next_to(driver, "f-last_name")
    assert error is not None and error.strip(), "no .field-error next to #f-last_name after saving without it"
    assert visible(driver, "#f-first_name").get_attribute("value") == ANNA["first_name"], "the typed first name was lost"


def test_new_contact_saved(driver, base_url):
    # The form as the server gave it back after the error: complete it and save.
    for field, value in ANNA.items():
        fill(driver, f"form#record-form #f-{field}", value)
    submit_and_wait_for_new_page(driver, "form#record-form button#save")
    match = RECORD_PATH.match(wait_for_path(driver, RECORD_PATH))
    state["anna"] = match.group(1)
    title = visible(driver, "h1#record-title").text
    assert ANNA["first_name"] in title and ANNA["last_name"] in title, f"h1#record-title is {title!r}"
    check_page(driver, "05-record")


def test_global_search_by_phone_digits(driver, base_url):
    driver.get(base_url + "/")
    hits = global_search(driver, "912 345")
    target = f"/contacts/{state['anna']}"
    hit = next((h for h in hits if urlsplit(h.get_attribute("href")).path.rstrip("/") == target), None)
    assert hit is not None, f"no a.search-hit to {target}; hits: {[(h.text, h.get_attribute('href')) for h in hits]}"
    hit.click()
    wait_for_path(driver, target)
    assert ANNA["last_name"] in visible(driver, "h1#record-title").text


def test_search_results_page(driver, base_url):
    driver.get(f"{base_url}/search?q={quote('912 345')}")
    target = f"/contacts/{state['anna']}"
    try:
        wait(driver).until(lambda d: link_to(d, "body", target))
    except Exception as exc:
        raise AssertionError(f"/search?q=912 345 has no link to {target}") from exc
    check_page(driver, "07-search")


def test_quick_note_on_timeline(driver, base_url):
    open_record(driver, base_url, state["anna"])
    visible(driver, "section#timeline")
    fill(driver, "form#note-form textarea#note-text", NOTE)
    visible(driver, "form#note-form button#add-note").click()
    try:
        wait(driver).until(lambda d: any(NOTE in item.text for item in
                                         d.find_elements(By.CSS_SELECTOR, "section#timeline .timeline-item")))
    except Exception as exc:
        raise AssertionError(f"the note did not appear in a .timeline-item of section#timeline ({driver.current_url})") from exc


def test_edit_contact(driver, base_url):
    record_id = state["anna"]
    open_record(driver, base_url, record_id)
    visible(driver, "a#edit").click()
    wait_for_path(driver, f"/contacts/{record_id}/edit")
    visible(driver, "form#record-form")
    assert visible(driver, "#f-first_name").get_attribute("value") == ANNA["first_name"], "edit form not prefilled"
    assert visible(driver, "#f-last_name").get_attribute("value") == ANNA["last_name"], "edit form not prefilled"
    fill(driver, "form#record-form #f-last_name", ANNA_NEW_LAST_NAME)
    submit_and_wait_for_new_page(driver, "form#record-form button#save")
    wait_for_path(driver, f"/contacts/{record_id}")
    title = visible(driver, "h1#record-title").text
    assert ANNA_NEW_LAST_NAME in title, f"after the edit h1#record-title is {title!r}"


def test_inline_edit_of_a_field(driver, base_url):
    """A field changed in place on the record page is saved (the reload shows it); an edit
    against a version someone else has moved on from is reported, not written."""
    record_id = state["anna"]
    open_record(driver, base_url, record_id)
    cell = visible(driver, '#record-fields dd[data-inline="email"]')
    cell.find_element(By.CSS_SELECTOR, "button.inline-edit").click()
    field = visible(driver, '#record-fields dd[data-inline="email"] input')
    field.clear()
    field.send_keys("anna.new@example.test")
    field.send_keys(Keys.ENTER)
    wait(driver).until(lambda d: not d.find_elements(By.CSS_SELECTOR, '#record-fields dd[data-inline="email"] input'))
    driver.refresh()
    assert "anna.new@example.test" in visible(driver, '#record-fields dd[data-inline="email"]').text
    # Someone else saves meanwhile (the page still holds the old version): the edit is refused.
    version = driver.execute_script("return document.getElementById('record-fields').dataset.version;")
    driver.execute_script("document.getElementById('record-fields').dataset.version = String(Number(arguments[0]) - 1);", version)
    visible(driver, '#record-fields dd[data-inline="email"] button.inline-edit').click()
    field = visible(driver, '#record-fields dd[data-inline="email"] input')
    field.clear()
    field.send_keys("stale@example.test")
    field.send_keys(Keys.ENTER)
    message = wait(driver).until(
        lambda d: (d.find_element(By.CSS_SELECTOR, '#record-fields dd[data-inline="email"] .field-error').text or False))
    assert message.strip(), "a stale edit should say so"
    driver.refresh()
    assert "stale@example.test" not in visible(driver, "#record-fields").text, "a stale edit was written"


def test_contacts_list(driver, base_url):
    visible(driver, 'nav#sidebar a[data-entity="contacts"]').click()
    wait_for_path(driver, "/contacts")
    visible(driver, "table#records")
    rows = driver.find_elements(By.CSS_SELECTOR, "table#records tbody tr")
    assert rows, "table#records has no rows"
    first_links = []
    for row in rows:
        links = row.find_elements(By.CSS_SELECTOR, "a")
        assert links and "record-link" in (links[0].get_attribute("class") or "").split(), (
            f"a row's first link is not a.record-link: {row.get_attribute('outerHTML')[:300]}"
        )
        first_links.append(links[0])
    target = f"/contacts/{state['anna']}"
    mine = [a for a in first_links if urlsplit(a.get_attribute("href")).path.rstrip("/") == target]
    assert mine, f"the contact {target} is not listed"
    assert ANNA_NEW_LAST_NAME in mine[0].find_element(By.XPATH, "./ancestor::tr").text
    sorts = driver.find_elements(By.CSS_SELECTOR, "table#records a.sort")
    assert sorts, "no a.sort column header links"
    check_page(driver, "06-contacts-list")
    old_html = driver.find_element(By.TAG_NAME, "html")
    sorts[0].click()
    wait(driver).until(replaced(old_html))
    visible(driver, "table#records")
    assert link_to(driver, "table#records", target), "after sorting, the contact is not listed"


# --------------------------------------------------------------------------
# escaping


def test_markup_in_names_is_text(driver, base_url):
    driver.get(base_url + "/contacts/new")
    visible(driver, "form#record-form")
    for field, value in EVIL.items():
        fill(driver, f"form#record-form #f-{field}", value)
    submit_and_wait_for_new_page(driver, "form#record-form button#save")
    assert_no_alert(driver)
    state["evil"] = RECORD_PATH.match(wait_for_path(driver, RECORD_PATH)).group(1)
    title = visible(driver, "h1#record-title")
    assert EVIL["first_name"] in title.text and EVIL["last_name"] in title.text, f"h1#record-title is {title.text!r}"
    assert not title.find_elements(By.TAG_NAME, "b"), "a <b> element was rendered inside h1#record-title"
    assert_no_alert(driver)


def test_markup_in_list_is_text(driver, base_url):
    driver.get(base_url + "/contacts")
    visible(driver, "table#records")
    assert_no_alert(driver)
    link = link_to(driver, "table#records", f"/contacts/{state['evil']}")
    assert link is not None, "the contact with markup in its name is not listed"
    row_text = link.find_element(By.XPATH, "./ancestor::tr").text
    assert EVIL["last_name"] in row_text, f"row text {row_text!r}"
    assert not driver.find_elements(By.CSS_SELECTOR, "table#records b"), "a <b> element was rendered in the list"


def test_markup_in_search_is_text(driver, base_url):
    hits = global_search(driver, "Bold")
    assert_no_alert(driver)
    texts = [h.text for h in hits]
    assert any(EVIL["last_name"] in t for t in texts), f"search hits {texts!r}"
    assert not driver.find_elements(By.CSS_SELECTOR, "#search-results b"), "a <b> element was rendered in #search-results"
    driver.find_element(By.CSS_SELECTOR, "input#global-search").send_keys(Keys.ESCAPE)
    driver.get(f"{base_url}/search?q=Bold")
    assert_no_alert(driver)
    target = f"/contacts/{state['evil']}"
    try:
        link = wait(driver).until(lambda d: link_to(d, "body", target))
    except Exception as exc:
        raise AssertionError(f"/search?q=Bold has no link to {target}") from exc
    assert EVIL["last_name"] in link.text, f"search result text {link.text!r}"
    assert_no_alert(driver)


# --------------------------------------------------------------------------
# delete, and where the browser went


def test_delete_contact(driver, base_url):
    record_id = state["evil"]
    open_record(driver, base_url, record_id)
    visible(driver, "form#delete-form button#delete").click()

    def confirm_or_list(d: WebDriver) -> str | bool:
        try:
            d.switch_to.alert.accept()  # the page may ask with confirm()
            return False
        except NoAlertPresentException:
            pass
        return "list" if path_of(d).rstrip("/") == "/contacts" else False

    try:
        wait(driver).until(confirm_or_list)
    except Exception as exc:
        raise AssertionError(f"after deleting, the browser is on {driver.current_url}, not /contacts") from exc
    visible(driver, "table#records")
    assert link_to(driver, "table#records", f"/contacts/{record_id}") is None, "the deleted contact is still listed"
    assert link_to(driver, "table#records", f"/contacts/{state['anna']}") is not None, "the other contact vanished"


@pytest.mark.always_run
def test_everything_came_from_the_server(driver, base_url):
    """Whatever pages the steps reached: nothing was loaded from another origin."""
    assert_same_origin(driver, base_url)
