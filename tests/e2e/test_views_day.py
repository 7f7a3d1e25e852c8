"""Filtering the contacts list by a custom field and saving the view, in Clientele's web UI, in Russian.

The administrator defines a custom text field on contacts ("Регион", through /api/v1, as a
person would not do it by hand here), then in the browser filters /contacts by it, shows it as
a column, saves the list as a shared view and as a personal one, reopens the shared view from
an unfiltered list and tags two of its rows at once.  A second user, who may read contacts,
signs in and finds the shared view but not the personal one.  The API checks what the steps
changed.

The steps run in file order and build on each other; after a failing step the rest are skipped
(the final same-origin check still runs).  The module runs after the others in the same browser
(whoever is signed in then) and also alone: the admin_api fixture creates the administrator on a
fresh server, and the first step signs the browser in as the administrator.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select

from browsing import click_and_wait_for_new_page, fill, switch_user, until, visible, wait_for_path
from conftest import ADMIN, Api, api_token, assert_same_origin, axe_check, screenshot

pytestmark = pytest.mark.incremental

FIELD = {"name": "c_region", "type": "text", "label": {"ru": "Регион", "en": "Region"}}
FIELD_LABEL = FIELD["label"]["ru"]
# key -> (first name, last name, region); "starts with Урал" matches ural and ural_east only.
CONTACTS = {
    "ural": ("Ирина", "Уральцева-Видова", "Урал"),
    "siberia": ("Степан", "Сибирцев-Видов", "Сибирь"),
    "ural_east": ("Глеб", "Восточнов-Видов", "Урал-Восток"),
    "near_ural": ("Дарья", "Приуральская-Видова", "Приуралье"),  # contains "Урал", does not start with it
}
URAL = ("ural", "ural_east")
FILTER_VALUE = "Урал"
SHARED_VIEW = "Уральские"
PERSONAL_VIEW = "Личный"
PERSONAL_FILTER = ("eq", "Сибирь")
TAG = "выставка-урал"
VIEWER = {"name": "Вера Кузнецова", "email": "vera.viewer@example.test", "password": "Вера-читает-2026"}
VIEWER_PROFILE = "Просмотр контактов"

state: dict[str, object] = {}  # what earlier steps made and learned


# --------------------------------------------------------------------------
# small helpers


def row_ids(drv: WebDriver) -> list[str]:
    return [r.get_attribute("data-id") for r in drv.find_elements(By.CSS_SELECTOR, "table#records tbody tr[data-id]")]


def ids_of(*keys: str) -> set[str]:
    contacts: dict[str, str] = state["contacts"]  # type: ignore[assignment]
    return {contacts[k] for k in keys}


def names_of(drv: WebDriver, ids: set[str]) -> list[str]:
    """For failure messages: the rows' texts instead of bare ids."""
    return [r.text for r in drv.find_elements(By.CSS_SELECTOR, "table#records tbody tr[data-id]")
            if r.get_attribute("data-id") in ids]


def query_pairs(drv: WebDriver) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(drv.current_url).query, keep_blank_values=True)


def header_texts(drv: WebDriver) -> list[str]:
    # textContent, not .text: a header may be upper-cased by CSS; a sort arrow may follow the label.
    return [re.sub(r"[\s↑↓▲▼]+", " ", th.get_attribute("textContent") or "").strip()
            for th in drv.find_elements(By.CSS_SELECTOR, "table#records thead th")]


def column_values(drv: WebDriver, label: str) -> dict[str, str]:
    """Row id -> the text of the row's cell under the header `label`."""
    headers = header_texts(drv)
    assert label in headers, f"table#records has no column {label!r}: {headers}"
    index = headers.index(label)
    values = {}
    for row in drv.find_elements(By.CSS_SELECTOR, "table#records tbody tr[data-id]"):
        cells = row.find_elements(By.CSS_SELECTOR, "td, th")
        values[row.get_attribute("data-id")] = (cells[index].get_attribute("textContent") or "").strip() \
            if index < len(cells) else None
    return values


def open_details(drv: WebDriver, css: str) -> WebElement:
    details = visible(drv, css)
    if details.get_attribute("open") is None:
        details.find_element(By.CSS_SELECTOR, "summary").click()
    until(drv, lambda d: d.find_element(By.CSS_SELECTOR, css).get_attribute("open") is not None, f"{css} did not open")
    return details


