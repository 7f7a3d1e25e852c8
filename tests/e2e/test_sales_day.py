"""A sales day in Clientele's web UI, in Russian, continuing test_day.py in the same browser.

The administrator moves deals on the kanban (dragging, the keyboard's form, a lost deal with its
reason, a move the server refuses), logs a call from a contact's page and converts a lead; then
a manager whose profile sees only their team's deals, without amounts, signs in.  The set-up a
person would not do by hand (deals, a team, a profile, a user) goes through /api/v1 as the
administrator, and the API also checks what each step really changed.

The steps run in file order and build on each other; after a failing step the rest are skipped
(the final same-origin check still runs).  The module also runs alone: the admin_api fixture
creates the administrator on a fresh server, and the first step signs the browser in.
"""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select

from browsing import click_and_wait_for_new_page, fill, path_of, sign_in, sign_out, until, visible, wait_for_path
from conftest import ADMIN, Api, api_token, assert_same_origin, axe_check, screenshot, wait

pytestmark = pytest.mark.incremental

UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
NBSP = "\u00a0"

KANBAN_DEALS = {  # key -> (title, amount in RUB)
    "won": ("Поставка станков для «Вектора»", "250000.40"),
    "keyboard": ("Обслуживание склада в Казани", "48000.15"),
    "lost": ("Аренда техники для «Стройком»", "91300.70"),
    "refused": ("Пробная партия для «Нордлайн»", "12750.25"),
}
CONTACT = {"first_name": "Михаил", "last_name": "Орлов", "phone_mobile": "+7 912 700-10-20"}
CALL_SUBJECT = "Звонок: Михаил согласен на встречу во вторник"
LEAD = {"first_name": "Пётр", "last_name": "Ковалёв", "company_name": "ООО «Ромашка»", "phone": "8 912 555-44-33"}
LEAD_PHONE_DIGITS = "9125554433"
CONVERTED_DEAL_TITLE = "Ромашка: оснащение нового офиса"
TEAM_NAME = "Отдел продаж «Урал»"
PROFILE_NAME = "Менеджер отдела: сделки команды без сумм"
MANAGER = {"name": "Игорь Белов", "email": "manager@example.test", "password": "Менеджер-пароль-2026"}
MANAGER_DEALS = [("Комплект мебели для «Альфа-Строй»", "1500.50", "open"),
                 ("Модернизация линии «Уралмаш»", "734219.87", "proposal")]
ADMIN_DEALS = [("Тендер «Газпромнефть» (только для руководства)", "2718281.28", "open"),
               ("Лизинг автопарка «Север» (только для руководства)", "86420.13", "negotiation")]

state: dict[str, object] = {}  # what earlier steps made and learned


# --------------------------------------------------------------------------
# small helpers


def money(amount: str) -> dict[str, object]:
    return {"amount": float(amount), "currency": "RUB"}


def amount_spellings(amount: str) -> set[str]:
    """The ways a page could show an amount: "1500.5", "1500,50", "1 500,50" (no-break space)..."""
    value = Decimal(amount)
    whole, cents = f"{value:.2f}".split(".")
    short = f"{value.normalize():f}"  # 1500.5
    grouped = [f"{int(whole):,}".replace(",", sep) for sep in (" ", NBSP, "\u202f", "&nbsp;", "&#160;", "&#xa0;")]
    found = {f"{whole}.{cents}", f"{whole},{cents}", short, short.replace(".", ",")}
    for g in grouped:
        if g != whole:
            found |= {f"{g},{cents}", f"{g}.{cents}"}
    return found


def cyrillic(text: str) -> bool:
    return re.search("[А-Яа-яЁё]", text or "") is not None


# --------------------------------------------------------------------------
# the kanban


def board_ready(drv: WebDriver, base_url: str) -> None:
    drv.get(base_url + "/deals?view=kanban")
    visible(drv, "#kanban")
    # The page's script marks <html class="js"> when it has wired the board.
    until(drv, lambda d: d.execute_script("return document.documentElement.classList.contains('js')"),
          "the page's script did not run (no html.js)")


