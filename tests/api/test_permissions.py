"""Access control (issue 13), black box: roles, teams, profiles, shares, hidden and read-only
fields, stage conditions and workspace isolation.

How the module works
--------------------
* ``world`` (module fixture) builds, as the workspace admin, an organisation::

      director                      teams:  alpha = mgr_a (head), rep_a, rep_a2
      ├── mgr_a                             beta  = mgr_b (head), rep_b, rep_a
      │   ├── rep_a                         (rep_a is in both; the director in none)
      │   └── rep_a2  (rep_a's sibling)
      └── mgr_b
          └── rep_b

  Six non-admin users hold those roles and sign in with their passwords.  Records (contacts
  and deals in every pipeline stage) are owned by each of them and by the admin; some are
  shared with users or teams, with read or edit access.

* Profiles come from a generated matrix (see ``build_matrix``): the diagonal (every action at
  the same scope) plus a deterministic sample (``random.Random(13)``) of (read, edit, delete)
  scope triples for contacts and for deals, each with a random create scope and, for some,
  stage conditions on deals.  Pairs of profiles (the "most permissive wins" rule) follow.

* Each ``test_matrix_round`` assigns profiles to the six users, then compares every answer
  of the server with ``AccessModel`` -- a small Python reading of the contract -- for each
  user x record x endpoint: GET, list membership, count, search, history, timeline, shares,
  PATCH, sharing, DELETE (then restored from the trash by the admin) and create with an
  ``owner_id``.  Mismatches are collected and reported together at the end of the round.

* Further tests: hidden fields (a recording client proves that no marker value ever reaches
  the restricted user), read-only fields, stage conditions, a second workspace in the same
  database, the admin-only directory API and the validation of profiles and roles.

Nothing here hard-codes an expected outcome of the matrix: it always comes from the model.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import pytest
import requests

from conftest import Client, Server, Tenant, assert_problem, rand_hex

# --------------------------------------------------------------------------
# vocabulary of the contract

ENTITIES = ("contacts", "deals")  # the entities the matrix covers
MATRIX_ACTIONS = ("read", "edit", "delete", "create")  # the actions the matrix varies
ALL_ACTIONS = ("read", "create", "edit", "delete", "export", "import", "merge")
SCOPES = ("none", "own", "team", "subordinates", "all")

# Pipeline order of the default pipeline; won and lost are both terminal, after documents.
STAGES = ("open", "qualification", "proposal", "negotiation", "documents", "won", "lost")
STAGE_RANK = {"open": 0, "qualification": 1, "proposal": 2, "negotiation": 3, "documents": 4, "won": 5, "lost": 5}

# --------------------------------------------------------------------------
# the organisation built by the `world` fixture

USER_LABELS = ("director", "mgr_a", "mgr_b", "rep_a", "rep_a2", "rep_b")
ROLE_PARENTS: dict[str, str | None] = {  # each user has a role named after them; parents first
    "director": None,
    "mgr_a": "director",
    "mgr_b": "director",
    "rep_a": "mgr_a",
    "rep_a2": "mgr_a",
    "rep_b": "mgr_b",
}
TEAMS: dict[str, tuple[str, tuple[str, ...]]] = {  # team -> (head, members); heads are members too
    "alpha": ("mgr_a", ("mgr_a", "rep_a", "rep_a2")),
    "beta": ("mgr_b", ("mgr_b", "rep_b", "rep_a")),
}
OWNER_LABELS = ("admin",) + USER_LABELS
DEALS_PER_OWNER = 2  # deal stages cycle through STAGES, so every stage appears twice

# Shares made by the admin: (entity, owner, index among that owner's records, kind, target, access).
SHARES: tuple[tuple[str, str, int, str, str, str], ...] = (
    ("contacts", "admin", 0, "user", "rep_b", "read"),
    ("contacts", "director", 0, "user", "rep_a2", "edit"),
    ("contacts", "mgr_a", 0, "user", "rep_b", "edit"),
    ("contacts", "rep_b", 0, "team", "alpha", "read"),
    ("deals", "admin", 1, "team", "beta", "read"),
    ("deals", "director", 1, "team", "beta", "edit"),
    ("deals", "mgr_b", 0, "team", "alpha", "edit"),  # a lost deal
    ("deals", "rep_a2", 1, "user", "mgr_b", "edit"),  # a deal in documents
)

# --------------------------------------------------------------------------
# the size of the generated matrix

MATRIX_SEED = 13
SAMPLED_PROFILES = 10  # sampled (read, edit, delete) triples, besides the 5 diagonal profiles
SINGLE_ROUNDS = 4  # rounds in which every user holds one profile of the matrix
PAIR_ROUNDS = 1  # rounds in which every user holds two profiles at once
ROUNDS = SINGLE_ROUNDS + PAIR_ROUNDS

# Stage conditions given, in turn, to the sampled profiles (an empty dict: no condition).
CONDITION_CYCLE: tuple[dict[str, Any], ...] = (
    {},
    {"deals": {"edit": {"stage_before": "documents"}}},
    {},
    {"deals": {"edit": {"stage_in": ["open", "qualification", "proposal"]},
               "delete": {"stage_not_in": ["won", "lost"]}}},
    {},
    {"deals": {"delete": {"stage_before": "proposal"}, "edit": {"stage_not_in": ["lost"]}}},
)

SEARCH_TIMEOUT = 10.0  # seconds to wait for a new record to be searchable (as the admin)
WORKERS = 6  # concurrent clients during the read phase and the write phase


# --------------------------------------------------------------------------
# small helpers


def token(prefix: str = "zq") -> str:
    """A unique, search-friendly word: letters first, then hex digits."""
    return f"{prefix}{rand_hex(12)}"


def money(amount: str | int, currency: str = "RUB") -> dict[str, Any]:
    return {"amount": str(amount), "currency": currency}


def ok(resp: requests.Response, status: int = 200) -> Any:
    where = f"{resp.request.method} {resp.request.url}"
    assert resp.status_code == status, f"{where} -> {resp.status_code}, expected {status}: {resp.text[:1500]}"
    return resp.json() if resp.content else {}


def is_problem(resp: requests.Response) -> bool:
    ctype = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return ctype == "application/problem+json"


def snippet(resp: requests.Response, limit: int = 200) -> str:
    text = resp.text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "..."


def in_parallel(jobs: list[Callable[[], None]], workers: int = WORKERS) -> None:
    """Run the jobs on a thread pool; an exception in any of them is re-raised here."""
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(jobs)))) as pool:
        futures = [pool.submit(job) for job in jobs]
        for future in futures:
            future.result()


def error_codes(resp: requests.Response) -> list[tuple[str, str]]:
    """(field, code) of every errors[] entry of a problem body, sorted."""
    try:
        errors = resp.json().get("errors") or []
    except ValueError:
        return []
    return sorted((str(e.get("field")), str(e.get("code"))) for e in errors if isinstance(e, dict))


class RecordingClient(Client):
    """A Client that keeps every response body it receives (for the hidden-field scan)."""

    def __init__(self, base_url: str, token_value: str | None):
        super().__init__(base_url, token_value)
        self.log: list[tuple[str, str, int, str]] = []

    def request(self, method: str, path: str, **kw: Any) -> requests.Response:
        resp = super().request(method, path, **kw)
        self.log.append((method, resp.url, resp.status_code, resp.text))
        return resp


# --------------------------------------------------------------------------
# profiles and the reference model


@dataclass
class Profile:
    name: str
    permissions: dict[str, dict[str, str]]  # entity -> action -> scope (left out: none)
    conditions: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    fields: dict[str, dict[str, str]] = field(default_factory=dict)
    id: str = ""

    def scope(self, entity: str, action: str) -> str:
        return self.permissions.get(entity, {}).get(action, "none")

    def condition(self, entity: str, action: str) -> dict[str, Any] | None:
        return self.conditions.get(entity, {}).get(action)

    def body(self) -> dict[str, Any]:
        return {"name": self.name, "permissions": self.permissions, "fields": self.fields,
                "conditions": self.conditions}


def scope_le(a: str, b: str) -> bool:
    """a grants no more than b: none < own < {team, subordinates} < all (team, subordinates apart)."""
    return a == b or a == "none" or b == "all" or (a == "own" and b != "none")


def most_permissive(scopes: Iterable[str]) -> str | None:
    """The widest of the scopes, or None when two of them cannot be compared (team vs subordinates)."""
    best = "none"
    for scope in scopes:
        if scope_le(best, scope):
            best = scope
        elif not scope_le(scope, best):
            return None
    return best


def condition_holds(condition: dict[str, Any] | None, stage: str | None) -> bool:
    """A deal condition of a profile, evaluated on the stored stage."""
    if not condition:
        return True
    for kind, value in condition.items():
        if kind == "stage_before":
            if stage is None or STAGE_RANK[stage] >= STAGE_RANK[value]:
                return False
        elif kind == "stage_in":
            if stage not in value:
                return False
        elif kind == "stage_not_in":
            if stage in value:
                return False
        else:  # pragma: no cover - the module only writes the kinds above
            raise AssertionError(f"the model does not know condition {kind!r}")
    return True


@dataclass(frozen=True)
class Share:
    user_id: str | None
    team_id: str | None
    access: str  # read | edit
    label: str = field(default="", compare=False)


@dataclass
class Rec:
    """A record the model knows: what decides who may do what with it."""

    entity: str
    id: str
    owner_label: str
    owner_id: str
    token: str  # unique word in its name (searched for)
    stage: str | None = None
    shares: list[Share] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"{self.entity}/{self.id}"

    def describe(self) -> str:
        parts = [f"{self.entity}/{self.id[:8]}", f"owner {self.owner_label}"]
        if self.stage:
            parts.append(f"stage {self.stage}")
        if self.shares:
            parts.append("shared " + ", ".join(s.label for s in self.shares))
        return " ".join(parts[:1]) + " (" + "; ".join(parts[1:]) + ")"


class AccessModel:
    """The contract's rules, in Python, over the directory the module built."""

    def __init__(self, user_role: dict[str, str | None], role_parent: dict[str, str | None],
                 team_members: dict[str, set[str]], admins: set[str]):
        self.user_role = user_role
        self.role_parent = role_parent
        self.team_members = team_members
        self.admins = admins

    def teams_of(self, user_id: str) -> set[str]:
        return {team for team, members in self.team_members.items() if user_id in members}

    def is_below(self, owner_id: str, boss_id: str) -> bool:
        """The owner's role is strictly below the boss's role, at any depth."""
        boss_role = self.user_role.get(boss_id)
        role = self.user_role.get(owner_id)
        if boss_role is None or role is None:
            return False
        seen: set[str] = set()
        parent = self.role_parent.get(role)
        while parent is not None and parent not in seen:
            if parent == boss_role:
                return True
            seen.add(parent)
            parent = self.role_parent.get(parent)
        return False

    def covers(self, scope: str, user_id: str, owner_id: str) -> bool:
        """Whether `scope`, held by the user, reaches a record of `owner_id`."""
        if scope == "none":
            return False
        if scope == "all" or owner_id == user_id:  # every non-none scope includes own
            return True
        if scope == "team":
            return any(owner_id in self.team_members[team] for team in self.teams_of(user_id))
        if scope == "subordinates":
            return self.is_below(owner_id, user_id)
        return False  # own, and someone else's record

    def shared_access(self, rec: Rec, user_id: str) -> set[str]:
        teams = self.teams_of(user_id)
        return {s.access for s in rec.shares if s.user_id == user_id or (s.team_id is not None and s.team_id in teams)}

    def visible(self, user_id: str, profiles: list[Profile], rec: Rec) -> bool:
        if user_id in self.admins:
            return True
        scopes = [p.scope(rec.entity, "read") for p in profiles]
        if all(s == "none" for s in scopes):
            return False
        if any(self.covers(s, user_id, rec.owner_id) for s in scopes):
            return True
        return bool(self.shared_access(rec, user_id))

    def editable(self, user_id: str, profiles: list[Profile], rec: Rec) -> bool:
        if not self.visible(user_id, profiles, rec):
            return False
        shared_edit = "edit" in self.shared_access(rec, user_id)
        for p in profiles:  # several profiles: any one that grants the edit is enough
            scope = p.scope(rec.entity, "edit")
            if scope == "none":
                continue
            if (self.covers(scope, user_id, rec.owner_id) or shared_edit) and \
                    condition_holds(p.condition(rec.entity, "edit"), rec.stage):
                return True
        return False

    def deletable(self, user_id: str, profiles: list[Profile], rec: Rec) -> bool:
        if not self.visible(user_id, profiles, rec):
            return False
        return any(
            self.covers(p.scope(rec.entity, "delete"), user_id, rec.owner_id)  # shares never grant delete
            and condition_holds(p.condition(rec.entity, "delete"), rec.stage)
            for p in profiles
        )

    def may_create(self, user_id: str, profiles: list[Profile], entity: str, owner_id: str) -> bool:
        return any(self.covers(p.scope(entity, "create"), user_id, owner_id) for p in profiles)

    @staticmethod
    def effective(profiles: list[Profile], entity: str, action: str) -> str | None:
        """What /me should say for entity/action, or None when the profiles' scopes are not comparable."""
        return most_permissive(p.scope(entity, action) for p in profiles)