def add_filter(drv: WebDriver, field: str, op: str, value: str) -> None:
    form = visible(drv, "form#filter-form")
    Select(visible(drv, "form#filter-form select#filter-field")).select_by_value(field)
    Select(visible(drv, "form#filter-form select#filter-op")).select_by_value(op)
    fill(drv, "form#filter-form input#filter-value", value)
    click_and_wait_for_new_page(drv, form.find_element(By.CSS_SELECTOR, "button[type=submit], button:not([type])"))
    wait_for_path(drv, "/contacts")
    # The list's own syntax: field[op]=value, and plain field=value for eq.
    spellings = {(f"{field}[{op}]", value)} | ({(field, value)} if op == "eq" else set())
    assert spellings & set(query_pairs(drv)), (
        f"filtering {field} {op} {value!r} landed on {drv.current_url}, expected a {field}[{op}]={value} query")


def assert_ural_rows(drv: WebDriver, what: str) -> None:
    shown = set(row_ids(drv))
    expected = ids_of(*URAL)
    assert shown == expected, (
        f"{what}: table#records lists {names_of(drv, shown)}, expected only "
        f"{[CONTACTS[k][1] for k in URAL]} (the contacts whose {FIELD_LABEL} starts with {FILTER_VALUE!r})")


def assert_region_column(drv: WebDriver, what: str) -> None:
    values = column_values(drv, FIELD_LABEL)
    expected = {state["contacts"][k]: CONTACTS[k][2] for k in URAL}  # type: ignore[index]
    assert values == expected, f"{what}: the {FIELD_LABEL!r} column shows {values}, expected {expected}"


def saved_view_links(drv: WebDriver) -> dict[str, WebElement]:
    """The links of #saved-views by their text."""
    return {(a.get_attribute("textContent") or "").strip(): a
            for a in drv.find_elements(By.CSS_SELECTOR, "#saved-views a[href]")}


def save_view(drv: WebDriver, name: str, shared: bool) -> None:
    open_details(drv, "details#save-view")
    fill(drv, "details#save-view #view-name", name)
    box = visible(drv, "details#save-view input[name=shared]")
    if box.is_selected() != shared:
        box.click()
    click_and_wait_for_new_page(drv, visible(drv, "details#save-view button#save-view-submit"))
    until(drv, lambda d: name in saved_view_links(d), f"after saving the view {name!r}, #saved-views has no link named so")


def contacts_list(drv: WebDriver, base_url: str) -> None:
    drv.get(base_url + "/contacts")
    visible(drv, "table#records")


def russian_plural_for_two(text: str, what: str) -> None:
    """The text counts 2 of something in Russian, with the form that goes with 2 ("2 записи", not "2 записей")."""
    assert re.search("[А-Яа-яЁё]", text), f"{what} is not in Russian: {text!r}"
    m = re.search(r"(?<!\d)2\s+([А-Яа-яЁё]+)", text)
    assert m, f"{what} does not count 2 records: {text!r}"
    word = m.group(1).casefold()
    assert not re.fullmatch(r"запис(ь|ей)|контакт(ов)?", word), f"{what} has the wrong plural for 2: {text!r}"


# --------------------------------------------------------------------------
# 1. the field and the contacts (API)


def test_admin_defines_a_region_field(admin_api):
    made = admin_api.post("/metadata/entities/contacts/fields", FIELD, expect=(200, 201))
    assert made["name"] == FIELD["name"] and made["type"] == "text", made
    assert made["custom"], f"{FIELD['name']} is not marked custom: {made}"
    fields = {f["name"]: f for f in admin_api.get("/metadata/entities/contacts")["fields"]}
    assert FIELD["name"] in fields, f"GET /metadata/entities/contacts does not list {FIELD['name']}"
    assert fields[FIELD["name"]]["label"].get("ru") == FIELD_LABEL, fields[FIELD["name"]]

    contacts = {}
    for key, (first, last, region) in CONTACTS.items():
        contact = admin_api.post("/contacts", {"first_name": first, "last_name": last, FIELD["name"]: region})
        assert contact.get(FIELD["name"]) == region, f"contact {last!r} was saved with {FIELD['name']}={contact.get(FIELD['name'])!r}"
        contacts[key] = contact["id"]
    state["contacts"] = contacts


def test_admin_signed_in(driver, base_url, admin_api):
    assert admin_api.get("/me")["is_admin"], f"{ADMIN['email']} is not an administrator"
    switch_user(driver, base_url, ADMIN["email"], ADMIN["password"])
    until(driver, lambda d: ADMIN["name"] in d.find_element(By.TAG_NAME, "body").text,
          "the administrator's name is nowhere on the page after signing in")


# --------------------------------------------------------------------------
# 2. the filter