def card_column(drv: WebDriver, deal_id: str) -> str | None:
    """The data-key of the column that holds the deal's card, or None without a card."""
    return drv.execute_script(
        """const card = document.querySelector('#kanban article.kanban-card[data-id="' + arguments[0] + '"]');
           const column = card && card.closest('section.kanban-column');
           return card ? (column ? column.dataset.key : '') : null;""",
        deal_id,
    )


def column_counts(drv: WebDriver) -> dict[str, int | None]:
    texts = drv.execute_script(
        """const out = {};
           for (const c of document.querySelectorAll('#kanban section.kanban-column')) {
             const badge = c.querySelector('.kanban-count');
             out[c.dataset.key] = badge ? badge.textContent : null;
           }
           return out;"""
    )
    counts: dict[str, int | None] = {}
    for key, text in texts.items():
        digits = re.sub(r"\D", "", text or "")
        counts[key] = int(digits) if digits else None
    return counts


def wait_card_in(drv: WebDriver, deal_id: str, key: str, what: str) -> None:
    try:
        wait(drv).until(lambda d: card_column(d, deal_id) == key)
    except TimeoutException:
        errors = [e.text for e in drv.find_elements(By.ID, "kanban-error") if e.is_displayed()]
        raise AssertionError(f"{what}: the card {deal_id} is in column {card_column(drv, deal_id)!r}, not {key!r}"
                             f" (#kanban-error: {errors[0] if errors else 'hidden'!r})") from None


def card(drv: WebDriver, deal_id: str) -> WebElement:
    return visible(drv, f'#kanban article.kanban-card[data-id="{deal_id}"]')


def column(drv: WebDriver, key: str) -> WebElement:
    return visible(drv, f'#kanban section.kanban-column[data-key="{key}"]')


DRAG_AND_DROP = """
const card = arguments[0], column = arguments[1];
const data = new DataTransfer();
const fire = (el, type) => el.dispatchEvent(
  new DragEvent(type, {bubbles: true, cancelable: true, composed: true, dataTransfer: data}));
const zone = column.querySelector('.kanban-cards') || column;
fire(card, 'dragstart');
fire(zone, 'dragenter');
const overAccepted = !fire(zone, 'dragover');  // a drop zone cancels dragover
const dropAccepted = !fire(zone, 'drop');
fire(card, 'dragend');
return {overAccepted: overAccepted, dropAccepted: dropAccepted};
"""


def drag(drv: WebDriver, deal_id: str, to_key: str) -> None:
    """HTML5 drag and drop as Chrome would fire it (ActionChains cannot drive it)."""
    result = drv.execute_script(DRAG_AND_DROP, card(drv, deal_id), column(drv, to_key))
    assert result["overAccepted"], f"the column {to_key!r} did not accept the dragged card (dragover not cancelled)"
    assert result["dropAccepted"], f"the column {to_key!r} did not handle the drop (drop not cancelled)"


def deal_stage(api: Api, deal_id: str) -> str | None:
    return api.get(f"/deals/{deal_id}")["stage"]


def error_hidden(drv: WebDriver) -> bool:
    boxes = drv.find_elements(By.ID, "kanban-error")
    return not boxes or not boxes[0].is_displayed()


def check_move_after_reload(drv: WebDriver, base_url: str, deal_id: str, source: str, target: str,
                            before: dict[str, int | None]) -> None:
    board_ready(drv, base_url)
    assert card_column(drv, deal_id) == target, (
        f"after a reload the card {deal_id} is in column {card_column(drv, deal_id)!r}, not {target!r}")
    after = column_counts(drv)
    assert after[source] == (before[source] or 0) - 1, f"count of {source!r}: {before[source]} -> {after[source]} (expected -1)"
    assert after[target] == (before[target] or 0) + 1, f"count of {target!r}: {before[target]} -> {after[target]} (expected +1)"


# --------------------------------------------------------------------------
# the administrator is signed in