# --------------------------------------------------------------------------
# the generated matrix


def build_matrix() -> tuple[list[Profile], list[tuple[str, str]]]:
    """Profiles for the rounds, and pairs of them for the rounds with two profiles per user.

    * the diagonal: every action of both entities at one scope (5 profiles);
    * SAMPLED_PROFILES profiles, one per (read, edit, delete) triple drawn without repetition
      from the off-diagonal part of SCOPES^3 (independently for contacts and for deals), with a
      random create scope and, in turn, the stage conditions of CONDITION_CYCLE on deals.
      Actions at `none` are left out of the body (the contract: left out means none);
    * pairs of profiles for which "the most permissive wins" is unambiguous (see `unambiguous`).
    """
    rng = random.Random(MATRIX_SEED)
    profiles: list[Profile] = []
    for scope in SCOPES:
        perms = {} if scope == "none" else {e: {a: scope for a in MATRIX_ACTIONS} for e in ENTITIES}
        profiles.append(Profile(f"diag-{scope}", perms))
    off_diagonal = [t for t in itertools.product(SCOPES, repeat=3) if len(set(t)) > 1]
    contact_triples = rng.sample(off_diagonal, SAMPLED_PROFILES)
    deal_triples = rng.sample(off_diagonal, SAMPLED_PROFILES)
    for i, (c_triple, d_triple) in enumerate(zip(contact_triples, deal_triples)):
        perms: dict[str, dict[str, str]] = {}
        for entity, triple in (("contacts", c_triple), ("deals", d_triple)):
            scopes = dict(zip(("read", "edit", "delete"), triple))
            scopes["create"] = rng.choice(SCOPES)
            perms[entity] = {action: scope for action, scope in scopes.items() if scope != "none"}
        conditions = json.loads(json.dumps(CONDITION_CYCLE[i % len(CONDITION_CYCLE)]))
        profiles.append(Profile(f"mix-{i:02d}", perms, conditions))

    def unambiguous(a: Profile, b: Profile) -> bool:
        """Whether "the most permissive wins" says one thing for this pair: for every entity and
        action the two scopes are comparable, and an action one of them puts a condition on is
        left at none by the other (else it would be open to debate whose condition applies)."""
        for entity in ENTITIES:
            for action in ALL_ACTIONS:
                if most_permissive([a.scope(entity, action), b.scope(entity, action)]) is None:
                    return False
                for one, two in ((a, b), (b, a)):
                    if one.condition(entity, action) and two.scope(entity, action) != "none":
                        return False
        return True

    # Pairs with diag-none, diag-own or diag-all are nearly the other profile alone: used last.
    trivial = {"diag-none", "diag-own", "diag-all"}
    candidates = [(a.name, b.name) for a, b in itertools.combinations(profiles, 2) if unambiguous(a, b)]
    rng.shuffle(candidates)
    candidates.sort(key=lambda pair: sum(name in trivial for name in pair))  # stable: random within a rank
    pairs = candidates[: len(USER_LABELS) * PAIR_ROUNDS]
    assert len(pairs) == len(USER_LABELS) * PAIR_ROUNDS, f"only {len(pairs)} usable pairs in the matrix"
    return profiles, pairs


def round_plan(profiles: list[Profile], pairs: list[tuple[str, str]]) -> list[dict[str, list[str]]]:
    """Which profiles each user holds in each round.

    In the single rounds the profiles are dealt round-robin over the users; as 6 does not divide
    the number of profiles, a profile dealt twice lands on a different user the second time.
    """
    names = [p.name for p in profiles]
    plan: list[dict[str, list[str]]] = []
    for r in range(SINGLE_ROUNDS):
        plan.append({label: [names[(r * len(USER_LABELS) + i) % len(names)]] for i, label in enumerate(USER_LABELS)})
    for r in range(PAIR_ROUNDS):
        chunk = pairs[r * len(USER_LABELS):(r + 1) * len(USER_LABELS)]
        plan.append({label: list(pair) for label, pair in zip(USER_LABELS, chunk)})
    return plan


# --------------------------------------------------------------------------
# collected mismatches


