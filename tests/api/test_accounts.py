"""Accounts and sign-in (issue 13): throttling, timing of unknown e-mails, sessions and API
tokens, and rules that change on one server instance taking effect on the very next request
on another instance over the same database.

Each test makes its own users through the users API, so the throttling counters of one test
never meet another's.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import pytest

from conftest import Client, Server, Tenant, assert_problem, rand_hex


def make_user(api: Client, **extra: Any) -> dict[str, Any]:
    """A new non-admin user with a random e-mail and password (returned under "password")."""
    password = f"pw-{rand_hex(12)}"
    body = {"email": f"u-{rand_hex(10)}@example.test", "name": f"User {rand_hex(4)}", "password": password, **extra}
    resp = api.post("users", body)
    assert resp.status_code == 201, f"POST /users -> {resp.status_code}: {resp.text[:500]}"
    user = resp.json()
    user["password"] = password
    return user


def sign_in(client: Client, email: str, password: str, workspace: str):
    return client.post("auth/token", {"email": email, "password": password, "workspace": workspace}, auth=False)


def token_of(client: Client, user: dict[str, Any], workspace: str) -> str:
    resp = sign_in(client, user["email"], user["password"], workspace)
    assert resp.status_code == 200, f"sign-in -> {resp.status_code}: {resp.text[:300]}"
    return resp.json()["token"]


@pytest.fixture(scope="module")
def second(server: Server, backend):
    """A second server instance on the same database (the cloud: many stateless instances)."""
    other = Server(server.database, backend.log_dir(), f"serve-{backend.name}-second")
    other.start()
    yield other
    other.stop()


def test_wrong_passwords_are_slowed_then_refused_with_retry_after(server: Server, api: Client, tenant: Tenant) -> None:
    user = make_user(api)
    anon = Client(server.base_url, None)
    statuses: list[int] = []
    retry_after: list[int] = []
    for _ in range(20):
        resp = sign_in(anon, user["email"], "wrong-password-1", tenant.slug)
        statuses.append(resp.status_code)
        if resp.status_code == 429:
            body = assert_problem(resp, 429)
            header = resp.headers.get("Retry-After")
            assert header is not None and header.isdigit(), f"429 without a Retry-After in seconds: {resp.headers}"
            assert body.get("retry_after") == int(header)
            retry_after.append(int(header))
        else:
            assert_problem(resp, 401)
    # The first failures are answered; after them the sign-ins of this e-mail are slowed.
    assert statuses[:5] == [401] * 5, statuses
    assert 429 in statuses[5:], statuses
    assert all(seconds >= 1 for seconds in retry_after)
    # While slowed even the right password is refused, without saying whether it was right.
    resp = sign_in(anon, user["email"], user["password"], tenant.slug)
    assert_problem(resp, 429)
    # After the wait the right password works, and a success starts the count again.
    time.sleep(int(resp.headers["Retry-After"]) + 0.2)
    assert sign_in(anon, user["email"], user["password"], tenant.slug).status_code == 200
    assert sign_in(anon, user["email"], "wrong-password-1", tenant.slug).status_code == 401
    # The user's sign-in log holds the failures, the throttled attempts and the success.
    log = api.get(f"users/{user['id']}/sign-ins", params={"limit": "100"})
    assert log.status_code == 200, log.text
    reasons = [entry["reason"] for entry in log.json()["data"]]
    assert reasons.count(None) == 1 and "password" in reasons and "throttled" in reasons, reasons
    anon.close()


def test_unknown_email_costs_what_a_known_one_costs(server: Server, api: Client, tenant: Tenant) -> None:
    known = [make_user(api)["email"] for _ in range(3)]
    anon = Client(server.base_url, None)

    def timed(email: str) -> float:
        started = time.perf_counter()
        resp = sign_in(anon, email, "wrong-password-2", tenant.slug)
        elapsed = time.perf_counter() - started
        assert resp.status_code == 401, resp.text
        return elapsed

    known_times, unknown_times = [], []
    for round_no in range(4):  # 4 failures per known e-mail: below the throttling limit
        for email in known:
            known_times.append(timed(email))
            unknown_times.append(timed(f"nobody-{rand_hex(10)}@example.test"))
    known_median, unknown_median = statistics.median(known_times), statistics.median(unknown_times)
    # Both pay one bcrypt check; what is left is noise (allow a generous band on a busy machine).
    assert 0.6 < unknown_median / known_median < 1.6, (known_median, unknown_median)
    anon.close()


def test_tokens_and_sessions(server: Server, api: Client, tenant: Tenant) -> None:
    user = make_user(api)
    session = Client(server.base_url, token_of(api, user, tenant.slug))
    # The session is listed as the current one.
    sessions = session.get("me/sessions").json()["data"]
    assert [s["current"] for s in sessions] == [True] and sessions[0]["kind"] == "session"
    assert sessions[0]["expires_at"] is not None
    # A read-only API token reads and may not write.
    made = session.post("me/tokens", {"name": "reporting", "read_only": True})
    assert made.status_code == 201, made.text
    secret = made.json()["token"]
    assert secret.startswith("clt_") and made.json()["read_only"] is True
    reader = Client(server.base_url, secret)
    assert reader.get("contacts", params={"limit": "1"}).status_code == 200
    assert_problem(reader.post("contacts", {"first_name": "Ro", "last_name": "Token"}), 403)
    assert reader.get("me").json()["read_only_token"] is True
    listed = session.get("me/tokens").json()["data"]
    assert [t["name"] for t in listed] == ["reporting"] and "token" not in listed[0]
    # Bad bodies are refused whole.
    assert_problem(session.post("me/tokens", {"name": ""}), 422, fields=["name"])
    assert_problem(session.post("me/tokens", {"name": "x", "expires_at": "2001-01-01T00:00:00Z"}), 422, fields=["expires_at"])
    # Revoking the token ends it at once; another user cannot revoke it.
    stranger = make_user(api)
    stranger_client = Client(server.base_url, token_of(api, stranger, tenant.slug))
    assert_problem(stranger_client.delete(f"me/tokens/{made.json()['id']}"), 404)
    assert session.delete(f"me/tokens/{made.json()['id']}").status_code == 204
    assert_problem(reader.get("contacts"), 401)
    # An administrator sees the user's session and can end it.
    everyone = api.get("tokens", params={"user_id": user["id"]}).json()["data"]
    assert [t["id"] for t in everyone] == [sessions[0]["id"]]
    assert_problem(session.get("tokens"), 403)
    assert api.delete(f"tokens/{sessions[0]['id']}").status_code == 204
    assert_problem(session.get("me"), 401)
    for client in (session, reader, stranger_client):
        client.close()


def test_password_change_and_logout_end_sessions(server: Server, api: Client, tenant: Tenant) -> None:
    user = make_user(api)
    first = Client(server.base_url, token_of(api, user, tenant.slug))
    second_session = Client(server.base_url, token_of(api, user, tenant.slug))
    assert first.post("auth/logout").status_code == 204
    assert_problem(first.get("me"), 401)
    assert second_session.get("me").status_code == 200
    new_password = f"pw-{rand_hex(12)}"
    assert api.patch(f"users/{user['id']}", {"password": new_password}).status_code == 200
    assert_problem(second_session.get("me"), 401)
    assert sign_in(api, user["email"], user["password"], tenant.slug).status_code == 401
    assert sign_in(api, user["email"], new_password, tenant.slug).status_code == 200
    first.close()
    second_session.close()


def eventually(check, backend_name: str) -> None:
    """PostgreSQL (the cloud: many instances) applies a change on the very next request of any
    instance. SQLite is the box, one process by design: a second process on the same file (the
    command line, or this test) sees a change within the look-up cache's five seconds."""
    if backend_name == "postgres":
        check()
        return
    deadline = time.monotonic() + 6
    while True:
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def test_rules_changed_on_one_instance_apply_on_the_next_request_of_another(
    server: Server, second: Server, api: Client, tenant: Tenant, backend
) -> None:
    user = make_user(api)
    token = token_of(api, user, tenant.slug)
    other = Client(second.base_url, token)
    contact = api.create("contacts", {"first_name": "Visible", "last_name": f"N{rand_hex(6)}"})
    assert other.get(f"contacts/{contact['id']}").status_code == 200
    # A profile that gives contacts to their owners only, set on the first instance ...
    profile = api.post("profiles", {"name": f"own-{rand_hex(6)}", "permissions": {"contacts": {"read": "own"}}})
    assert profile.status_code == 201, profile.text
    assert api.patch(f"users/{user['id']}", {"profile_ids": [profile.json()["id"]]}).status_code == 200
    # ... applies on the second at once: the admin's contact is gone for the user.
    eventually(lambda: assert_problem(other.get(f"contacts/{contact['id']}"), 404), backend.name)
    assert other.get("me").json()["permissions"]["contacts"]["read"] == "own"
    # Deactivation on the first instance stops the token on the second at the very next request.
    assert api.patch(f"users/{user['id']}", {"is_active": False}).status_code == 200
    eventually(lambda: assert_problem(other.get("me"), 401), backend.name)
    assert_problem(sign_in(Client(second.base_url, None), user["email"], user["password"], tenant.slug), 401)
    other.close()