def test_admin_signed_in(driver, base_url, admin_api):
    me = admin_api.get("/me")
    assert me["is_admin"], f"{ADMIN['email']} is not an administrator: {me}"
    state["admin_id"] = me["id"]
    driver.get(base_url + "/")
    until(driver, lambda d: path_of(d).rstrip("/") in ("", "/login") and d.find_elements(By.TAG_NAME, "h1"),
          "/ neither showed the dashboard nor sent to /login")
    if path_of(driver).rstrip("/") == "/login":  # this module runs alone, or the session expired
        sign_in(driver, base_url, ADMIN["email"], ADMIN["password"])
    visible(driver, "form#logout-form")


# --------------------------------------------------------------------------
# 1. the kanban


def test_kanban_from_the_deals_list(driver, base_url, admin_api):
    pipelines = admin_api.get("/pipelines")["data"]
    pipeline = next((p for p in pipelines if p.get("is_default")), pipelines[0] if pipelines else None)
    assert pipeline, "GET /api/v1/pipelines returned no pipeline"
    stages = pipeline["stages"]
    keys = [s["key"] for s in stages]
    opens = [s["key"] for s in stages if s["kind"] == "open"]
    won = [s["key"] for s in stages if s["kind"] == "won"]
    lost = [s["key"] for s in stages if s["kind"] == "lost"]
    assert len(opens) >= 3 and won and lost, f"the default pipeline's stages: {[(s['key'], s['kind']) for s in stages]}"
    state.update(stage_keys=keys, first_stage=opens[0], won=won[0], lost=lost[0], open_stages=opens)
    assert "qualification" in keys, f"no qualification stage in {keys}"

    deals = {}
    for name, (title, amount) in KANBAN_DEALS.items():
        deal = admin_api.post("/deals", {"title": title, "amount": money(amount), "stage": opens[0],
                                         "pipeline_id": pipeline["id"]})
        assert deal["stage"] == opens[0], f"deal {title!r} was created in stage {deal['stage']!r}"
        deals[name] = deal["id"]
    state["kanban_deals"] = deals

    driver.get(base_url + "/deals")
    visible(driver, "table#records")
    click_and_wait_for_new_page(driver, visible(driver, "a#as-kanban"))
    wait_for_path(driver, "/deals")
    assert parse_qs(urlsplit(driver.current_url).query).get("view") == ["kanban"], f"a#as-kanban led to {driver.current_url}"
    board = visible(driver, "#kanban")
    assert board.get_attribute("data-entity") == "deals", f"#kanban data-entity is {board.get_attribute('data-entity')!r}"
    shown = [c.get_attribute("data-key") for c in driver.find_elements(By.CSS_SELECTOR, "#kanban section.kanban-column")]
    assert shown == keys, f"kanban columns {shown} are not the default pipeline's stages {keys}"
    counts = column_counts(driver)
    missing = [k for k, v in counts.items() if v is None]
    assert not missing, f"columns without a .kanban-count number: {missing}"
    assert counts[opens[0]] >= len(deals), f"the {opens[0]!r} column counts {counts[opens[0]]}, made {len(deals)} deals there"
    for name, deal_id in deals.items():
        assert card_column(driver, deal_id) == opens[0], (
            f"the card of {KANBAN_DEALS[name][0]!r} is in {card_column(driver, deal_id)!r}, not {opens[0]!r}")
    # The administrator sees the column's sum (what the manager, later, must not see).
    first = column(driver, opens[0]).find_element(By.CSS_SELECTOR, "header").text
    total = str(sum(Decimal(a) for _, a in KANBAN_DEALS.values()))
    assert any(s in first for s in amount_spellings(total)), f"the {opens[0]!r} column does not show the sum {total}: {first!r}"
    screenshot(driver, "sales-01-kanban")
    axe_check(driver, "sales-01-kanban")