@dataclass
class Mismatch:
    who: str
    endpoint: str
    record: str
    expected: str
    got: str


class Report:
    """Comparisons of the server with the model; asserts once, listing every mismatch."""

    def __init__(self, title: str):
        self.title = title
        self.items: list[Mismatch] = []
        self.checks = 0
        self._lock = threading.Lock()  # the read and write phases report from several threads

    def _record(self, mismatch: Mismatch | None) -> bool:
        with self._lock:
            self.checks += 1
            if mismatch is not None:
                self.items.append(mismatch)
        return mismatch is None

    def compare(self, who: str, endpoint: str, record: str, expected: Any, got: Any) -> bool:
        return self._record(None if expected == got else Mismatch(who, endpoint, record, str(expected), str(got)))

    def status(self, who: str, endpoint: str, record: str, resp: requests.Response, expected: int) -> bool:
        """The status the model expects; an expected error must also be problem+json."""
        if resp.status_code != expected:
            return self._record(Mismatch(who, endpoint, record, str(expected), f"{resp.status_code} {snippet(resp)}"))
        if expected >= 400 and not is_problem(resp):
            return self._record(Mismatch(who, endpoint, record, f"{expected} application/problem+json",
                                         f"{resp.status_code} {resp.headers.get('Content-Type')!r}"))
        return self._record(None)

    def add(self, who: str, endpoint: str, record: str, expected: str, got: str) -> None:
        self._record(Mismatch(who, endpoint, record, expected, got))

    def assert_clean(self, minimum_checks: int = 1) -> None:
        assert self.checks >= minimum_checks, f"{self.title}: only {self.checks} comparisons were made"
        if not self.items:
            return
        shown = self.items[:80]
        lines = [f"{self.title}: {len(self.items)} of {self.checks} comparisons differ from the model"
                 + (f" (first {len(shown)} shown)" if len(shown) < len(self.items) else "")]
        for m in shown:
            lines.append(f"  - {m.who} | {m.endpoint} | {m.record} | expected {m.expected} | got {m.got}")
        raise AssertionError("\n".join(lines))


# --------------------------------------------------------------------------
# the world


@dataclass
class Person:
    label: str
    id: str
    email: str
    password: str
    client: Client
    created: dict[str, Any]  # the body POST /users answered
    initial_me: dict[str, Any] = field(default_factory=dict)


@dataclass
class World:
    server: Server
    tenant: Tenant
    admin: Client
    admin_id: str
    people: dict[str, Person]  # round users plus "hider" and "checker"
    role_ids: dict[str, str]
    team_ids: dict[str, str]
    profiles: dict[str, Profile]
    matrix: list[Profile]
    pairs: list[tuple[str, str]]
    plan: list[dict[str, list[str]]]
    records: list[Rec]
    model: AccessModel
    common: str  # word shared by the names of all matrix records (list filters)
    admin_pool: list[Client]  # one admin client per worker thread

    def user_id(self, label: str) -> str:
        return self.admin_id if label == "admin" else self.people[label].id

    def profile_list(self, names: list[str]) -> list[Profile]:
        return [self.profiles[n] for n in names]


def sign_in(client: Client, email: str, password: str, workspace: str) -> str:
    resp = client.post("auth/token", {"email": email, "password": password, "workspace": workspace}, auth=False)
    body = ok(resp)
    assert isinstance(body.get("token"), str) and body["token"], f"sign-in answered no token: {body!r}"
    return body["token"]


def create_profile(api: Client, profile: Profile) -> Profile:
    body = ok(api.post("profiles", profile.body()), 201)
    assert isinstance(body.get("id"), str), f"POST /profiles answered no id: {body!r}"
    assert body.get("name") == profile.name and body.get("is_default") is False, body
    for entity in ENTITIES:  # what was sent comes back; what was left out is absent or none
        for action in ALL_ACTIONS:
            got = (body.get("permissions") or {}).get(entity, {}).get(action, "none")
            assert got == profile.scope(entity, action), (
                f"profile {profile.name}: {entity}.{action} sent {profile.scope(entity, action)!r}, answered {got!r}")
    profile.id = body["id"]
    return profile


def hider_profile() -> Profile:
    everything = {e: {a: "all" for a in MATRIX_ACTIONS} for e in ENTITIES}
    return Profile("hider", everything, fields={"contacts": {"email": "hidden", "phone_mobile": "hidden"},
                                                "deals": {"amount": "hidden"}})


def checker_profile() -> Profile:
    everything = {e: {a: "all" for a in MATRIX_ACTIONS} for e in ENTITIES}
    return Profile(
        "checker", everything,
        conditions={"deals": {"edit": {"stage_before": "documents"}, "delete": {"stage_in": ["open", "qualification"]}}},
        fields={"contacts": {"title": "read_only"}, "deals": {"probability": "read_only"}},
    )


