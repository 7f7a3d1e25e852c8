#!/usr/bin/env python3
"""Sets up the access-control workload of the benchmark (issue 13) on a loaded database.

    access.py --database URL --url http://127.0.0.1:PORT --token ADMIN_TOKEN --out RESULTS_DIR

With the server running on a database that bench/generate.py has filled:

1. through the API (as the administrator): one permission profile that gives team scope, 5 teams
   and 50 users, 10 to a team, each with only that profile;
2. straight in SQL (a million rows through the API would take hours): the owners of the contacts
   and companies spread evenly over the 50 users and the administrator, one UPDATE per chunk of
   rows, then the statistics rebuilt (SQLite: the owner index dropped for the update and built
   again, ANALYZE; PostgreSQL: indexes dropped, VACUUM FULL, indexes rebuilt, VACUUM ANALYZE);
3. through the API: 1,000 contacts owned outside the first user's team shared with that user;
4. that user signs in (POST /auth/token); the number of contacts the API shows them is checked
   against the database's own count.

Writes RESULTS_DIR/access.json (ids, counts and timings, for explain.py and the record) and prints
the team user's token on the last line of stdout. Restart the server afterwards: its SQLite
connections read the planner statistics only when they open.
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
TABLES = ("contacts", "companies")  # the records whose owners are spread
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

    def spread_owners(self, workspace: str, owners: list[str], chunk: int) -> dict:
        """owner_id = owners[rowid % len(owners)], a chunk of rowids per statement."""
        timings = {}
        for table in TABLES:
            started = time.monotonic()
            index = self.rows("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                              "AND name = ?", (table, f"{table}_owner"))
            if index:
                self.db.execute(f"DROP INDEX {index[0][0]}")
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS bench_owners (k INTEGER PRIMARY KEY, owner_id TEXT NOT NULL)")
            self.db.execute("DELETE FROM bench_owners")
            self.db.executemany("INSERT INTO bench_owners (k, owner_id) VALUES (?, ?)", list(enumerate(owners)))
            low, high = self.rows(f"SELECT MIN(rowid), MAX(rowid) FROM {table}")[0]
            statements = 0
            if low is not None:
                for start in range(low, high + 1, chunk):
                    self.db.execute(
                        f"UPDATE {table} SET owner_id = (SELECT owner_id FROM bench_owners WHERE k = {table}.rowid % ?) "
                        "WHERE workspace_id = ? AND rowid >= ? AND rowid < ?",
                        (len(owners), workspace, start, start + chunk))
                    statements += 1
                    self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            # The index and its statistics appear together for the server's connections.
            self.db.execute("BEGIN")
            if index:
                self.db.execute(index[0][1])
            self.db.execute(f"ANALYZE {table}")
            self.db.execute("COMMIT")
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            timings[table] = {"statements": statements, "seconds": round(time.monotonic() - started, 1)}
            log(f"{table}: owners spread with {statements} UPDATE statement(s), index rebuilt, ANALYZE "
                f"({timings[table]['seconds']} s)")
        return timings

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

    def spread_owners(self, workspace: str, owners: list[str], chunk: int) -> dict:
        """owner_id = owners[hash(id) % len(owners)], one UPDATE per range of heap pages (a TID
        range scan; the owner depends on the id only, so a row met twice is harmless). The
        secondary indexes are dropped for it and built again after VACUUM FULL."""
        timings = {}
        self.cur.execute("SET maintenance_work_mem = '1GB'")
        values = ", ".join(f"({k}, '{owner}'::uuid)" for k, owner in enumerate(owners))
        for table in TABLES:
            started = time.monotonic()
            indexes = self.rows(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' AND i.tablename = %s "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)", (table,))
            total = int(self.scalar(f"SELECT COUNT(*) FROM {table}"))
            pages = int(self.scalar("SELECT pg_relation_size(%s) / current_setting('block_size')::int", (table,)))
            step = max(1, chunk * pages // max(total, 1))
            statements = 0
            try:
                for name, _ in indexes:
                    self.cur.execute(f'DROP INDEX "{name}"')
                for first in range(0, pages, step):
                    self.cur.execute(
                        f"UPDATE {table} t SET owner_id = o.owner_id FROM (VALUES {values}) AS o(k, owner_id) "
                        f"WHERE t.ctid >= '({first},0)'::tid AND t.ctid < '({first + step},0)'::tid "
                        f"AND t.workspace_id = %s AND o.k = abs(hashtext(t.id::text)::bigint) %% {len(owners)}",
                        (workspace,))
                    statements += 1
                self.cur.execute(f"VACUUM FULL {table}")
            finally:
                for _, definition in indexes:
                    self.cur.execute(definition)
            # VACUUM FULL leaves the visibility map empty and the dead-row count of the UPDATE in the
            # statistics (autovacuum would come during the measurements): a plain VACUUM settles both.
            self.cur.execute(f"VACUUM ANALYZE {table}")
            timings[table] = {"statements": statements, "seconds": round(time.monotonic() - started, 1)}
            log(f"{table}: owners spread with {statements} UPDATE statement(s), VACUUM FULL, {len(indexes)} indexes "
                f"rebuilt, VACUUM ANALYZE ({timings[table]['seconds']} s)")
        return timings

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
    parser.add_argument("--database", required=True, help="sqlite:PATH or postgres://...")
    parser.add_argument("--url", required=True, help="the running server, e.g. http://127.0.0.1:18480")
    parser.add_argument("--token", required=True, help="an administrator's token")
    parser.add_argument("--out", required=True, help="the results directory (access.json goes there)")
    parser.add_argument("--workspace", default="default", help="the workspace's slug (sign-in)")
    parser.add_argument("--chunk", type=int, default=100_000, help="rows per UPDATE statement")
    args = parser.parse_args()

    api = API(args.url, args.token)
    db = open_db(args.database)
    me = api.call("GET", "/me")
    admin = me["id"]
    workspace = db.scalar("SELECT workspace_id FROM workspaces WHERE slug = ?" if db.dialect == "sqlite"
                          else "SELECT workspace_id FROM workspaces WHERE slug = %s", (args.workspace,))
    if workspace is None:
        sys.exit(f"no workspace {args.workspace}")
    workspace = str(workspace)
    if db.dialect == "postgres":
        db.set_workspace(workspace)
    timings = {}

    # 1. A team-scope profile, 5 teams, 50 users.
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
    timings["users_teams_profile_s"] = round(time.monotonic() - started, 1)
    log(f"profile {profile}, {TEAMS} teams, {len(users)} users ({timings['users_teams_profile_s']} s)")
    user, team = users[0], teams[0]
    teammates = members[team]

    # 2. Owners: the administrator and the 50 users, evenly.
    owners = [admin] + users
    timings["owners"] = db.spread_owners(workspace, owners, args.chunk)
    counts = db.owner_counts(workspace, "contacts")
    unexpected = set(counts) - set(owners)
    if unexpected:
        sys.exit(f"contacts still owned by {sorted(unexpected)[:3]}")
    log(f"contacts per owner: {min(counts.values()):,} to {max(counts.values()):,} ({len(counts)} owners)")

    # 3. 1,000 contacts owned outside the user's team, shared with the user.
    started = time.monotonic()
    shared = db.outside(workspace, teammates, SHARES)
    for record in shared:
        api.call("POST", f"/contacts/{record}/shares", {"user_id": user, "access": "read"})
    db.analyze_access()
    timings["shares_s"] = round(time.monotonic() - started, 1)
    log(f"{len(shared)} contacts shared with the team user ({timings['shares_s']} s)")

    # 4. The team user signs in; what the API shows them must be what the database says.
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