def test_kanban_drag_to_won(driver, base_url, admin_api):
    board_ready(driver, base_url)
    deal_id, source, target = state["kanban_deals"]["won"], state["first_stage"], state["won"]
    before = column_counts(driver)
    drag(driver, deal_id, target)
    wait_card_in(driver, deal_id, target, "after the drop")
    until(driver, lambda d: deal_stage(admin_api, deal_id) == target, f"the deal's stage did not become {target!r} (API)")
    assert error_hidden(driver), f"#kanban-error shows: {driver.find_element(By.ID, 'kanban-error').text!r}"
    check_move_after_reload(driver, base_url, deal_id, source, target, before)


def test_kanban_keyboard_move_to_qualification(driver, base_url, admin_api):
    board_ready(driver, base_url)
    deal_id, source, target = state["kanban_deals"]["keyboard"], state["first_stage"], "qualification"
    before = column_counts(driver)
    the_card = card(driver, deal_id)
    form = the_card.find_element(By.CSS_SELECTOR, "form.kanban-move")
    assert not form.is_displayed(), "with JavaScript, the card's form.kanban-move should be hidden until the card has focus"

    # Tab into the card's link, then on into its select.
    link = the_card.find_element(By.CSS_SELECTOR, "a[href]")
    driver.execute_script("arguments[0].focus();", link)
    until(driver, lambda d: form.is_displayed(), "the card's form.kanban-move did not appear when its link had focus")
    select = form.find_element(By.CSS_SELECTOR, "select[name=to]")
    keys = ActionChains(driver)
    for _ in range(6):
        if driver.switch_to.active_element == select:
            break
        keys.send_keys(Keys.TAB).perform()
        assert driver.execute_script("return arguments[0].contains(document.activeElement);", the_card), (
            "Tab left the card before reaching its select[name=to]")
    assert driver.switch_to.active_element == select, "Tab did not reach the card's select[name=to]"
    assert form.is_displayed(), "the card's form hid again while its select had focus"

    options = [o.get_attribute("value") for o in Select(select).options]
    assert target in options, f"select[name=to] offers {options}, not {target!r}"
    for _ in range(len(options)):
        if select.get_attribute("value") == target:
            break
        keys.send_keys(Keys.DOWN if options.index(target) > options.index(select.get_attribute("value")) else Keys.UP).perform()
    assert select.get_attribute("value") == target, f"the arrow keys left select[name=to] on {select.get_attribute('value')!r}"
    keys.send_keys(Keys.TAB).perform()
    button = form.find_element(By.CSS_SELECTOR, "button[type=submit], button:not([type]), input[type=submit]")
    assert driver.switch_to.active_element == button, "Tab from the select did not reach the form's submit button"
    keys.send_keys(Keys.ENTER).perform()

    wait_card_in(driver, deal_id, target, "after the move")
    until(driver, lambda d: deal_stage(admin_api, deal_id) == target, f"the deal's stage did not become {target!r} (API)")
    assert error_hidden(driver), f"#kanban-error shows: {driver.find_element(By.ID, 'kanban-error').text!r}"
    check_move_after_reload(driver, base_url, deal_id, source, target, before)


def reason_dialog(drv: WebDriver) -> WebElement:
    return until(drv, lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, "dialog#reason-dialog")
                                      if e.get_attribute("open") is not None and e.is_displayed()), False),
                 "dragging to the lost stage did not open dialog#reason-dialog")