def test_filter_by_region(driver, base_url):
    contacts_list(driver, base_url)
    options = {o.get_attribute("value"): (o.get_attribute("textContent") or "").strip()
               for o in Select(visible(driver, "form#filter-form select#filter-field")).options}
    assert options.get(FIELD["name"]) == FIELD_LABEL, (
        f"select#filter-field offers {FIELD['name']} as {options.get(FIELD['name'])!r}, expected {FIELD_LABEL!r}")
    ops = [o.get_attribute("value") for o in Select(visible(driver, "form#filter-form select#filter-op")).options]
    assert set(ops) >= {"eq", "starts", "contains", "ne", "gt", "lt", "empty", "not_empty"}, f"select#filter-op offers {ops}"

    add_filter(driver, FIELD["name"], "starts", FILTER_VALUE)
    assert_ural_rows(driver, "the filtered list")
    total = visible(driver, "#total").text
    assert re.search(r"(?<!\d)2\s+записи(?![А-Яа-яЁё])", total), f"#total says {total!r}, expected \"2 записи\""
    chips = driver.find_elements(By.CSS_SELECTOR, "#active-filters .chip")
    assert len(chips) == 1, f"#active-filters shows {[c.text for c in chips]}, expected one chip"
    assert FIELD_LABEL in chips[0].text and FILTER_VALUE in chips[0].text, f"the filter's chip says {chips[0].text!r}"
    screenshot(driver, "views-01-filtered")
    axe_check(driver, "views-01-filtered")


def test_remove_the_filter_chip(driver, base_url):
    chip = visible(driver, "#active-filters .chip")
    remove = [a for a in chip.find_elements(By.CSS_SELECTOR, "a[href]") if a.text.strip() == "×"]
    assert remove, f"the chip {chip.text!r} has no × link"
    assert (remove[0].get_attribute("aria-label") or "").strip(), "the chip's × link has no aria-label"
    click_and_wait_for_new_page(driver, remove[0])
    wait_for_path(driver, "/contacts")
    assert not any(k.startswith(FIELD["name"]) for k, _ in query_pairs(driver)), f"the × link led to {driver.current_url}"
    visible(driver, "table#records")
    assert not driver.find_elements(By.CSS_SELECTOR, "#active-filters .chip"), "a filter chip is still shown"
    missing = ids_of(*CONTACTS) - set(row_ids(driver))
    assert not missing, f"without the filter, contacts {sorted(CONTACTS[k][1] for k in CONTACTS if state['contacts'][k] in missing)} are not listed"


# --------------------------------------------------------------------------
# 3. the column chooser


def test_show_the_region_column(driver, base_url):
    add_filter(driver, FIELD["name"], "starts", FILTER_VALUE)
    assert FIELD_LABEL not in header_texts(driver), f"{FIELD_LABEL!r} is a column before it was chosen: {header_texts(driver)}"
    details = open_details(driver, "details#choose-columns")
    boxes = {b.get_attribute("value"): b for b in details.find_elements(By.CSS_SELECTOR, "input[name=column]")}
    assert FIELD["name"] in boxes, f"details#choose-columns offers no {FIELD['name']} checkbox: {sorted(boxes)}"
    box = boxes[FIELD["name"]]
    assert not box.is_selected(), f"the {FIELD['name']} column is ticked before it was chosen"
    box.click()
    assert box.is_selected(), f"clicking the {FIELD['name']} checkbox did not tick it"
    form = box.find_element(By.XPATH, "./ancestor::form[1]")
    click_and_wait_for_new_page(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit], button:not([type])"))
    wait_for_path(driver, "/contacts")
    visible(driver, "table#records")
    assert_ural_rows(driver, "the filtered list with the chosen column")
    assert_region_column(driver, "the filtered list with the chosen column")
    state["view_url"] = driver.current_url
    screenshot(driver, "views-02-region-column")


# --------------------------------------------------------------------------
# 4. saved views


def test_save_the_shared_view(driver, base_url):
    save_view(driver, SHARED_VIEW, shared=True)
    assert_ural_rows(driver, f"the list right after saving {SHARED_VIEW!r}")


def test_open_the_saved_view_from_the_plain_list(driver, base_url):
    contacts_list(driver, base_url)
    assert len(row_ids(driver)) > len(URAL), "the unfiltered /contacts lists no more than the filtered rows"
    assert FIELD_LABEL not in header_texts(driver), f"the plain /contacts already has a {FIELD_LABEL!r} column"
    links = saved_view_links(driver)
    assert SHARED_VIEW in links, f"#saved-views on /contacts shows {sorted(links)}, not {SHARED_VIEW!r}"
    click_and_wait_for_new_page(driver, links[SHARED_VIEW])
    wait_for_path(driver, "/contacts")
    visible(driver, "table#records")
    assert_ural_rows(driver, f"the saved view {SHARED_VIEW!r}")
    assert_region_column(driver, f"the saved view {SHARED_VIEW!r}")
    chips = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "#active-filters .chip")]
    assert len(chips) == 1 and FILTER_VALUE in chips[0], f"the saved view shows the filter chips {chips}"
    screenshot(driver, "views-03-saved-view")
    axe_check(driver, "views-03-saved-view")