def wait_searchable(api: Client, rec_token: str, record_id: str, timeout: float = SEARCH_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while True:
        resp = api.get("search", params={"q": rec_token, "limit": "20"})
        assert resp.status_code == 200, f"admin search -> {resp.status_code}: {resp.text[:500]}"
        if record_id in {h.get("id") for h in resp.json().get("data", [])}:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the admin's search does not find {rec_token!r} (record {record_id}) after {timeout}s")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def world(server: Server, tenant: Tenant, api: Client):
    admin_me = ok(api.get("me"))
    assert admin_me.get("is_admin") is True, "the tenant's CLI user must be an administrator"
    admin_id = admin_me["id"]

    # Roles: a tree, parents created first.
    role_ids: dict[str, str] = {}
    for label, parent in ROLE_PARENTS.items():
        body = ok(api.post("roles", {"name": f"Role {label} {rand_hex(4)}",
                                     "parent_id": role_ids[parent] if parent else None}), 201)
        assert body.get("parent_id") == (role_ids[parent] if parent else None), f"POST /roles: {body!r}"
        role_ids[label] = body["id"]

    # Profiles of the matrix, and of the two users of the field tests.
    matrix, pairs = build_matrix()
    profiles = {p.name: create_profile(api, p) for p in matrix}
    for special in (hider_profile(), checker_profile()):
        profiles[special.name] = create_profile(api, special)

    # Users: the six of the tree get no profile_ids (the default profile); the two others get theirs.
    specs: list[tuple[str, dict[str, Any]]] = []
    for label in USER_LABELS:
        specs.append((label, {"role_id": role_ids[label]}))
    specs.append(("hider", {"profile_ids": [profiles["hider"].id]}))
    specs.append(("checker", {"profile_ids": [profiles["checker"].id]}))
    created: dict[str, tuple[dict[str, Any], str]] = {}
    thread_clients: list[Client] = []  # a Session is not shared between threads

    def api_for_thread() -> Client:
        client = Client(api.base_url, api.token)
        thread_clients.append(client)
        return client

    def make_user(label: str, extra: dict[str, Any]) -> None:
        password = f"Pw-{rand_hex(16)}"
        body = {"email": f"{tenant.slug}-{label}@example.test", "name": f"User {label}", "password": password,
                "is_admin": False, **extra}
        answer = ok(api_for_thread().post("users", body), 201)
        assert answer.get("email") == body["email"] and answer.get("is_admin") is False, answer
        assert "password" not in answer and not any("hash" in k for k in answer), f"user body leaks a secret: {answer!r}"
        created[label] = (answer, password)

    in_parallel([lambda label=label, extra=extra: make_user(label, extra) for label, extra in specs], workers=2)

    # Teams with overlapping membership.
    team_ids: dict[str, str] = {}
    for name, (head, members) in TEAMS.items():
        body = ok(api.post("teams", {"name": f"Team {name} {rand_hex(4)}", "head_id": created[head][0]["id"],
                                     "member_ids": [created[m][0]["id"] for m in members]}), 201)
        assert set(body.get("member_ids") or []) == {created[m][0]["id"] for m in members}, f"POST /teams: {body!r}"
        team_ids[name] = body["id"]

    # Everyone signs in with their password (concurrently: bcrypt is slow in a debug build).
    people: dict[str, Person] = {}

    def login(label: str) -> None:
        answer, password = created[label]
        client: Client = RecordingClient(server.base_url, None) if label == "hider" else Client(server.base_url, None)
        client.token = sign_in(client, answer["email"], password, tenant.slug)
        people[label] = Person(label, answer["id"], answer["email"], password, client, answer)

    in_parallel([lambda label=label: login(label) for label in created], workers=2)
    for label in USER_LABELS:  # what the default profile gives, before any round changes it
        people[label].initial_me = ok(people[label].client.get("me"))

    model = AccessModel(
        user_role={people[label].id: role_ids[label] for label in USER_LABELS},
        role_parent={role_ids[label]: (role_ids[p] if p else None) for label, p in ROLE_PARENTS.items()},
        team_members={team_ids[name]: {people[m].id for m in members} for name, (_, members) in TEAMS.items()},
        admins={admin_id},
    )

    # Records: one contact and DEALS_PER_OWNER deals per owner, the deals walking through the stages.
    common = token("pm")
    records: list[Rec] = []
    by_owner: dict[tuple[str, str], list[Rec]] = {}
    deal_no = 0

    def owner_id_of(label: str) -> str:
        return admin_id if label == "admin" else people[label].id

    for owner in OWNER_LABELS:
        word = token()
        body = api.create("contacts", {"first_name": word, "last_name": common, "owner_id": owner_id_of(owner)})
        assert body.get("owner_id") == owner_id_of(owner), f"owner_id was not kept: {body!r}"
        rec = Rec("contacts", body["id"], owner, owner_id_of(owner), word)
        records.append(rec)
        by_owner.setdefault(("contacts", owner), []).append(rec)
        for _ in range(DEALS_PER_OWNER):
            stage = STAGES[deal_no % len(STAGES)]
            deal_no += 1
            word = token()
            payload: dict[str, Any] = {"title": f"{common} {word}", "amount": money(1000 + deal_no), "stage": stage,
                                       "owner_id": owner_id_of(owner)}
            if stage == "lost":
                payload["loss_reason"] = "price"
            body = api.create("deals", payload)
            assert body.get("stage") == stage and body.get("owner_id") == owner_id_of(owner), body
            rec = Rec("deals", body["id"], owner, owner_id_of(owner), word, stage)
            records.append(rec)
            by_owner.setdefault(("deals", owner), []).append(rec)

    for entity, owner, index, kind, target, access in SHARES:
        rec = by_owner[(entity, owner)][index]
        target_id = people[target].id if kind == "user" else team_ids[target]
        body = ok(api.post(f"{rec.path}/shares", {f"{kind}_id": target_id, "access": access}), 201)
        assert body.get(f"{kind}_id") == target_id and body.get("access") == access, f"POST shares: {body!r}"
        rec.shares.append(Share(target_id if kind == "user" else None, target_id if kind == "team" else None,
                                access, f"{kind} {target} {access}"))

    for rec in records:
        wait_searchable(api, rec.token, rec.id)

    profiles_plan = round_plan(matrix, pairs)
    pool = [Client(api.base_url, api.token) for _ in range(WORKERS)]
    built = World(server, tenant, api, admin_id, people, role_ids, team_ids, profiles, matrix, pairs, profiles_plan,
                  records, model, common, pool)
    yield built
    for client in [*pool, *thread_clients, *(p.client for p in people.values())]:
        client.close()


@pytest.fixture(scope="module")
def other(server: Server):
    """The admin of a second workspace in the same database."""
    tenant_b = Tenant(server.database, "perm-other")
    client = tenant_b.client(server)
    client.tenant = tenant_b  # type: ignore[attr-defined]
    yield client
    client.close()


# --------------------------------------------------------------------------
# the directory


def test_directory_objects(world: World) -> None:
    """Users, teams and roles read back as they were built; /me tells a user's place in them."""
    api = world.admin
    listed = {u["id"]: u for u in ok(api.get("users"))["data"]}
    for label in USER_LABELS:
        person = world.people[label]
        expected_teams = {world.team_ids[t] for t, (_, members) in TEAMS.items() if label in members}
        user = ok(api.get(f"users/{person.id}"))
        assert user.get("role_id") == world.role_ids[label], f"{label}: {user!r}"
        assert set(user.get("team_ids") or []) == expected_teams, f"{label}: team_ids {user.get('team_ids')!r}"
        assert user.get("is_admin") is False and user.get("is_active") is True, user
        assert person.id in listed, f"GET /users does not list {label}"
        me = person.initial_me
        assert me.get("id") == person.id and me.get("role_id") == world.role_ids[label], me
        assert set(me.get("team_ids") or []) == expected_teams, f"{label}: /me team_ids {me.get('team_ids')!r}"
    for name, (head, members) in TEAMS.items():
        team = ok(api.get(f"teams/{world.team_ids[name]}"))
        assert team.get("head_id") == world.people[head].id, team
        assert set(team.get("member_ids") or []) == {world.people[m].id for m in members}, team
    teams_listed = {t["id"] for t in ok(api.get("teams"))["data"]}
    assert set(world.team_ids.values()) <= teams_listed
    for label, parent in ROLE_PARENTS.items():
        role = ok(api.get(f"roles/{world.role_ids[label]}"))
        assert role.get("parent_id") == (world.role_ids[parent] if parent else None), role
    roles_listed = {r["id"] for r in ok(api.get("roles"))["data"]}
    assert set(world.role_ids.values()) <= roles_listed


def test_new_users_get_the_default_profile(world: World) -> None:
    """Users created without profile_ids hold the default profile, which gives every action `all`."""
    ours = {p.id for p in world.profiles.values()}
    defaults = set()
    for label in USER_LABELS:
        person = world.people[label]
        given = person.created.get("profile_ids")
        assert isinstance(given, list) and len(given) == 1, f"{label}: profile_ids {given!r}"
        assert given[0] not in ours, f"{label} got one of the module's profiles instead of the default"
        defaults.add(given[0])
        perms = person.initial_me.get("permissions") or {}
        for entity in ("contacts", "companies", "leads", "deals", "activities", "notes"):
            for action in ALL_ACTIONS:
                assert perms.get(entity, {}).get(action) == "all", (
                    f"{label}: default profile gives {entity}.{action} = {perms.get(entity, {}).get(action)!r}")
    assert len(defaults) == 1, f"new users got different default profiles: {defaults}"
    # The two users created with profile_ids got exactly those.
    assert world.people["hider"].created.get("profile_ids") == [world.profiles["hider"].id]
    assert world.people["checker"].created.get("profile_ids") == [world.profiles["checker"].id]


# --------------------------------------------------------------------------
# the matrix rounds


def read_checks(world: World, label: str, profiles: list[Profile], report: Report) -> None:
    """Everything a user can read, against the model: /me, lists, counts, records, search."""
    person = world.people[label]
    client, model = person.client, world.model
    who = f"{label} [{'+'.join(p.name for p in profiles)}]"

    me_resp = client.get("me")
    if report.status(who, "GET /me", "-", me_resp, 200):
        perms = me_resp.json().get("permissions") or {}
        for entity in ENTITIES:
            for action in ALL_ACTIONS:
                expected = model.effective(profiles, entity, action)
                if expected is not None:  # team + subordinates has no single name
                    report.compare(who, "GET /me permissions", f"{entity}.{action}", expected,
                                   (perms.get(entity) or {}).get(action, "none"))

    filters = {"contacts": {"last_name": world.common}, "deals": {"title[starts]": world.common}}
    for entity in ENTITIES:
        mine = [r for r in world.records if r.entity == entity]
        expected_ids = {r.id for r in mine if model.visible(person.id, profiles, r)}
        # The list, small pages so that the cursor crosses hidden rows.
        seen: list[str] = []
        cursor = None
        for _ in range(100):
            params = {**filters[entity], "limit": "4"}
            if cursor:
                params["cursor"] = cursor
            resp = client.get(entity, params=params)
            if not report.status(who, f"GET /{entity} (list)", "-", resp, 200):
                break
            page = resp.json()
            seen.extend(row.get("id") for row in page.get("data", []))
            cursor = page.get("next_cursor")
            if not cursor:
                break
        else:
            report.add(who, f"GET /{entity} (list)", "-", "pagination ends", "more than 100 pages")
        if len(seen) != len(set(seen)):
            report.add(who, f"GET /{entity} (list)", "-", "each row once", f"duplicates in {seen}")
        for rec in mine:
            report.compare(who, f"GET /{entity} (list membership)", rec.describe(), rec.id in expected_ids,
                           rec.id in seen)
        strangers = set(seen) - {r.id for r in mine}
        if strangers:
            report.add(who, f"GET /{entity} (list)", "-", "only matrix records", f"unknown ids {sorted(strangers)}")
        # The count.
        resp = client.get(entity, params={**filters[entity], "count": "true", "limit": "1"})
        if report.status(who, f"GET /{entity}?count=true", "-", resp, 200):
            report.compare(who, f"GET /{entity}?count=true", "total", len(expected_ids), resp.json().get("total"))

    for rec in world.records:
        visible = model.visible(person.id, profiles, rec)
        status = 200 if visible else 404
        resp = client.get(rec.path)
        if report.status(who, f"GET /{rec.entity}/{{id}}", rec.describe(), resp, status) and visible:
            body = resp.json()
            report.compare(who, f"GET /{rec.entity}/{{id}} owner_id", rec.describe(), rec.owner_id, body.get("owner_id"))
        for sub in ("history", "timeline"):
            report.status(who, f"GET /{rec.entity}/{{id}}/{sub}", rec.describe(), client.get(f"{rec.path}/{sub}"), status)
        resp = client.get(f"{rec.path}/shares")
        if report.status(who, f"GET /{rec.entity}/{{id}}/shares", rec.describe(), resp, status) and visible:
            got = {(s.get("user_id"), s.get("team_id"), s.get("access")) for s in resp.json().get("data", [])}
            report.compare(who, f"GET /{rec.entity}/{{id}}/shares (content)", rec.describe(),
                           sorted(map(str, {(s.user_id, s.team_id, s.access) for s in rec.shares})), sorted(map(str, got)))
        resp = client.get("search", params={"q": rec.token, "limit": "20"})
        if report.status(who, "GET /search", rec.describe(), resp, 200):
            hits = {h.get("id") for h in resp.json().get("data", [])}
            report.compare(who, "GET /search (found)", rec.describe(), visible, rec.id in hits)

    # Each round user's deals as this user sees them: the funnel (deals now in each stage, won,
    # lost) and the counters (open deals without a planned activity; someone else's only where
    # the user's read scope on deals reaches them).
    admin = person.id in model.admins
    for owner_label in USER_LABELS:
        owner_id = world.people[owner_label].id
        deals = [r for r in world.records if r.entity == "deals" and r.owner_id == owner_id
                 and model.visible(person.id, profiles, r)]
        what = f"deals of {owner_label}"
        resp = client.get("reports/funnel", params={"owner": owner_id})
        if report.status(who, "GET /reports/funnel?owner=", what, resp, 200):
            body = resp.json()
            current = {stage.get("key"): stage.get("current") for stage in body.get("stages", [])}
            for stage in STAGES:
                expected = sum(1 for r in deals if r.stage == stage)
                got = (body.get(stage) or {}).get("count") if stage in ("won", "lost") else current.get(stage)
                report.compare(who, "GET /reports/funnel (deals per stage)", f"{what}, {stage}", expected, got)
        reaches = admin or owner_id == person.id or any(
            model.covers(p.scope("deals", "read"), person.id, owner_id) for p in profiles)
        resp = client.get("counters", params={"user_id": owner_id})
        if report.status(who, "GET /counters?user_id=", what, resp, 200 if reaches else 403) and reaches:
            open_deals = sum(1 for r in deals if r.stage not in ("won", "lost"))
            report.compare(who, "GET /counters (deals without activity)", what, open_deals,
                           resp.json().get("deals_without_activity"))


def restore(world: World, admin: Client, rec: Rec, who: str, report: Report) -> None:
    """Bring back a record a user deleted, with the shares the model knows about."""
    resp = admin.post(f"trash/{rec.entity}/{rec.id}/restore")
    if not report.status(who, "admin restore after delete", rec.describe(), resp, 200):
        return
    if not rec.shares:
        return
    # Shares are not part of what the contract says about the trash: if restoring dropped them,
    # report it and put them back so that the rest of the round still tests what it means to.
    resp = admin.get(f"{rec.path}/shares")
    got = {(s.get("user_id"), s.get("team_id"), s.get("access")) for s in resp.json().get("data", [])} \
        if resp.status_code == 200 else set()
    for share in rec.shares:
        if (share.user_id, share.team_id, share.access) not in got:
            report.add(who, "shares kept through delete + restore", rec.describe(), share.label, "missing")
            body = {"user_id": share.user_id} if share.user_id else {"team_id": share.team_id}
            admin.post(f"{rec.path}/shares", {**body, "access": share.access})


def write_checks(world: World, label: str, profiles: list[Profile], records: list[Rec], admin: Client,
                 report: Report, round_no: int) -> None:
    """PATCH, share and DELETE each record, against the model; deleted records are restored."""
    person = world.people[label]
    client, model = person.client, world.model
    who = f"{label} [{'+'.join(p.name for p in profiles)}]"
    checker_id = world.people["checker"].id
    for rec in records:
        visible = model.visible(person.id, profiles, rec)
        editable = model.editable(person.id, profiles, rec)
        deletable = model.deletable(person.id, profiles, rec)

        resp = client.patch(rec.path, {"description": f"round {round_no}, {label}"})
        report.status(who, f"PATCH /{rec.entity}/{{id}}", rec.describe(), resp, 200 if editable else 403 if visible else 404)

        # Sharing needs the right to edit; the user takes the share back at once.
        resp = client.post(f"{rec.path}/shares", {"user_id": checker_id, "access": "read"})
        expected = 201 if editable else 403 if visible else 404
        report.status(who, f"POST /{rec.entity}/{{id}}/shares", rec.describe(), resp, expected)
        if resp.status_code == 201:
            share_id = (resp.json() or {}).get("id")
            if expected == 201:
                gone = client.delete(f"{rec.path}/shares/{share_id}")
                report.status(who, f"DELETE /{rec.entity}/{{id}}/shares/{{share}}", rec.describe(), gone, 204)
                if gone.status_code != 204:
                    admin.delete(f"{rec.path}/shares/{share_id}")
            else:
                admin.delete(f"{rec.path}/shares/{share_id}")

        resp = client.delete(rec.path)
        report.status(who, f"DELETE /{rec.entity}/{{id}}", rec.describe(), resp, 204 if deletable else 403 if visible else 404)
        if resp.status_code == 204:
            restore(world, admin, rec, who, report)


def create_checks(world: World, label: str, profiles: list[Profile], admin: Client, report: Report,
                  round_word: str) -> None:
    """POST each entity with each possible owner (and with none: the caller), against the model."""
    person = world.people[label]
    client, model = person.client, world.model
    who = f"{label} [{'+'.join(p.name for p in profiles)}]"
    for entity in ENTITIES:
        for owner in (None, *OWNER_LABELS):
            owner_id = person.id if owner is None else world.user_id(owner)
            word = token()
            body: dict[str, Any] = ({"first_name": word, "last_name": round_word} if entity == "contacts"
                                    else {"title": f"{round_word} {word}"})
            if owner is not None:
                body["owner_id"] = owner_id
            allowed = model.may_create(person.id, profiles, entity, owner_id)
            what = f"new {entity[:-1]} owned by {owner or label + ' (default)'}"
            resp = client.post(entity, body)
            report.status(who, f"POST /{entity}", what, resp, 201 if allowed else 403)
            if resp.status_code != 201:
                continue
            new_id = (resp.json() or {}).get("id")
            if not new_id:  # the answer may leave the record out if the creator cannot read it
                key = {"first_name": word} if entity == "contacts" else {"title": f"{round_word} {word}"}
                rows = admin.get(entity, params={**key, "limit": "5"}).json().get("data", [])
                new_id = rows[0]["id"] if rows else None
            if new_id:
                stored = admin.get(f"{entity}/{new_id}")
                if stored.status_code == 200:
                    report.compare(who, f"POST /{entity} owner_id", what, owner_id, stored.json().get("owner_id"))
                admin.delete(f"{entity}/{new_id}")


def assign(world: World, label: str, names: list[str]) -> None:
    ids = [world.profiles[n].id for n in names]
    body = ok(world.admin.patch(f"users/{world.people[label].id}", {"profile_ids": ids}))
    assert sorted(body.get("profile_ids") or []) == sorted(ids), f"PATCH /users profile_ids answered {body!r}"


@pytest.mark.parametrize("round_no", range(ROUNDS), ids=[f"round{n}" for n in range(ROUNDS)])
def test_matrix_round(world: World, round_no: int) -> None:
    plan = world.plan[round_no]
    report = Report(f"access matrix round {round_no} ({'two profiles' if round_no >= SINGLE_ROUNDS else 'one profile'} per user)")
    for label, names in plan.items():
        assign(world, label, names)
    holders = {label: world.profile_list(names) for label, names in plan.items()}
    labels = list(plan)

    # 1. Reads: every user at once (nothing changes meanwhile).
    in_parallel([lambda label=label: read_checks(world, label, holders[label], report) for label in labels])

    # 2. Writes: a Latin square, so that no two users touch the same record at the same time.
    blocks = [world.records[j::len(labels)] for j in range(len(labels))]
    for step in range(len(labels)):
        in_parallel([
            lambda i=i, label=label: write_checks(world, label, holders[label], blocks[(i + step) % len(labels)],
                                                  world.admin_pool[i % len(world.admin_pool)], report, round_no)
            for i, label in enumerate(labels)
        ])

    # 3. Creates, with every owner; what was created is removed again by the admin.
    round_word = token("cr")
    in_parallel([
        lambda i=i, label=label: create_checks(world, label, holders[label], world.admin_pool[i % len(world.admin_pool)],
                                               report, round_word)
        for i, label in enumerate(labels)
    ])
    admin = world.admin
    for entity, params in (("contacts", {"last_name": round_word}), ("deals", {"title[starts]": round_word})):
        left = admin.get(entity, params={**params, "limit": "50"})
        report.status("admin", f"GET /{entity} after the create probes", "-", left, 200)
        if left.status_code == 200:
            report.compare("admin", f"records left by refused or removed creates ({entity})", round_word, [],
                           [row.get("id") for row in left.json().get("data", [])])

    # 4. The state is as the model says: every record back, with exactly its shares.
    for rec in world.records:
        resp = admin.get(f"{rec.path}/shares")
        if report.status("admin", "shares after the round", rec.describe(), resp, 200):
            got = sorted(map(str, {(s.get("user_id"), s.get("team_id"), s.get("access")) for s in resp.json()["data"]}))
            report.compare("admin", "shares after the round", rec.describe(),
                           sorted(map(str, {(s.user_id, s.team_id, s.access) for s in rec.shares})), got)

    # Each user x record makes at least 10 comparisons; a round that made fewer did not run.
    report.assert_clean(minimum_checks=len(labels) * len(world.records) * 10)


def test_matrix_is_not_trivial(world: World) -> None:
    """The generated matrix and organisation give every outcome somewhere (else rounds prove little)."""
    model = world.model
    seen: dict[str, set[Any]] = {"visible": set(), "editable": set(), "deletable": set(), "create": set()}
    shared_only = 0
    for plan in world.plan:
        for label, names in plan.items():
            profiles = world.profile_list(names)
            uid = world.people[label].id
            for rec in world.records:
                vis = model.visible(uid, profiles, rec)
                seen["visible"].add(vis)
                seen["editable"].add((vis, model.editable(uid, profiles, rec)))
                seen["deletable"].add((vis, model.deletable(uid, profiles, rec)))
                if vis and not any(model.covers(p.scope(rec.entity, "read"), uid, rec.owner_id) for p in profiles):
                    shared_only += 1
            for owner in OWNER_LABELS:
                seen["create"].add(model.may_create(uid, profiles, "deals", world.user_id(owner)))
    assert seen["visible"] == {True, False}
    assert {(True, True), (True, False), (False, False)} <= seen["editable"]
    assert {(True, True), (True, False), (False, False)} <= seen["deletable"]
    assert seen["create"] == {True, False}
    assert shared_only > 0, "no record is visible through a share alone in any round"


# --------------------------------------------------------------------------
# hidden fields


@dataclass
class HiddenData:
    contact: dict[str, Any]
    deal: dict[str, Any]
    word: str  # unique word in both records' names
    surname: str
    markers: list[str]  # strings that must never reach the hider
    emails: list[str]
    amounts: list[str]
    phone: str


@pytest.fixture(scope="module")
def hidden(world: World) -> HiddenData:
    """A contact and a deal whose hidden fields hold unique markers (changed once, so history has two)."""
    api = world.admin
    rng = random.SystemRandom()
    mail_words = [token("hm"), token("hm")]
    emails = [f"{w}@example.test" for w in mail_words]
    amounts = [str(rng.randint(10 ** 8, 10 ** 9 - 1)) for _ in range(2)]
    tail = f"{rng.randint(1000000, 9999999)}"
    word, surname = token("hd"), token("Hs")
    contact = api.create("contacts", {"first_name": word, "last_name": surname, "email": emails[0],
                                      "phone_mobile": f"8916{tail}", "title": "Visible title"})
    ok(api.patch(f"contacts/{contact['id']}", {"email": emails[1]}))
    deal = api.create("deals", {"title": f"Hidden {word}", "amount": money(amounts[0]), "stage": "proposal"})
    ok(api.patch(f"deals/{deal['id']}", {"amount": money(amounts[1])}))
    wait_searchable(api, word, contact["id"])
    wait_searchable(api, word, deal["id"])
    phone_forms = [tail, f"{tail[:3]}-{tail[3:5]}-{tail[5:]}", f"{tail[:3]} {tail[3:5]} {tail[5:]}"]
    return HiddenData(api.fetch("contacts", contact["id"]), api.fetch("deals", deal["id"]), word, surname,
                      [*mail_words, *amounts, *phone_forms], emails, amounts, f"8916{tail}")


HIDDEN_FIELDS = (("contacts", "email"), ("contacts", "phone_mobile"), ("deals", "amount"))


def leaks(log: list[tuple[str, str, int, str]], markers: list[str]) -> list[str]:
    found = []
    for method, url, status, text in log:
        for marker in markers:
            if marker in text:
                found.append(f"{method} {url} -> {status} contains {marker!r}: {text[:300]}")
    return found


def test_hidden_fields_are_never_read(world: World, hidden: HiddenData) -> None:
    hider = world.people["hider"].client
    assert isinstance(hider, RecordingClient)
    start = len(hider.log)
    api = world.admin
    # The admin sees the markers: the stored values are there.
    assert api.fetch("contacts", hidden.contact["id"]).get("email") == hidden.emails[1]
    assert str(hidden.amounts[1]) in json.dumps(api.fetch("deals", hidden.deal["id"]).get("amount"))

    me = ok(hider.get("me"))
    assert (me.get("fields") or {}).get("contacts", {}).get("email") == "hidden", me.get("fields")
    assert (me.get("fields") or {}).get("deals", {}).get("amount") == "hidden", me.get("fields")

    contact = ok(hider.get(f"contacts/{hidden.contact['id']}"))
    assert contact.get("last_name") == hidden.surname and contact.get("title") == "Visible title", contact
    assert "email" not in contact and "phone_mobile" not in contact, f"hidden keys in GET: {contact!r}"
    deal = ok(hider.get(f"deals/{hidden.deal['id']}"))
    assert deal.get("title") == hidden.deal["title"] and "amount" not in deal, f"hidden key in GET: {deal!r}"

    rows = ok(hider.get("contacts", params={"last_name": hidden.surname}))["data"]
    assert [r["id"] for r in rows] == [hidden.contact["id"]]
    assert all("email" not in r and "phone_mobile" not in r for r in rows), rows
    rows = ok(hider.get("deals", params={"title": hidden.deal["title"]}))["data"]
    assert [r["id"] for r in rows] == [hidden.deal["id"]] and "amount" not in rows[0], rows

    hits = {h["id"] for h in ok(hider.get("search", params={"q": hidden.word}))["data"]}
    assert {hidden.contact["id"], hidden.deal["id"]} <= hits, "visible records are found by their name"
    # A hidden value never finds the record (the administrator finds it so), as typed or whole.
    email_word = hidden.emails[1].split("@")[0]
    for q in (hidden.emails[1], email_word, email_word[:5], hidden.phone, hidden.phone[:7]):
        assert hidden.contact["id"] in {h["id"] for h in ok(api.get("search", params={"q": q}))["data"]}, q
        hits = {h["id"] for h in ok(hider.get("search", params={"q": q}))["data"]}
        assert hidden.contact["id"] not in hits, f"the hidden value {q!r} found the record"
    # Visible words still do, together with nothing hidden.
    hits = {h["id"] for h in ok(hider.get("search", params={"q": f"{hidden.word} {hidden.surname[:4]}"}))["data"]}
    assert hidden.contact["id"] in hits
    hider.get("contacts", params={"q": hidden.surname})
    for path in (f"contacts/{hidden.contact['id']}", f"deals/{hidden.deal['id']}"):
        ok(hider.get(f"{path}/history"))
        ok(hider.get(f"{path}/timeline"))
        ok(hider.get(f"{path}/shares"))
    hider.get("history", params={"entity": "contacts", "limit": "100"})
    hider.get("history", params={"entity": "deals", "limit": "100"})

    # Write answers leave the hidden fields out too.
    answer = ok(hider.patch(f"contacts/{hidden.contact['id']}", {"description": "seen by the hider"}))
    assert "email" not in answer and "phone_mobile" not in answer, answer
    answer = ok(hider.patch(f"deals/{hidden.deal['id']}", {"description": "seen by the hider"}))
    assert "amount" not in answer, answer
    made = ok(hider.post("contacts", {"first_name": token(), "last_name": hidden.surname + "x"}), 201)
    assert "email" not in made and "phone_mobile" not in made, made
    made = ok(hider.post("deals", {"title": f"Hider's {token()}"}), 201)
    assert "amount" not in made, made

    found = leaks(hider.log[start:], hidden.markers)
    assert not found, "hidden values reached the user:\n" + "\n".join(found)


def test_hidden_fields_cannot_be_filtered_or_sorted(world: World) -> None:
    hider, api = world.people["hider"].client, world.admin
    values = {"email": "someone@example.test", "phone_mobile": "+79160000000", "amount": "100"}
    for entity, name in HIDDEN_FIELDS:
        ghost = f"zz{rand_hex(6)}"  # a field that does not exist
        for shape in ("{f}", "{f}[empty]", "sort={f}", "sort=-{f}"):
            def query(field_name: str) -> dict[str, str]:
                if shape.startswith("sort="):
                    return {"sort": shape[len("sort="):].format(f=field_name)}
                return {shape.format(f=field_name): "false" if shape.endswith("[empty]") else values[name]}

            params = query(name)
            # The admin may: the field exists and takes this filter or sort.
            assert api.get(entity, params=params).status_code == 200, f"admin {entity} {params}"
            # The hider gets what a field that does not exist gets: 422 with the same error codes,
            # naming the hidden key where the unknown one would be named.
            baseline = hider.get(entity, params=query(ghost))
            assert_problem(baseline, 422)
            resp = hider.get(entity, params=params)
            assert_problem(resp, 422)
            expected = sorted((f.replace(ghost, name), c) for f, c in error_codes(baseline))
            assert error_codes(resp) == expected, f"{entity} {params}: {error_codes(resp)} vs unknown field {expected}"


def test_hidden_fields_cannot_be_written_and_keep_their_value(world: World, hidden: HiddenData) -> None:
    hider, api = world.people["hider"].client, world.admin
    cid, did = hidden.contact["id"], hidden.deal["id"]
    before_contact, before_deal = api.fetch("contacts", cid), api.fetch("deals", did)

    assert_problem(hider.patch(f"contacts/{cid}", {"email": "new@example.test"}), 422, fields=["email"])
    assert_problem(hider.patch(f"contacts/{cid}", {"phone_mobile": None}), 422, fields=["phone_mobile"])
    assert_problem(hider.patch(f"deals/{did}", {"amount": money(1)}), 422, fields=["amount"])
    assert_problem(hider.patch(f"deals/{did}", {"amount": None, "description": "x"}), 422, fields=["amount"])
    assert api.fetch("contacts", cid) == before_contact, "a refused write changed the contact"
    assert api.fetch("deals", did) == before_deal, "a refused write changed the deal"

    surname = token("Hw")
    assert_problem(hider.post("contacts", {"last_name": surname, "email": "x@example.test"}), 422, fields=["email"])
    assert_problem(hider.post("deals", {"title": surname, "amount": money(5)}), 422, fields=["amount"])
    assert api.count("contacts", {"last_name": surname}) == 0
    assert api.count("deals", {"title": surname}) == 0

    # A permitted write by the hider keeps the stored hidden values.
    ok(hider.patch(f"contacts/{cid}", {"title": "Changed by the hider"}))
    ok(hider.patch(f"deals/{did}", {"probability": 45}))
    after_contact, after_deal = api.fetch("contacts", cid), api.fetch("deals", did)
    assert after_contact["title"] == "Changed by the hider"
    assert after_contact.get("email") == before_contact.get("email") == hidden.emails[1]
    assert after_contact.get("phone_mobile") == before_contact.get("phone_mobile")
    assert after_deal.get("probability") == 45
    assert after_deal.get("amount") == before_deal.get("amount")
    found = leaks(hider.log, hidden.markers)
    assert not found, "hidden values reached the user:\n" + "\n".join(found)


def test_hidden_markers_never_reached_the_user(world: World, hidden: HiddenData) -> None:
    """The whole life of the hider in this module: sign-in, every test above, and a last look."""
    hider = world.people["hider"].client
    assert isinstance(hider, RecordingClient)
    ok(hider.get(f"contacts/{hidden.contact['id']}"))
    ok(hider.get("contacts", params={"last_name": hidden.surname}))
    ok(hider.get("search", params={"q": hidden.word}))
    assert len(hider.log) >= 5
    found = leaks(hider.log, hidden.markers)
    assert not found, f"{len(found)} of {len(hider.log)} responses carried a hidden value:\n" + "\n".join(found[:20])


# --------------------------------------------------------------------------
# read-only fields and stage conditions (the "checker" user)


def test_read_only_fields(world: World) -> None:
    checker, api = world.people["checker"].client, world.admin
    surname = token("Ro")
    contact = api.create("contacts", {"last_name": surname, "title": "Head of sales"})
    deal = api.create("deals", {"title": f"Read-only {surname}", "probability": 30, "stage": "open"})

    # Visible, and usable in filters like any visible field.
    assert ok(checker.get(f"contacts/{contact['id']}")).get("title") == "Head of sales"
    assert ok(checker.get(f"deals/{deal['id']}")).get("probability") == 30
    assert [r["id"] for r in ok(checker.get("contacts", params={"last_name": surname, "title": "Head of sales"}))["data"]] \
        == [contact["id"]]

    def refused(resp: requests.Response, name: str) -> None:
        body = assert_problem(resp, 422, fields=[name])
        codes = {e.get("code") for e in body["errors"] if e.get("field") == name}
        assert "read_only" in codes, f"expected code read_only for {name}: {body['errors']!r}"

    before = api.fetch("contacts", contact["id"])
    refused(checker.patch(f"contacts/{contact['id']}", {"title": "CEO"}), "title")
    refused(checker.patch(f"contacts/{contact['id']}", {"title": "Head of sales", "department": "x"}), "title")
    refused(checker.patch(f"deals/{deal['id']}", {"probability": 90}), "probability")
    refused(checker.post("contacts", {"last_name": surname, "title": "Intern"}), "title")
    refused(checker.post("deals", {"title": f"New {surname}", "probability": 10}), "probability")
    assert api.fetch("contacts", contact["id"]) == before
    assert api.count("contacts", {"last_name": surname}) == 1
    assert api.count("deals", {"title": f"New {surname}"}) == 0

    # Other fields are writable, and the read-only one keeps its value.
    answer = ok(checker.patch(f"contacts/{contact['id']}", {"department": "Sales"}))
    assert answer.get("title") == "Head of sales" and answer.get("department") == "Sales", answer
    assert ok(checker.post("contacts", {"last_name": surname}), 201).get("title") in (None, "")


def test_stage_conditions(world: World) -> None:
    """Edit allowed while the deal is before `documents`, delete only early on (from the model)."""
    checker, api, model = world.people["checker"], world.admin, world.model
    profiles = [world.profiles["checker"]]
    report = Report("stage conditions")
    base = token("st")
    deals: list[Rec] = []
    for stage in STAGES:
        body: dict[str, Any] = {"title": f"{base} {stage}", "stage": stage}
        if stage == "lost":
            body["loss_reason"] = "timing"
        made = api.create("deals", body)
        deals.append(Rec("deals", made["id"], "admin", world.admin_id, base, stage))
    outcomes = {model.editable(checker.id, profiles, r) for r in deals}
    assert outcomes == {True, False}, "the condition should allow some stages and refuse others"

    for rec in deals:
        before = api.fetch("deals", rec.id)
        editable = model.editable(checker.id, profiles, rec)
        resp = checker.client.patch(rec.path, {"description": "stage check"})
        report.status("checker", "PATCH deal", rec.describe(), resp, 200 if editable else 403)
        if not editable:
            report.compare("checker", "refused PATCH changes nothing", rec.describe(), before["version"],
                           api.fetch("deals", rec.id)["version"])
        deletable = model.deletable(checker.id, profiles, rec)
        resp = checker.client.delete(rec.path)
        report.status("checker", "DELETE deal", rec.describe(), resp, 204 if deletable else 403)
        if resp.status_code == 204:
            report.status("admin", "restore", rec.describe(), api.post(f"trash/deals/{rec.id}/restore"), 200)

    # The condition reads the stored stage: moving a deal into `documents` is allowed once...
    rec = next(r for r in deals if r.stage == "negotiation")
    moved = checker.client.patch(rec.path, {"stage": "documents"})
    report.status("checker", "PATCH stage negotiation -> documents", rec.describe(), moved,
                  200 if model.editable(checker.id, profiles, rec) else 403)
    if moved.status_code == 200:
        rec.stage = "documents"
    # ...after which the deal is no longer editable, until the admin moves it back.
    resp = checker.client.patch(rec.path, {"description": "after documents"})
    report.status("checker", "PATCH after the move", rec.describe(), resp, 200 if model.editable(checker.id, profiles, rec) else 403)
    ok(api.patch(rec.path, {"stage": "proposal"}))
    rec.stage = "proposal"
    resp = checker.client.patch(rec.path, {"description": "back in proposal"})
    report.status("checker", "PATCH after the admin moved it back", rec.describe(), resp,
                  200 if model.editable(checker.id, profiles, rec) else 403)
    report.assert_clean(minimum_checks=len(STAGES) * 2 + 3)


# --------------------------------------------------------------------------
# two workspaces in one database


def test_other_workspace_gets_404_for_every_id(world: World, other: Client) -> None:
    api = world.admin
    report = Report("workspace B against workspace A's ids")
    before = {rec.id: api.fetch(rec.entity, rec.id) for rec in world.records}
    share_ids = {rec.id: [s["id"] for s in ok(api.get(f"{rec.path}/shares"))["data"]] for rec in world.records}
    b_me = ok(other.get("me"))
    for rec in world.records:
        what = rec.describe()
        report.status("B admin", "GET", what, other.get(rec.path), 404)
        report.status("B admin", "PATCH", what, other.patch(rec.path, {"description": "from B"}), 404)
        report.status("B admin", "DELETE", what, other.delete(rec.path), 404)
        for sub in ("history", "timeline", "shares"):
            report.status("B admin", f"GET {sub}", what, other.get(f"{rec.path}/{sub}"), 404)
        report.status("B admin", "POST shares", what,
                      other.post(f"{rec.path}/shares", {"user_id": b_me["id"], "access": "edit"}), 404)
        for share_id in share_ids[rec.id]:
            report.status("B admin", "DELETE share", what, other.delete(f"{rec.path}/shares/{share_id}"), 404)
        report.status("B admin", "restore", what, other.post(f"trash/{rec.entity}/{rec.id}/restore"), 404)
    for label in USER_LABELS:
        uid = world.people[label].id
        report.status("B admin", "GET user", label, other.get(f"users/{uid}"), 404)
        report.status("B admin", "PATCH user", label, other.patch(f"users/{uid}", {"is_active": False}), 404)
    for name, tid in world.team_ids.items():
        report.status("B admin", "GET team", name, other.get(f"teams/{tid}"), 404)
        report.status("B admin", "PATCH team", name, other.patch(f"teams/{tid}", {"member_ids": []}), 404)
        report.status("B admin", "DELETE team", name, other.delete(f"teams/{tid}"), 404)
    for label, rid in world.role_ids.items():
        report.status("B admin", "GET role", label, other.get(f"roles/{rid}"), 404)
        report.status("B admin", "PATCH role", label, other.patch(f"roles/{rid}", {"name": "taken over"}), 404)
        report.status("B admin", "DELETE role", label, other.delete(f"roles/{rid}"), 404)
    report.assert_clean(minimum_checks=len(world.records) * 7)

    # B's lists and counts know nothing of A's records.
    assert other.count("contacts", {"last_name": world.common}) == 0
    assert other.count("deals", {"title[starts]": world.common}) == 0
    assert not {u["id"] for u in ok(other.get("users"))["data"]} & {p.id for p in world.people.values()}
    # B cannot point its own records or users at A's users, teams, roles or profiles.
    mine = other.create("contacts", {"last_name": token("Bb")})
    assert_problem(other.post(f"contacts/{mine['id']}/shares", {"user_id": world.people["rep_a"].id, "access": "read"}),
                   (404, 422))
    assert_problem(other.post(f"contacts/{mine['id']}/shares", {"team_id": world.team_ids["alpha"], "access": "read"}),
                   (404, 422))
    b_tenant = other.tenant  # type: ignore[attr-defined]
    assert_problem(other.post("users", {"email": f"{b_tenant.slug}-x@example.test", "name": "X", "password": "Pw-12345678",
                                        "profile_ids": [world.profiles["diag-all"].id]}), (404, 422))
    assert_problem(other.post("roles", {"name": "Under A", "parent_id": world.role_ids["director"]}), (404, 422))
    assert_problem(other.post("teams", {"name": "With A", "member_ids": [world.people["rep_a"].id]}), (404, 422))
    # A's users cannot sign in to B.
    person = world.people["rep_b"]
    assert_problem(other.post("auth/token", {"email": person.email, "password": person.password,
                                             "workspace": b_tenant.slug}, auth=False), 401)
    # A is unchanged.
    after = {rec.id: api.fetch(rec.entity, rec.id) for rec in world.records}
    assert after == before, "workspace B changed workspace A's records"


# --------------------------------------------------------------------------
# the admin-only directory API and its validation


def test_directory_writes_are_for_admins_only(world: World) -> None:
    api = world.admin
    person = world.people["rep_a"]
    user = person.client
    name = token("nx")
    refusals = [
        user.post("users", {"email": f"{name}@example.test", "name": name, "password": "Pw-12345678"}),
        user.post("teams", {"name": name, "member_ids": [person.id]}),
        user.post("roles", {"name": name, "parent_id": None}),
        user.post("profiles", {"name": name, "permissions": {"contacts": {"read": "all"}}, "fields": {}, "conditions": {}}),
        user.patch(f"users/{person.id}", {"is_admin": True}),
        user.patch(f"users/{person.id}", {"profile_ids": [world.profiles["diag-all"].id]}),
        user.patch(f"users/{world.people['rep_b'].id}", {"is_active": False}),
        user.patch(f"teams/{world.team_ids['alpha']}", {"member_ids": [person.id]}),
        user.delete(f"teams/{world.team_ids['beta']}"),
        user.patch(f"roles/{world.role_ids['rep_a']}", {"parent_id": None}),
        user.delete(f"roles/{world.role_ids['rep_b']}"),
    ]
    for resp in refusals:
        assert_problem(resp, 403)
    # Reading the directory is for everyone.
    for path in ("users", "teams", "roles"):
        assert isinstance(ok(user.get(path)).get("data"), list)
    # Nothing changed.
    me = ok(user.get("me"))
    assert me.get("is_admin") is False
    assert ok(api.get(f"users/{world.people['rep_b'].id}")).get("is_active") is True
    assert name not in json.dumps(ok(api.get("users"))) + json.dumps(ok(api.get("teams"))) + json.dumps(ok(api.get("roles")))
    alpha = ok(api.get(f"teams/{world.team_ids['alpha']}"))
    assert set(alpha["member_ids"]) == {world.people[m].id for m in TEAMS["alpha"][1]}
    assert ok(api.get(f"teams/{world.team_ids['beta']}"))["id"] == world.team_ids["beta"]
    assert ok(api.get(f"roles/{world.role_ids['rep_a']}"))["parent_id"] == world.role_ids["mgr_a"]
    assert ok(api.get(f"roles/{world.role_ids['rep_b']}"))["id"] == world.role_ids["rep_b"]


def test_profile_validation(world: World) -> None:
    api = world.admin
    bad = {
        "unknown entity": {"permissions": {"widgets": {"read": "all"}}},
        "unknown action": {"permissions": {"contacts": {"fly": "all"}}},
        "unknown scope": {"permissions": {"contacts": {"read": "everyone"}}},
        "unknown field": {"fields": {"contacts": {"no_such_field": "hidden"}}},
        "unknown field mode": {"fields": {"contacts": {"email": "secret"}}},
        "unknown entity in fields": {"fields": {"widgets": {"email": "hidden"}}},
        "unknown entity in conditions": {"conditions": {"widgets": {"edit": {"stage_in": ["open"]}}}},
    }
    for case, extra in bad.items():
        body = {"name": f"bad {case} {rand_hex(4)}", "permissions": {}, "fields": {}, "conditions": {}, **extra}
        resp = api.post("profiles", body)
        assert resp.status_code == 422, f"{case}: {resp.status_code} {resp.text[:300]}"
        assert_problem(resp, 422)
    # The same shape with known names is accepted.
    good = {"name": f"good {rand_hex(4)}", "permissions": {"contacts": {"read": "team"}},
            "fields": {"contacts": {"email": "read_only"}}, "conditions": {"deals": {"edit": {"stage_in": ["open"]}}}}
    ok(api.post("profiles", good), 201)


def test_role_cycles_are_refused(world: World) -> None:
    api = world.admin
    top = ok(api.post("roles", {"name": token("Top"), "parent_id": None}), 201)
    middle = ok(api.post("roles", {"name": token("Mid"), "parent_id": top["id"]}), 201)
    leaf = ok(api.post("roles", {"name": token("Leaf"), "parent_id": middle["id"]}), 201)
    assert_problem(api.patch(f"roles/{top['id']}", {"parent_id": leaf["id"]}), 422)
    assert_problem(api.patch(f"roles/{top['id']}", {"parent_id": top["id"]}), 422)
    assert_problem(api.patch(f"roles/{middle['id']}", {"parent_id": leaf["id"]}), 422)
    assert ok(api.get(f"roles/{top['id']}")).get("parent_id") is None
    assert ok(api.get(f"roles/{middle['id']}")).get("parent_id") == top["id"]
    # A legal move still works.
    assert ok(api.patch(f"roles/{leaf['id']}", {"parent_id": top["id"]})).get("parent_id") == top["id"]