def test_kanban_drag_to_lost_asks_for_a_reason(driver, base_url, admin_api):
    board_ready(driver, base_url)
    deal_id, source, target = state["kanban_deals"]["lost"], state["first_stage"], state["lost"]
    before = column_counts(driver)

    # Cancelling the question leaves the deal where it was.
    drag(driver, deal_id, target)
    reason_dialog(driver).find_element(By.CSS_SELECTOR, 'button[value="cancel"]').click()
    until(driver, lambda d: not d.find_element(By.ID, "reason-dialog").is_displayed(), "the dialog did not close on cancel")
    assert card_column(driver, deal_id) == source, f"after cancelling, the card is in {card_column(driver, deal_id)!r}"
    deal = admin_api.get(f"/deals/{deal_id}")
    assert deal["stage"] == source and not deal["loss_reason"], f"cancelling changed the deal: {deal['stage']}, {deal['loss_reason']}"

    # Again, with a reason.
    drag(driver, deal_id, target)
    dialog = reason_dialog(driver)
    choice = Select(dialog.find_element(By.CSS_SELECTOR, "select#reason-choice"))
    reasons = [o.get_attribute("value") for o in choice.options if o.get_attribute("value")]
    assert reasons, "#reason-choice offers no reason"
    reason = "competitor" if "competitor" in reasons else reasons[0]
    choice.select_by_value(reason)
    screenshot(driver, "sales-02-kanban-lost-reason")
    dialog.find_element(By.CSS_SELECTOR, 'button[value="ok"]').click()
    wait_card_in(driver, deal_id, target, "after the move")
    until(driver, lambda d: admin_api.get(f"/deals/{deal_id}")["loss_reason"] == reason,
          f"the deal's loss_reason did not become {reason!r} (API)")
    assert deal_stage(admin_api, deal_id) == target, f"the deal's stage is {deal_stage(admin_api, deal_id)!r}, not {target!r}"
    assert error_hidden(driver), f"#kanban-error shows: {driver.find_element(By.ID, 'kanban-error').text!r}"
    check_move_after_reload(driver, base_url, deal_id, source, target, before)


def test_kanban_refused_move_goes_back(driver, base_url, admin_api):
    board_ready(driver, base_url)
    deal_id, source = state["kanban_deals"]["refused"], state["first_stage"]
    target = next(k for k in state["open_stages"] if k not in (source, "qualification"))
    before = column_counts(driver)
    assert card_column(driver, deal_id) == source
    admin_api.delete(f"/deals/{deal_id}")  # meanwhile, the deal goes to the trash: the move cannot happen
    drag(driver, deal_id, target)
    error = until(driver, lambda d: next((e for e in d.find_elements(By.ID, "kanban-error")
                                          if e.is_displayed() and e.text.strip()), False),
                  "a refused move did not show #kanban-error with a message")
    assert cyrillic(error.text), f"#kanban-error is not in Russian: {error.text!r}"
    wait_card_in(driver, deal_id, source, "after the refusal")
    until(driver, lambda d: column_counts(d) == before, "the column counts did not come back after the refusal")
    screenshot(driver, "sales-03-kanban-refused")
    admin_api.get(f"/deals/{deal_id}", expect=404)


# --------------------------------------------------------------------------
# 2. a call logged from the contact's page


def test_log_a_call_from_the_contact(driver, base_url, admin_api):
    contact_id = admin_api.post("/contacts", CONTACT)["id"]
    state["contact"] = contact_id
    record = f"/contacts/{contact_id}"
    driver.get(base_url + record)
    visible(driver, "h1#record-title")
    for kind in ("call", "task", "meeting"):
        link = visible(driver, f"a#log-{kind}")
        href = urlsplit(link.get_attribute("href") or "")
        query = parse_qs(href.query)
        assert href.path == "/activities/new", f"a#log-{kind} leads to {link.get_attribute('href')!r}"
        expected = {"type": [kind], "parent_type": ["contact"], "parent_id": [contact_id], "return": [record]}
        got = {k: query.get(k) for k in expected}
        assert got == expected, f"a#log-{kind} query {got}, expected {expected}"

    click_and_wait_for_new_page(driver, visible(driver, "a#log-call"))
    wait_for_path(driver, "/activities/new")
    visible(driver, "form#record-form")
    kind = visible(driver, "#f-type")
    assert kind.get_attribute("value") == "call", f"#f-type is preset to {kind.get_attribute('value')!r}, not call"
    subject = visible(driver, "#f-subject")
    assert subject.get_attribute("required") is not None, "#f-subject is not required"
    screenshot(driver, "sales-04-log-call")
    fill(driver, "#f-subject", CALL_SUBJECT)
    click_and_wait_for_new_page(driver, visible(driver, "form#record-form button#save"))
    wait_for_path(driver, record)
    visible(driver, "section#timeline")
    until(driver, lambda d: any(CALL_SUBJECT in i.text for i in d.find_elements(By.CSS_SELECTOR, "section#timeline .timeline-item")),
          "the call's subject is in no .timeline-item of section#timeline")
    screenshot(driver, "sales-05-contact-with-call")

    calls = [a for a in admin_api.get("/activities", params={"parent_id": contact_id})["data"] if a.get("subject") == CALL_SUBJECT]
    assert len(calls) == 1, f"activities about the contact with the call's subject: {calls}"
    assert calls[0]["type"] == "call" and calls[0]["parent_type"] == "contact", (
        f"the activity is type {calls[0]['type']!r} about a {calls[0]['parent_type']!r}")