def test_save_a_personal_view(driver, base_url):
    contacts_list(driver, base_url)
    op, value = PERSONAL_FILTER
    add_filter(driver, FIELD["name"], op, value)
    assert set(row_ids(driver)) == ids_of("siberia"), f"{FIELD['name']} {op} {value!r} lists {names_of(driver, set(row_ids(driver)))}"
    save_view(driver, PERSONAL_VIEW, shared=False)
    links = saved_view_links(driver)
    assert {SHARED_VIEW, PERSONAL_VIEW} <= set(links), f"the administrator's #saved-views shows {sorted(links)}"


# --------------------------------------------------------------------------
# 5. bulk tagging


def test_bulk_tag_two_rows(driver, base_url, admin_api):
    contacts_list(driver, base_url)
    click_and_wait_for_new_page(driver, saved_view_links(driver)[SHARED_VIEW])
    assert_ural_rows(driver, f"the saved view {SHARED_VIEW!r} before the bulk action")
    targets = ids_of(*URAL)
    for contact_id in sorted(targets):
        box = visible(driver, f'input[name=ids][form=bulk-form][value="{contact_id}"]')
        box.click()
        assert box.is_selected(), f"the row checkbox of {contact_id} did not tick"
    Select(visible(driver, "select#bulk-action")).select_by_value("tag")
    fill(driver, "#bulk-tag", TAG)
    click_and_wait_for_new_page(driver, visible(driver, "#bulk-apply"))
    russian_plural_for_two(visible(driver, "#bulk-result").text, "#bulk-result")
    screenshot(driver, "views-04-bulk-tagged")

    tags = {k: admin_api.get(f"/contacts/{state['contacts'][k]}")["tags"] for k in CONTACTS}  # type: ignore[index]
    untagged = [CONTACTS[k][1] for k in URAL if TAG not in (tags[k] or [])]
    assert not untagged, f"via the API, {untagged} lack the tag {TAG!r}: {tags}"
    wrongly = [CONTACTS[k][1] for k in CONTACTS if k not in URAL and TAG in (tags[k] or [])]
    assert not wrongly, f"via the API, unticked contacts {wrongly} got the tag {TAG!r}"


# --------------------------------------------------------------------------
# 6. a second user sees the shared view, not the personal one


def test_viewer_sees_only_the_shared_view(driver, base_url, admin_api):
    profile = admin_api.post("/profiles", {"name": VIEWER_PROFILE, "permissions": {"contacts": {"read": "all"}}})
    viewer = admin_api.post("/users", {**VIEWER, "language": "ru", "is_admin": False, "profile_ids": [profile["id"]]})
    assert not viewer.get("is_admin") and viewer.get("profile_ids") == [profile["id"]], viewer
    as_viewer = Api(base_url, api_token(base_url, VIEWER["email"], VIEWER["password"]))
    readable = {c["id"] for c in as_viewer.get("/contacts", params={"limit": 500})["data"]}
    assert ids_of(*CONTACTS) <= readable, "the viewer's profile does not let them read the contacts (API)"

    switch_user(driver, base_url, VIEWER["email"], VIEWER["password"])
    until(driver, lambda d: VIEWER["name"] in d.find_element(By.TAG_NAME, "body").text,
          "the viewer's name is nowhere on the page after signing in")
    contacts_list(driver, base_url)
    links = saved_view_links(driver)
    assert SHARED_VIEW in links, f"the viewer's #saved-views shows {sorted(links)}, not the shared {SHARED_VIEW!r}"
    assert PERSONAL_VIEW not in links, f"the viewer's #saved-views shows the administrator's personal view {PERSONAL_VIEW!r}"
    click_and_wait_for_new_page(driver, links[SHARED_VIEW])
    wait_for_path(driver, "/contacts")
    visible(driver, "table#records")
    assert_ural_rows(driver, f"the shared view {SHARED_VIEW!r} opened by the viewer")
    assert_region_column(driver, f"the shared view {SHARED_VIEW!r} opened by the viewer")
    screenshot(driver, "views-05-viewer-shared-view")


@pytest.mark.always_run
def test_everything_came_from_the_server(driver, base_url):
    """Whatever pages the steps reached: nothing was loaded from another origin."""
    assert_same_origin(driver, base_url)