def test_admin_api_refuses_bad_input_whole(api: Client) -> None:
    assert_problem(api.post("users", {"email": "not-an-address", "name": "X", "password": "password-1"}), 422, fields=["email"])
    assert_problem(api.post("users", {"email": f"a-{rand_hex(6)}@example.test", "name": "X", "password": "short"}), 422,
                   fields=["password"])
    bad_team = "00000000-0000-4000-8000-000000000000"
    email = f"t-{rand_hex(6)}@example.test"
    assert_problem(api.post("users", {"email": email, "name": "X", "password": "password-1", "team_ids": [bad_team]}), 422,
                   fields=["team_ids[0]"])
    # The refused user was not created half-way.
    assert email not in [u["email"] for u in api.get("users").json()["data"]]
    assert_problem(api.patch(f"users/{bad_team}", {"name": "Y"}), 404)
    me = api.get("me").json()
    assert_problem(api.patch(f"users/{me['id']}", {"is_active": False}), 422, fields=["is_active"])


def test_followers_and_participants_see_what_they_follow_or_attend(server: Server, api: Client, tenant: Tenant) -> None:
    profile = api.post("profiles", {
        "name": f"own-only-{rand_hex(6)}",
        "permissions": {"contacts": {"read": "own", "edit": "own"}, "activities": {"read": "own", "edit": "own"}},
    })
    assert profile.status_code == 201, profile.text
    user = make_user(api, profile_ids=[profile.json()["id"]])
    member = Client(server.base_url, token_of(api, user, tenant.slug))
    # A meeting of the admin's with the member among its participants: readable, not editable.
    when = {"start_at": "2031-05-05T10:00:00Z", "end_at": "2031-05-05T11:00:00Z"}
    word = f"zq{rand_hex(10)}"  # in both meetings' subjects and the contact's name: searched for

    def found(q: str = word) -> set[str]:
        resp = member.get("search", params={"q": q, "limit": "50"})
        assert resp.status_code == 200, resp.text
        return {hit["id"] for hit in resp.json()["data"]}

    meeting = api.create("activities", {"type": "meeting", "subject": f"Встреча {word}", **when})
    other = api.create("activities", {"type": "meeting", "subject": f"Без него {word}", **when})
    assert_problem(member.get(f"activities/{meeting['id']}"), 404)
    assert found() == set() and found(word[:5]) == set()
    linked = api.post(f"activities/{meeting['id']}/participants", {"id": user["id"], "entity": "users"})
    assert linked.status_code == 201, linked.text
    assert member.get(f"activities/{meeting['id']}").status_code == 200
    # Search finds what taking part opens, as a whole word and as typed, and nothing else.
    assert found() == {meeting["id"]} and found(word[:5]) == {meeting["id"]}
    assert_problem(member.patch(f"activities/{meeting['id']}", {"subject": "Моя"}), 403)
    listed = [row["id"] for row in member.get("activities", params={"limit": "100"}).json()["data"]]
    assert meeting["id"] in listed and other["id"] not in listed
    # A contact of the member's that they follow stays readable after it is handed to the admin.
    contact = api.create("contacts", {"first_name": "Следимый", "last_name": word, "owner_id": user["id"]})
    assert found() == {meeting["id"], contact["id"]}
    assert member.post(f"contacts/{contact['id']}/follow").status_code in (200, 201)
    me = api.get("me").json()
    assert api.patch(f"contacts/{contact['id']}", {"owner_id": me["id"]}).status_code == 200
    assert member.get(f"contacts/{contact['id']}").status_code == 200
    assert found() == {meeting["id"], contact["id"]}
    assert_problem(member.patch(f"contacts/{contact['id']}", {"first_name": "Чужой"}), 403)
    # An unfollowed one is gone, from search too; so is a meeting the member no longer attends.
    assert member.delete(f"contacts/{contact['id']}/follow").status_code == 204
    assert_problem(member.get(f"contacts/{contact['id']}"), 404)
    assert found() == {meeting["id"]}
    assert api.delete(f"activities/{meeting['id']}/participants/{user['id']}").status_code == 204
    assert found() == set()
    # Shared, then found; the share taken back, not found.
    share = api.post(f"contacts/{contact['id']}/shares", {"user_id": user["id"], "access": "read"})
    assert share.status_code == 201, share.text
    assert found() == {contact["id"]} and found(word[:4]) == {contact["id"]}
    assert api.delete(f"contacts/{contact['id']}/shares/{share.json()['id']}").status_code == 204
    assert found() == set()

    # Notifications are listed (and counted unread) only while their record may be read.
    def notified() -> tuple[list[str], int]:
        resp = member.get("notifications", params={"limit": "200"})
        assert resp.status_code == 200, resp.text
        body = resp.json()
        return [n["kind"] for n in body["data"] if n["record_id"] == contact["id"]], body["unread"]

    hidden_kinds, unread_hidden = notified()
    assert hidden_kinds == []  # the earlier ones (while the member owned and followed it) are out of sight
    share = api.post(f"contacts/{contact['id']}/shares", {"user_id": user["id"], "access": "read"})
    assert share.status_code == 201, share.text
    earlier, unread_shared = notified()
    assert earlier and unread_shared == unread_hidden + len(earlier)  # back in sight, all unread
    assert member.post(f"contacts/{contact['id']}/follow").status_code in (200, 201)
    assert api.patch(f"contacts/{contact['id']}", {"first_name": "Изменённый"}).status_code == 200
    kinds, unread = notified()
    assert kinds == ["updated"] + earlier and unread == unread_shared + 1
    assert api.delete(f"contacts/{contact['id']}/shares/{share.json()['id']}").status_code == 204
    assert notified() == (kinds, unread)  # still followed: still readable
    assert member.delete(f"contacts/{contact['id']}/follow").status_code == 204
    assert notified() == ([], unread_hidden)
    member.close()