# --------------------------------------------------------------------------
# 3. a lead, converted


def test_new_lead(driver, base_url, admin_api):
    driver.get(base_url + "/leads/new")
    visible(driver, "form#record-form")
    for field, value in LEAD.items():
        fill(driver, f"form#record-form #f-{field}", value)
    click_and_wait_for_new_page(driver, visible(driver, "form#record-form button#save"))
    lead_id = re.match(rf"^/leads/({UUID})/?$", wait_for_path(driver, re.compile(rf"^/leads/{UUID}/?$"))).group(1)
    state["lead"] = lead_id
    lead = admin_api.get(f"/leads/{lead_id}")
    for field in ("first_name", "last_name", "company_name"):
        assert lead[field] == LEAD[field], f"the lead's {field} is {lead[field]!r}"
    assert re.sub(r"\D", "", lead["phone"] or "").endswith(LEAD_PHONE_DIGITS), f"the lead's phone is {lead['phone']!r}"
    assert lead["status"] != "converted"
    screenshot(driver, "sales-06-lead")


def test_convert_the_lead(driver, base_url, admin_api):
    lead_id = state["lead"]
    driver.get(f"{base_url}/leads/{lead_id}")
    convert = visible(driver, "a#convert")
    assert urlsplit(convert.get_attribute("href")).path == f"/leads/{lead_id}/convert", convert.get_attribute("href")
    click_and_wait_for_new_page(driver, convert)
    wait_for_path(driver, f"/leads/{lead_id}/convert")
    visible(driver, "form#convert-form")
    for part in ("contact", "company", "deal"):
        box = visible(driver, f"form#convert-form input#convert-{part}")
        assert box.get_attribute("type") == "checkbox", f"#convert-{part} is not a checkbox"
        assert box.is_selected(), f"#convert-{part} is not checked, though the lead has what it needs"
    fill(driver, "#deal-title", CONVERTED_DEAL_TITLE)
    stage = Select(visible(driver, "select#deal-stage"))
    # An option's value is the stage's key, maybe with its pipeline ("<pipeline id>:<key>").
    offered = [o.get_attribute("value") or "" for o in stage.options]
    wanted = [v for v in offered if v.rsplit(":", 1)[-1] == "qualification"]
    assert len(wanted) == 1, f"#deal-stage offers {offered}, expected one qualification stage"
    stage.select_by_value(wanted[0])
    screenshot(driver, "sales-07-convert")
    axe_check(driver, "sales-07-convert")

    click_and_wait_for_new_page(driver, visible(driver, "button#convert-submit"))
    notice = visible(driver, ".notice")
    made: dict[str, str] = {}
    for a in notice.find_elements(By.CSS_SELECTOR, "a.converted-link"):
        m = re.match(rf"^/(contacts|companies|deals)/({UUID})/?$", urlsplit(a.get_attribute("href") or "").path)
        assert m, f"a.converted-link to {a.get_attribute('href')!r}"
        made[m.group(1)] = m.group(2)
    assert set(made) == {"contacts", "companies", "deals"}, f"the .notice links to {made} ({notice.text!r})"
    screenshot(driver, "sales-08-converted")

    lead = admin_api.get(f"/leads/{lead_id}")
    assert lead["status"] == "converted", f"the lead's status is {lead['status']!r}"
    assert (lead["converted_contact_id"], lead["converted_company_id"], lead["converted_deal_id"]) == (
        made["contacts"], made["companies"], made["deals"]), f"the lead points at other records than the notice: {lead}"
    contact = admin_api.get(f"/contacts/{made['contacts']}")
    assert (contact["first_name"], contact["last_name"]) == (LEAD["first_name"], LEAD["last_name"]), contact
    phones = [contact.get(f) or "" for f in ("phone_work", "phone_mobile", "phone_other")]
    assert any(re.sub(r"\D", "", p).endswith(LEAD_PHONE_DIGITS) for p in phones), f"the contact's phones: {phones}"
    company = admin_api.get(f"/companies/{made['companies']}")
    assert company["name"] == LEAD["company_name"], f"the company is {company['name']!r}"
    deal = admin_api.get(f"/deals/{made['deals']}")
    assert deal["title"] == CONVERTED_DEAL_TITLE, f"the deal's title is {deal['title']!r}"
    assert deal["stage"] == "qualification", f"the deal's stage is {deal['stage']!r}"
    assert (deal["contact_id"], deal["company_id"]) == (made["contacts"], made["companies"]), deal


