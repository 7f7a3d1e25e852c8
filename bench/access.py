#!/usr/bin/env python3
"""Sets up the access-control workload of the benchmark (issue 13), in two phases around the load.

    access.py --phase users --database URL --url http://127.0.0.1:PORT --token ADMIN_TOKEN --out RESULTS_DIR
    (bench/generate.py --owners RESULTS_DIR/access-users.json ...)
    access.py --phase shares --database URL --url ... --token ... --out RESULTS_DIR

1. `--phase users`, on the empty workspace, through the API (as the administrator): one permission
   profile that gives team scope, 5 teams and 50 users, 10 to a team, each with only that
   profile. Writes RESULTS_DIR/access-users.json, whose "owners" (the administrator and the 50
   users) bench/generate.py gives the contacts and companies in turn: the records are loaded with
   their owners, and their search documents with the owners' access terms (decision 0009), as
   the server would have written them.
2. `--phase shares`, on the loaded database: checks that the owners are spread as planned; shares
   1,000 contacts owned outside the first user's team with that user through the API; that user
   signs in (POST /auth/token) and the number of contacts the API shows them is checked against
   the database's own count.

The second phase writes RESULTS_DIR/access.json (ids, counts and timings, for explain.py and the
record) and prints the team user's token on the last line of stdout. Restart the server
afterwards: its SQLite connections read the planner statistics only when they open.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import time
from urllib.parse import urlsplit

USERS_PER_TEAM = 10
TEAMS = 5
SHARES = 1000
PASSWORD = "bench-team-password-1"
TEAM_PROFILE = {
    "contacts": {"read": "team", "create": "team", "edit": "team", "delete": "own"},
    "companies": {"read": "team"},
    "deals": {"read": "team"},
    "leads": {"read": "team"},
    "activities": {"read": "team"},
    "notes": {"read": "team"},
}
# The entities the profile lets the user read, in the server's order (BuiltinEntities.all).
READABLE = [name for name in ("leads", "contacts", "companies", "deals", "notes", "activities") if name in TEAM_PROFILE]
STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[access {time.monotonic() - STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


class API:
    """A small JSON client on one kept-alive connection (the standard library only)."""

    def __init__(self, base: str, token: str | None):
        parts = urlsplit(base)
        self.host, self.port, self.token = parts.hostname, parts.port or 80, token
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)

    def call(self, method: str, path: str, body=None, token: str | None = "default", expect=(200, 201)):
        headers = {"Accept": "application/json"}
        token = self.token if token == "default" else token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                self.conn.request(method, "/api/v1" + path, body=data, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (ConnectionError, http.client.HTTPException):
                # The server closed the kept-alive connection: open another one, once.
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
                if attempt == 2:
                    raise
        if response.status not in expect:
            sys.exit(f"{method} {path} -> {response.status}: {text[:400]}")
        return json.loads(text) if text else None


class SQLiteDB:
    dialect = "sqlite"

    def __init__(self, path: str):
        import apsw  # the server's SQLite features (FTS5 contentless-delete) need a current library

        self.db = apsw.Connection(path)
        self.db.execute("PRAGMA busy_timeout = 30000")
        self.db.execute("PRAGMA cache_size = -500000")

    def rows(self, sql, params=()):
        return list(self.db.execute(sql, params))

    def scalar(self, sql, params=()):
        for row in self.db.execute(sql, params):
            return row[0]
        return None

    def owner_counts(self, workspace: str, table: str) -> dict[str, int]:
        return dict(self.rows(f"SELECT owner_id, COUNT(*) FROM {table} WHERE workspace_id = ? AND deleted_at IS NULL "
                              "GROUP BY owner_id", (workspace,)))

    def outside(self, workspace: str, members: list[str], count: int) -> list[str]:
        # Ordered by the random tail of the UUIDv7 ids: spread over the whole table, and the same
        # rows on every run of the same data.
        marks = ", ".join("?" * len(members))
        return [row[0] for row in self.rows(
            f"SELECT id FROM contacts WHERE workspace_id = ? AND deleted_at IS NULL AND owner_id NOT IN ({marks}) "
            "ORDER BY substr(id, 25) LIMIT ?", (workspace, *members, count))]

    def visible(self, workspace: str, members: list[str], user: str) -> int:
        marks = ", ".join("?" * len(members))
        return int(self.scalar(
            f"SELECT COUNT(*) FROM contacts WHERE workspace_id = ? AND deleted_at IS NULL AND (owner_id IN ({marks}) "
            "OR id IN (SELECT record_id FROM record_shares WHERE workspace_id = ? AND grantee_id = ? "
            "AND entity = 'contacts'))", (workspace, *members, workspace, user)))

    def analyze_access(self) -> None:
        for table in ("users", "teams", "team_members", "profiles", "user_profiles", "record_shares"):
            self.db.execute(f"ANALYZE {table}")

    def close(self):
        self.db.close()


class PostgresDB:
    dialect = "postgres"

    def __init__(self, url: str):
        import psycopg

        # The bench's URL names the cluster's superuser, which row-level security lets through;
        # the workspace setting is there for a URL that names another role.
        self.conn = psycopg.connect(url, autocommit=True)
        self.cur = self.conn.cursor()

    def rows(self, sql, params=()):
        self.cur.execute(sql, params)
        return self.cur.fetchall()

    def scalar(self, sql, params=()):
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    def set_workspace(self, workspace: str) -> None:
        self.cur.execute("SELECT set_config('clientele.workspace_id', %s, false)", (workspace,))

    def owner_counts(self, workspace: str, table: str) -> dict[str, int]:
        return {str(owner): n for owner, n in self.rows(
            f"SELECT owner_id, COUNT(*) FROM {table} WHERE workspace_id = %s AND deleted_at IS NULL GROUP BY owner_id",
            (workspace,))}

    def outside(self, workspace: str, members: list[str], count: int) -> list[str]:
        return [str(row[0]) for row in self.rows(
            "SELECT id FROM contacts WHERE workspace_id = %s AND deleted_at IS NULL AND NOT (owner_id = ANY(%s::uuid[])) "
            "ORDER BY right(id::text, 12) LIMIT %s", (workspace, members, count))]

    def visible(self, workspace: str, members: list[str], user: str) -> int:
        return int(self.scalar(
            "SELECT COUNT(*) FROM contacts WHERE workspace_id = %s AND deleted_at IS NULL AND (owner_id = ANY(%s::uuid[]) "
            "OR id IN (SELECT record_id FROM record_shares WHERE workspace_id = %s AND grantee_id = %s "
            "AND entity = 'contacts'))", (workspace, members, workspace, user)))

    def analyze_access(self) -> None:
        for table in ("users", "teams", "team_members", "profiles", "user_profiles", "record_shares"):
            self.cur.execute(f"VACUUM ANALYZE {table}")

    def close(self):
        self.conn.close()


def open_db(url: str):
    if url.startswith("sqlite:"):
        return SQLiteDB(url[len("sqlite:"):])
    if url.startswith(("postgres://", "postgresql://")):
        return PostgresDB(url)
    sys.exit(f"unsupported database URL: {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phase", required=True, choices=("users", "shares"))
    parser.add_argument("--database", required=True, help="sqlite:PATH or postgres://...")
    parser.add_argument("--url", required=True, help="the running server, e.g. http://127.0.0.1:18480")
    parser.add_argument("--token", required=True, help="an administrator's token")
    parser.add_argument("--out", required=True, help="the results directory (access-users.json, access.json)")
    parser.add_argument("--workspace", default="default", help="the workspace's slug (sign-in)")
    args = parser.parse_args()

    api = API(args.url, args.token)
    if args.phase == "users":
        create_users(api, args.out)
    else:
        share_and_check(api, args)


def create_users(api: API, out: str) -> None:
    """A team-scope profile, 5 teams, 50 users; the owners the loader gives records in turn."""
    admin = api.call("GET", "/me")["id"]
    started = time.monotonic()
    profile = api.call("POST", "/profiles", {"name": "Bench team scope", "permissions": TEAM_PROFILE})["id"]
    teams = [api.call("POST", "/teams", {"name": f"Bench team {t + 1}", "member_ids": []})["id"] for t in range(TEAMS)]
    users, members = [], {team: [] for team in teams}
    for n in range(TEAMS * USERS_PER_TEAM):
        team = teams[n // USERS_PER_TEAM]
        user = api.call("POST", "/users", {
            "email": f"bench-user-{n + 1:02d}@example.com", "name": f"Bench User {n + 1:02d}", "password": PASSWORD,
            "profile_ids": [profile], "team_ids": [team]})
        if user.get("profile_ids") != [profile] or user.get("team_ids") != [team]:
            sys.exit(f"user {user.get('email')} came back with profiles {user.get('profile_ids')} and teams {user.get('team_ids')}")
        users.append(user["id"])
        members[team].append(user["id"])
    seconds = round(time.monotonic() - started, 1)
    log(f"profile {profile}, {TEAMS} teams, {len(users)} users ({seconds} s)")
    document = {"admin_id": admin, "profile_id": profile, "team_ids": teams, "members": members,
                "owners": [admin] + users, "users_teams_profile_s": seconds}
    with open(f"{out}/access-users.json", "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=1)


def share_and_check(api: API, args) -> None:
    with open(f"{args.out}/access-users.json", encoding="utf-8") as handle:
        setup = json.load(handle)
    db = open_db(args.database)
    workspace = db.scalar("SELECT workspace_id FROM workspaces WHERE slug = ?" if db.dialect == "sqlite"
                          else "SELECT workspace_id FROM workspaces WHERE slug = %s", (args.workspace,))
    if workspace is None:
        sys.exit(f"no workspace {args.workspace}")
    workspace = str(workspace)
    if db.dialect == "postgres":
        db.set_workspace(workspace)
    timings = {"users_teams_profile_s": setup["users_teams_profile_s"]}
    admin, profile, teams, members, owners = (setup[key] for key in ("admin_id", "profile_id", "team_ids", "members", "owners"))
    users = owners[1:]
    user, team = users[0], teams[0]
    teammates = members[team]

    # The loader gave the records these owners in turn.
    counts = db.owner_counts(workspace, "contacts")
    unexpected = set(counts) - set(owners)
    if unexpected or len(counts) != len(owners):
        sys.exit(f"contacts owned by {len(counts)} users, {len(unexpected)} of them not the planned owners: "
                 "was the database loaded with generate.py --owners?")
    log(f"contacts per owner: {min(counts.values()):,} to {max(counts.values()):,} ({len(counts)} owners)")

    # 1,000 contacts owned outside the user's team, shared with the user.
    started = time.monotonic()
    shared = db.outside(workspace, teammates, SHARES)
    for record in shared:
        api.call("POST", f"/contacts/{record}/shares", {"user_id": user, "access": "read"})
    db.analyze_access()
    timings["shares_s"] = round(time.monotonic() - started, 1)
    log(f"{len(shared)} contacts shared with the team user ({timings['shares_s']} s)")

    # The team user signs in; what the API shows them must be what the database says.
    email = "bench-user-01@example.com"
    token = api.call("POST", "/auth/token", {"email": email, "password": PASSWORD, "workspace": args.workspace},
                     token=None)["token"]
    seen = api.call("GET", "/contacts?limit=1&count=true", token=token).get("total")
    expected = db.visible(workspace, teammates, user)
    everyone = api.call("GET", "/contacts?limit=1&count=true").get("total")
    log(f"the team user sees {seen:,} of {everyone:,} contacts (the database counts {expected:,})")
    if seen != expected:
        sys.exit(f"the API shows the team user {seen} contacts, the database counts {expected}")

    document = {
        "backend": db.dialect, "workspace_id": workspace, "admin_id": admin, "profile_id": profile,
        "team_ids": teams, "members": members, "user_id": user, "user_email": email, "user_team_id": team,
        "teammates": teammates, "readable_entities": READABLE, "shares": len(shared), "shared_sample": shared[:20],
        "contacts_total": everyone, "contacts_visible_to_user": seen,
        "contacts_per_owner": {"min": min(counts.values()), "max": max(counts.values())}, "timings": timings,
        "total_seconds": round(time.monotonic() - STARTED, 1),
    }
    with open(f"{args.out}/access.json", "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=1)
    db.close()
    print(token)


if __name__ == "__main__":
    main()
