#!/usr/bin/env python3
"""Query plans and database-only timings for the benchmark's three questions.

    explain.py --database URL --dir RESULTS_DIR

Reads RESULTS_DIR/samples.json and the *.paths files, rebuilds the SQL the server sends for each
scenario (RecordStore.fetch, RecordQueryCompiler.page, SearchIndexStore.search) and prints:
the plan (SQLite: EXPLAIN QUERY PLAN, with and without the ANALYZE statistics; PostgreSQL:
EXPLAIN (ANALYZE, BUFFERS) under the server's restricted role and workspace setting), and the
time the database alone takes, one query at a time, for every sample. Run it while nothing else
loads the machine.

With --access RESULTS_DIR/access.json (written by access.py) the list page is also planned and
timed as the team-scope user asks it: the owners their profile reaches (themselves and their
teammates) as a bound IN list, or a record shared with them (RecordQueryCompiler.visibilityCondition).
"""

import argparse
import json
import statistics
import time
import uuid
from urllib.parse import parse_qs, unquote, urlsplit

from generate import compact, digits, match_key, words


# SearchTerms.query and SearchIndexStore.ftsQuery / tsQuery
def query_terms(text: str) -> list[str]:
    text = text.strip()
    letters = [ch for ch in text if ch.isalpha()]
    if len(digits(text)) >= 5 and not letters:
        key = match_key(text)
        if key is not None:
            return [key]
    if "@" in text:
        return [compact(text)]
    return words(text)[:8]


def fts_query(terms):
    return " ".join('"' + t.replace('"', '""') + '"*' for t in terms)


def ts_query(terms):
    cleaned = ["".join(ch for ch in t if ch.isalpha() or ch.isnumeric()) for t in terms]
    return " & ".join(t + ":*" for t in cleaned if t)


def read_paths(path):
    with open(path, encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip()]


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(label, seconds):
    ms = [s * 1000 for s in seconds]
    return (f"{label}: n={len(ms)} p50={pct(ms, 50):.2f} ms p90={pct(ms, 90):.2f} ms p99={pct(ms, 99):.2f} ms "
            f"max={max(ms):.2f} ms mean={statistics.mean(ms):.2f} ms")