# --------------------------------------------------------------------------
# 4. a manager who sees only the team's deals, and no amounts


def test_manager_with_a_team_profile(driver, base_url, admin_api):
    amount_label = next(f["label"] for f in admin_api.get("/metadata/entities/deals")["fields"] if f["name"] == "amount")
    state["amount_label"] = amount_label.get("ru") or amount_label.get("en")
    team = admin_api.post("/teams", {"name": TEAM_NAME})
    scope = {"read": "team", "create": "team", "edit": "team"}
    profile = admin_api.post("/profiles", {
        "name": PROFILE_NAME,
        "permissions": {"deals": scope, "contacts": scope, "companies": {"read": "team"}},
        "fields": {"deals": {"amount": "hidden"}},
    })
    manager = admin_api.post("/users", {**MANAGER, "team_ids": [team["id"]], "profile_ids": [profile["id"]], "language": "ru"})
    assert manager["team_ids"] == [team["id"]] and manager["profile_ids"] == [profile["id"]], manager
    state["manager_id"] = manager["id"]

    mine, others = {}, {}
    for title, amount, stage in MANAGER_DEALS:
        mine[admin_api.post("/deals", {"title": title, "amount": money(amount), "stage": stage, "owner_id": manager["id"]})["id"]] = title
    for title, amount, stage in ADMIN_DEALS:
        others[admin_api.post("/deals", {"title": title, "amount": money(amount), "stage": stage, "owner_id": state["admin_id"]})["id"]] = title
    state.update(manager_deals=mine, admin_deals=others)

    # The administrator sees the amounts as a person reads them (so looking for them below means something).
    driver.get(base_url + "/deals")
    visible(driver, "table#records")
    shown = driver.execute_script("return document.documentElement.textContent")
    for _, amount, _ in MANAGER_DEALS:
        assert any(s in shown for s in amount_spellings(amount)), f"the administrator's /deals does not show {amount}"

    # The manager's own view through the API: the team's deals, amounts hidden.
    as_manager = Api(base_url, api_token(base_url, MANAGER["email"], MANAGER["password"]))
    seen = as_manager.get("/deals", params={"limit": 100})["data"]
    assert {d["id"] for d in seen} == set(mine), f"the API lists the manager {[d.get('title') for d in seen]}"
    assert all(d.get("amount") is None for d in seen), f"the API shows the manager amounts: {[d.get('amount') for d in seen]}"


def hidden_amounts() -> set[str]:
    amounts = [a for _, a, _ in MANAGER_DEALS + ADMIN_DEALS] + [a for _, a in KANBAN_DEALS.values()]
    amounts.append(str(sum(Decimal(a) for _, a, _ in MANAGER_DEALS)))  # a column or page total
    return set().union(*(amount_spellings(a) for a in amounts))