def test_counters_count_only_what_the_caller_reads(server: Server, api: Client, tenant: Tenant) -> None:
    """Counters (issue 13: "every read path"): someone who reads only their own activities and no
    leads sees only their own counters, and a lead of theirs they may not read does not count."""
    profile = api.post("profiles", {
        "name": f"own-activities-{rand_hex(6)}",
        "permissions": {"activities": {"read": "own", "create": "own", "edit": "own"}},
    })
    assert profile.status_code == 201, profile.text
    user = make_user(api, profile_ids=[profile.json()["id"]])
    member = Client(server.base_url, token_of(api, user, tenant.slug))
    me = api.get("me").json()
    # Their overdue task counts for them; a lead of theirs without a planned activity counts in
    # the administrator's view of their work, not in theirs (they may not read leads).
    api.create("activities", {"type": "task", "subject": f"Просрочено {rand_hex(4)}", "due_at": "2020-01-01T09:00:00Z",
                              "owner_id": user["id"]})
    api.create("leads", {"last_name": f"Лид {rand_hex(4)}", "owner_id": user["id"]})
    own = member.get("counters")
    assert own.status_code == 200, own.text
    seen_by_admin = api.get("counters", params={"user_id": user["id"]}).json()
    assert own.json()["overdue"] == seen_by_admin["overdue"] == 1
    assert seen_by_admin["leads_without_activity"] == 1 and own.json()["leads_without_activity"] == 0
    # Someone else's work is out of reach, and "team" is just them.
    assert_problem(member.get("counters", params={"user_id": me["id"]}), 403)
    team = member.get("counters", params={"team": "true"})
    assert team.status_code == 200, team.text
    assert [row["user_id"] for row in team.json()["data"]] == [user["id"]]
    member.close()