def team_list(access, mark, as_id, nulls=""):
    """The team user's list page (RecordQueryCompiler.page with the visibility condition): the SQL
    and a function giving its parameters for a surname."""
    owners = sorted({access["user_id"]} | set(access["teammates"]))
    grantees = [access["user_id"], access["user_team_id"]]
    sql = ("SELECT contacts.* FROM contacts WHERE workspace_id = {m} AND (contacts.owner_id IN ({owners}) "
           "OR contacts.id IN (SELECT record_id FROM record_shares WHERE workspace_id = {m} AND grantee_id IN ({grantees}) "
           "AND entity = {m})) AND deleted_at IS NULL AND last_name = {m} ORDER BY first_name ASC{nulls}, id ASC LIMIT 51"
           ).format(m=mark, owners=", ".join([mark] * len(owners)), grantees=", ".join([mark] * len(grantees)),
                    nulls=nulls)
    workspace = access["workspace_id"]

    def params(surname):
        return (as_id(workspace), *map(as_id, owners), as_id(workspace), *map(as_id, grantees), "contacts", surname)

    return sql, params


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--repeat", type=int, default=1, help="timing passes over the samples")
    parser.add_argument("--searches", type=int, default=400, help="search queries to time")
    parser.add_argument("--access", help="access.json of bench/access.py: also the team user's list page")
    args = parser.parse_args()
    access = None
    if args.access:
        with open(args.access, encoding="utf-8") as handle:
            access = json.load(handle)
    with open(f"{args.dir}/samples.json", encoding="utf-8") as handle:
        samples = json.load(handle)
    workspace = samples["workspace_id"]
    ids = [c["id"] for c in samples["contacts"]]
    surnames = [parse_qs(urlsplit(p).query)["last_name"][0] for p in read_paths(f"{args.dir}/list.paths")]
    searches = [unquote(urlsplit(p).query[2:].replace("+", " ")) for p in read_paths(f"{args.dir}/search.paths")]
    name_query = next(q for q in searches if not any(ch.isdigit() for ch in q))
    phone_query = next(q for q in searches if any(ch.isdigit() for ch in q))
    top = surnames[0]
    out = []

    if args.database.startswith("sqlite:"):
        import apsw

        db = apsw.Connection(args.database[len("sqlite:"):], flags=apsw.SQLITE_OPEN_READONLY)
        # Readers are opened like the server's (SQLiteDatabase.openConnection).
        db.execute("PRAGMA cache_size = -16000")
        db.execute("PRAGMA temp_store = MEMORY")
        get_sql = "SELECT * FROM contacts WHERE workspace_id = ? AND id = ? AND deleted_at IS NULL"
        list_sql = ("SELECT * FROM contacts WHERE workspace_id = ? AND deleted_at IS NULL AND last_name = ? "
                    "ORDER BY first_name ASC, id ASC LIMIT 51")
        search_sql = ("SELECT d.entity AS entity, d.record_id AS record_id, d.title AS title, d.subtitle AS subtitle, "
                      "bm25(search_fts) AS score FROM search_fts JOIN search_documents d ON d.doc_id = search_fts.rowid "
                      "WHERE search_fts MATCH ? AND d.workspace_id = ? ORDER BY score LIMIT 20")
        count_sql = ("SELECT COUNT(*) FROM search_fts JOIN search_documents d ON d.doc_id = search_fts.rowid "
                     "WHERE search_fts MATCH ? AND d.workspace_id = ?")

        def plan(sql, params):
            return "\n".join("  " + row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, params))

        cases = [("get by id", get_sql, (workspace, ids[0])),
                 (f"list last_name={top} sort=first_name", list_sql, (workspace, top)),
                 (f"search q={name_query}", search_sql, (fts_query(query_terms(name_query)), workspace)),
                 (f"search q={phone_query}", search_sql, (fts_query(query_terms(phone_query)), workspace))]
        if access:
            team_sql, team_params = team_list(access, "?", lambda value: value)
            cases.append((f"team user's list last_name={top} sort=first_name", team_sql, team_params(top)))
        out.append("## SQLite query plans (with ANALYZE statistics, as loaded)")
        for label, sql, params in cases:
            out.append(f"{label}:\n{plan(sql, params)}")
        # The server never runs ANALYZE: show what the planner picks on a database without statistics.
        db2 = apsw.Connection(args.database[len("sqlite:"):])
        db2.execute("BEGIN")
        db2.execute("DELETE FROM sqlite_stat1")
        db2.execute("ANALYZE sqlite_schema")
        out.append("## SQLite query plans without statistics (sqlite_stat1 emptied in a rolled-back transaction)")
        for label, sql, params in cases[1:2]:
            rows = db2.execute("EXPLAIN QUERY PLAN " + sql, params)
            out.append(f"{label}:\n" + "\n".join("  " + row[3] for row in rows))
            started = time.perf_counter()
            for name in surnames:
                list(db2.execute(sql, (workspace, name)))
            out.append(f"  (time without statistics: {(time.perf_counter() - started) * 1000 / len(surnames):.2f} ms per query)")
        db2.execute("ROLLBACK")
        db2.close()

        def run(sql, params):
            started = time.perf_counter()
            rows = list(db.execute(sql, params))
            return time.perf_counter() - started, len(rows)

        matches = [int(next(iter(db.execute(count_sql, (fts_query(query_terms(q)), workspace))))[0]) for q in searches[:200]]
        out.append(f"## search matches per query (first 200 queries): median {statistics.median(matches)}, "
                   f"max {max(matches)}")
        out.append("## Database-only time (one connection, one query at a time)")
        for _ in range(args.repeat):
            out.append(summary("get by id", [run(get_sql, (workspace, i))[0] for i in ids]))
            out.append(summary("list page", [run(list_sql, (workspace, n))[0] for n in surnames * 5]))
            if access:
                out.append(summary("list page, team user", [run(team_sql, team_params(n))[0] for n in surnames * 5]))
            out.append(summary("search", [run(search_sql, (fts_query(query_terms(q)), workspace))[0]
                                         for q in searches[: args.searches]]))
        db.close()
    else:
        import psycopg

        conn = psycopg.connect(args.database, autocommit=True)
        cur = conn.cursor()
        cur.execute("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'clientele_app')")
        if cur.fetchone()[0]:
            cur.execute("SET role clientele_app")
        cur.execute("SELECT set_config('clientele.workspace_id', %s, false)", (workspace,))
        get_sql = "SELECT * FROM contacts WHERE workspace_id = %s AND id = %s AND deleted_at IS NULL"
        list_sql = ("SELECT * FROM contacts WHERE workspace_id = %s AND deleted_at IS NULL AND last_name = %s "
                    "ORDER BY first_name ASC NULLS FIRST, id ASC LIMIT 51")
        search_sql = ("SELECT entity, record_id, title, subtitle, ts_rank(tsv, to_tsquery('simple', %s)) AS score "
                      "FROM search_documents WHERE workspace_id = %s AND tsv @@ to_tsquery('simple', %s) "
                      "ORDER BY score DESC LIMIT 20")

        def plan(sql, params):
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            return "\n".join("  " + row[0] for row in cur.fetchall())

        name_ts, phone_ts = ts_query(query_terms(name_query)), ts_query(query_terms(phone_query))
        cases = [("get by id", get_sql, (workspace, ids[0])),
                 (f"list last_name={top} sort=first_name", list_sql, (workspace, top)),
                 (f"search q={name_query}", search_sql, (name_ts, workspace, name_ts)),
                 (f"search q={phone_query}", search_sql, (phone_ts, workspace, phone_ts))]
        if access:
            team_sql, team_params = team_list(access, "%s", uuid.UUID, " NULLS FIRST")
            cases.append((f"team user's list last_name={top} sort=first_name", team_sql, team_params(top)))
        out.append("## PostgreSQL plans (EXPLAIN ANALYZE, BUFFERS; role clientele_app, workspace set)")
        for label, sql, params in cases:
            plan(sql, params)  # warm
            out.append(f"{label}:\n{plan(sql, params)}")

        def run(sql, params):
            started = time.perf_counter()
            cur.execute(sql, params)
            cur.fetchall()
            return time.perf_counter() - started

        out.append("## Database-only time (one connection, one query at a time, psycopg round trip included)")
        for _ in range(args.repeat):
            out.append(summary("get by id", [run(get_sql, (workspace, i)) for i in ids]))
            out.append(summary("list page", [run(list_sql, (workspace, n)) for n in surnames * 5]))
            if access:
                out.append(summary("list page, team user", [run(team_sql, team_params(n)) for n in surnames * 5]))
            out.append(summary("search", [run(search_sql, (ts_query(query_terms(q)), workspace, ts_query(query_terms(q))))
                                         for q in searches[: args.searches]]))
        conn.close()
    print("\n".join(out))


if __name__ == "__main__":
    main()