def assert_no_secrets(drv: WebDriver, base_url: str, what: str) -> None:
    """Neither the page as served nor as shown holds an amount or an administrator's deal."""
    served = requests.get(drv.current_url, cookies={c["name"]: c["value"] for c in drv.get_cookies()}, timeout=15)
    assert served.status_code == 200, f"{what}: fetching {drv.current_url} with the browser's cookies gave HTTP {served.status_code}"
    texts = {"served HTML": served.text, "DOM": drv.page_source,
             "shown text": drv.execute_script("return document.documentElement.textContent")}
    secrets = hidden_amounts() | {t for t, _, _ in ADMIN_DEALS} | {t for t, _ in KANBAN_DEALS.values()}
    leaks = sorted({(where, s) for where, text in texts.items() for s in secrets if s in text})
    assert not leaks, f"{what} shows the manager what is hidden from them: {leaks}"


def test_manager_signs_in(driver, base_url):
    sign_out(driver)
    sign_in(driver, base_url, MANAGER["email"], MANAGER["password"])
    until(driver, lambda d: MANAGER["name"] in d.find_element(By.TAG_NAME, "body").text,
          "the manager's name is nowhere on the page after signing in")


def test_manager_deals_list(driver, base_url):
    driver.get(base_url + "/deals")
    visible(driver, "table#records")
    rows = {r.get_attribute("data-id"): r.text for r in driver.find_elements(By.CSS_SELECTOR, "table#records tbody tr[data-id]")}
    assert set(rows) == set(state["manager_deals"]), (
        f"the manager's /deals lists {sorted(rows.values())}, expected only {sorted(state['manager_deals'].values())}")
    # textContent, not .text: a header may be upper-cased by CSS.
    headers = [(th.get_attribute("textContent") or "").strip()
               for th in driver.find_elements(By.CSS_SELECTOR, "table#records thead th")]
    assert headers, "table#records has no column headers"
    label = state["amount_label"].casefold()
    assert not any(label in h.casefold() for h in headers), f"the hidden amount has a column: {headers}"
    assert_no_secrets(driver, base_url, "the manager's /deals")
    screenshot(driver, "sales-09-manager-deals")
    axe_check(driver, "sales-09-manager-deals")


def test_manager_kanban(driver, base_url):
    board_ready(driver, base_url)
    cards = {c.get_attribute("data-id") for c in driver.find_elements(By.CSS_SELECTOR, "#kanban article.kanban-card")}
    assert cards == set(state["manager_deals"]), f"the manager's kanban shows cards {cards}, expected {set(state['manager_deals'])}"
    counts = column_counts(driver)
    assert sum(v or 0 for v in counts.values()) == len(state["manager_deals"]), (
        f"the manager's column counts {counts} count more than the team's {len(state['manager_deals'])} deals")
    board_text = visible(driver, "#kanban").text
    assert "₽" not in board_text and "RUB" not in board_text, f"the manager's kanban shows sums: {board_text!r}"
    sums = [m.text for m in driver.find_elements(By.CSS_SELECTOR, "#kanban section.kanban-column header .meta") if m.text.strip()]
    assert not sums, f"the manager's kanban columns show sums: {sums}"
    assert_no_secrets(driver, base_url, "the manager's kanban")
    screenshot(driver, "sales-10-manager-kanban")


def test_manager_cannot_open_an_administrators_deal(driver, base_url):
    deal_id = next(iter(state["admin_deals"]))
    url = f"{base_url}/deals/{deal_id}"
    driver.get(url)
    h1 = visible(driver, "h1")
    assert cyrillic(h1.text), f"the refusal's h1 is not in Russian: {h1.text!r}"
    served = requests.get(url, cookies={c["name"]: c["value"] for c in driver.get_cookies()}, timeout=15)
    assert served.status_code == 404, f"{url} as the manager: HTTP {served.status_code}, expected 404"
    page = driver.page_source + served.text
    leaks = [s for s in {state["admin_deals"][deal_id]} | hidden_amounts() if s in page]
    assert not leaks, f"the 404 page shows {leaks}"
    screenshot(driver, "sales-11-manager-404")


@pytest.mark.always_run
def test_everything_came_from_the_server(driver, base_url):
    """Whatever pages the steps reached: nothing was loaded from another origin."""
    assert_same_origin(driver, base_url)