def test_client_address_behind_a_trusted_proxy(server: Server, api: Client, tenant: Tenant, backend) -> None:
    """X-Forwarded-For names the client only when the peer is a trusted proxy (--trusted-proxy):
    the sign-in log shows the right-most address no trusted proxy wrote; a server that trusts no
    proxy shows the peer."""
    user = make_user(api)
    proxied = Server(server.database, backend.log_dir(), f"serve-{backend.name}-proxied", ["--trusted-proxy", "127.0.0.1"])
    proxied.start()
    try:
        for target, forwarded, expected in (
            (proxied, "203.0.113.7", "203.0.113.7"),
            (proxied, "198.51.100.1, 203.0.113.9", "203.0.113.9"),
            (server, "203.0.113.11", "127.0.0.1"),
        ):
            client = Client(target.base_url, None)
            client.session.headers["X-Forwarded-For"] = forwarded
            assert token_of(client, user, tenant.slug)
            client.close()
            log = api.get(f"users/{user['id']}/sign-ins").json()["data"]
            assert log[0]["address"] == expected, (forwarded, log[0])
    finally:
        proxied.stop()


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 (HMAC-SHA1, 30 s, 6 digits), written here from the RFC to check the server's."""
    import base64
    import hashlib
    import hmac
    import struct

    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def test_two_factor_sign_in(server: Server, api: Client, tenant: Tenant) -> None:
    user = make_user(api)
    me = Client(server.base_url, token_of(api, user, tenant.slug))
    started = me.post("me/two-factor")
    assert started.status_code == 201, started.text
    secret = started.json()["secret"]
    assert started.json()["otpauth_uri"].startswith("otpauth://totp/") and f"secret={secret}" in started.json()["otpauth_uri"]
    # Not in force until confirmed: signing in still needs the password only.
    assert sign_in(api, user["email"], user["password"], tenant.slug).status_code == 200
    assert_problem(me.post("me/two-factor/confirm", {"code": "000000" if totp(secret) != "000000" else "111111"}), 422, fields=["code"])
    confirmed = me.post("me/two-factor/confirm", {"code": totp(secret)})
    assert confirmed.status_code == 200, confirmed.text
    recovery = confirmed.json()["recovery_codes"]
    assert len(recovery) == 10 and len(set(recovery)) == 10
    assert api.get(f"users/{user['id']}").json()["two_factor"] is True
    # The password alone now asks for the code; a wrong code is refused.
    needs = sign_in(api, user["email"], user["password"], tenant.slug)
    assert assert_problem(needs, 401)["type"].endswith(":code_required")
    wrong = api.post("auth/token", {"email": user["email"], "password": user["password"], "workspace": tenant.slug,
                                    "code": "12345"}, auth=False)
    assert_problem(wrong, 401)
    # The code of the next step (clocks drift) works once; the same code again does not.
    code = totp(secret, time.time() + 30)
    first = api.post("auth/token", {"email": user["email"], "password": user["password"], "workspace": tenant.slug, "code": code},
                     auth=False)
    assert first.status_code == 200, first.text
    again = api.post("auth/token", {"email": user["email"], "password": user["password"], "workspace": tenant.slug, "code": code},
                     auth=False)
    assert_problem(again, 401)
    # A recovery code works once, in any case and with or without its dash.
    spare = recovery[0].upper().replace("-", "")
    body = {"email": user["email"], "password": user["password"], "workspace": tenant.slug, "code": spare}
    assert api.post("auth/token", body, auth=False).status_code == 200
    assert_problem(api.post("auth/token", body, auth=False), 401)
    # Turning it off needs a code; an administrator can reset it for a lost phone.
    assert_problem(me.post("me/two-factor/disable", {"code": "nope"}), 422, fields=["code"])
    assert api.delete(f"users/{user['id']}/two-factor").status_code == 204
    assert sign_in(api, user["email"], user["password"], tenant.slug).status_code == 200
    me.close()
