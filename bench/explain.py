#!/usr/bin/env python3
"""Query plans and database-only timings for the benchmark's three questions.

    explain.py --database URL --dir RESULTS_DIR

Reads RESULTS_DIR/samples.json and the *.paths files, rebuilds the SQL the server sends for each
scenario (RecordStore.fetch, RecordQueryCompiler.page, SearchIndexStore.search: two tiers, the
words as typed and as prefixes, each ranking the newest 200 matches) and prints:
the plan (SQLite: EXPLAIN QUERY PLAN, with and without the ANALYZE statistics; PostgreSQL:
EXPLAIN (ANALYZE, BUFFERS) under the server's restricted role and workspace setting), and the
time the database alone takes, one query at a time, for every sample. Run it while nothing else
loads the machine.

With --access RESULTS_DIR/access.json (written by access.py) the list page and the search are also
planned and timed as the team-scope user asks them: the owners their profile reaches (themselves
and their teammates) as an IN list, or a record shared with them
(RecordQueryCompiler.visibilityCondition); for the search, each document's record is checked so
(RecordQueryCompiler.recordRowsVisibility). Values are written into the SQL as literals here.
"""

import argparse
import json
import statistics
import time
import uuid
from urllib.parse import parse_qs, unquote, urlsplit

from generate import compact, digits, match_key, words


# SearchTerms.query / queryWords and SearchIndexStore.ftsQuery / tsQuery
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


def query_words(text: str) -> list[list[str]]:
    """Each word with its spellings; a number as typed (3 digits or more) in its usual forms."""
    text = text.strip()
    number = digits(text)
    if len(number) >= 3 and all(ch.isdigit() or ch in " +-()." for ch in text):
        spellings = [number[-10:] if len(number) > 10 else number]
        if len(number) <= 11 and number[0] in "78" and len(number) >= 4:
            spellings.append(number[1:])
        if len(number) > 10:
            spellings.append(number)
        return [list(dict.fromkeys(spellings))]
    return [[term] for term in query_terms(text)]


def fts_query(words_, workspace, prefix):
    tag = workspace.lower()[-12:] + "_"  # the workspace tag of every indexed term (SQLite)
    parts = []
    for spellings in words_:
        each = ['"' + tag + s.replace('"', '""') + '"' + ("*" if prefix else "") for s in spellings]
        parts.append(each[0] if len(each) == 1 else "(" + " OR ".join(each) + ")")
    return " AND ".join(parts)


def ts_query(words_, prefix):
    parts = []
    for spellings in words_:
        each = ["".join(ch for ch in s if ch.isalpha() or ch.isnumeric()) for s in spellings]
        each = [t + (":*" if prefix else "") for t in each if t]
        if each:
            parts.append(each[0] if len(each) == 1 else "(" + " | ".join(each) + ")")
    return " & ".join(parts)


def literal(text):
    return "'" + str(text).replace("'", "''") + "'"


CANDIDATES = 200  # SearchIndexStore.candidateLimit
INDEXED_TERMS = 4  # SearchAccess.indexedTerms
SEARCH_LIMIT = 20  # the API's default


def search_sql(dialect, text, workspace, visible=None, access_terms=None):
    """SearchIndexStore.search for all entities; `visible` is the caller's document condition,
    `access_terms` their access terms (SearchAccess.queryTerms)."""
    words_ = query_words(text)
    ws = literal(workspace)
    if dialect == "sqlite":
        def tier(exact):
            query = fts_query(words_, workspace, prefix=not exact)
            narrowing = ""
            if visible is not None and access_terms:
                if len(access_terms) <= INDEXED_TERMS:
                    query += " AND (" + " OR ".join(f'"{t}"' for t in access_terms) + ")"
                else:
                    narrowing = "(" + " OR ".join(f"instr(d.access, {literal(t)}) > 0" for t in access_terms) + ") AND "
            match = literal(query)
            score = "bm25(search_fts, 1.0, 0.0)" if exact else "0.0"
            if visible is None:
                return (f"SELECT * FROM (SELECT rowid AS doc_id, {0 if exact else 1} AS tier, {score} AS score FROM search_fts "
                        f"WHERE search_fts MATCH {match} ORDER BY rowid DESC LIMIT {CANDIDATES})")
            return (f"SELECT * FROM (SELECT search_fts.rowid AS doc_id, {0 if exact else 1} AS tier, {score} AS score "
                    f"FROM search_fts JOIN search_documents d ON d.doc_id = search_fts.rowid WHERE search_fts MATCH {match} "
                    f"AND d.workspace_id = {ws} AND {narrowing}{visible} ORDER BY search_fts.rowid DESC LIMIT {CANDIDATES})")
        return ("SELECT d.entity AS entity, d.record_id AS record_id, d.title AS title, d.subtitle AS subtitle, c.tier AS tier, "
                "c.score AS score FROM (SELECT doc_id, MIN(tier) AS tier, MIN(score) AS score FROM ("
                + tier(True) + " UNION ALL " + tier(False)
                + f") GROUP BY doc_id) c JOIN search_documents d ON d.doc_id = c.doc_id WHERE d.workspace_id = {ws} "
                f"ORDER BY tier, score, d.doc_id DESC LIMIT {SEARCH_LIMIT}")

    def tier(exact):
        # As the server: the look-up function (decision 0004, migration 0012), with the team user's
        # access terms as its second tsquery. The server then checks the candidates entity by
        # entity (SearchIndexStore.visibleCandidates: `team_candidates_check` below).
        query = literal(ts_query(words_, prefix=not exact))
        narrowed = visible is not None and access_terms
        terms = literal(" | ".join(access_terms)) if narrowed else "NULL"
        cap = CANDIDATES if visible is None or narrowed else "NULL"
        part = (f"(SELECT d.entity, d.record_id, d.title, d.subtitle, {0 if exact else 1} AS tier, d.score "
                f"FROM crm_search_documents({query}, {terms}, NULL, {cap}) AS d(entity, record_id, title, subtitle, score)")
        if visible is not None and not narrowed:
            part += " WHERE " + visible
        return part + f" LIMIT {CANDIDATES})"
    return ("SELECT entity, record_id, MIN(title) AS title, MIN(subtitle) AS subtitle, MIN(tier) AS tier, MAX(score) AS score "
            "FROM (" + tier(True) + " UNION ALL " + tier(False) + ") c GROUP BY entity, record_id "
            f"ORDER BY MIN(tier), MAX(score) DESC, record_id DESC LIMIT {SEARCH_LIMIT}")


def team_owners_shares(access, table):
    """RecordQueryCompiler.visibilityCondition (read) for the team user: the owners, then one probe
    each of the record's shares, follows and (activities) participants."""
    owners = ", ".join(literal(o) for o in sorted({access["user_id"]} | set(access["teammates"])))
    grantees = ", ".join(literal(g) for g in (access["user_id"], access["user_team_id"]))
    ws = literal(access["workspace_id"])
    user = literal(access["user_id"])
    return (f"({table}.owner_id IN ({owners}) OR EXISTS (SELECT 1 FROM record_shares rs WHERE rs.workspace_id = {ws} "
            f"AND rs.entity = {{entity}} AND rs.record_id = {table}.id AND rs.grantee_id IN ({grantees})) "
            f"OR EXISTS (SELECT 1 FROM follows rf WHERE rf.workspace_id = {ws} AND rf.entity = {{entity}} "
            f"AND rf.record_id = {table}.id AND rf.user_id = {user}){{participants}})")


def pg_candidates_sql(text, access_terms):
    """The first step of the server's PostgreSQL search for a caller with access terms: both
    tiers' candidates, unranked (SearchIndexStore.visibleCandidates)."""
    words_ = query_words(text)
    terms = literal(" | ".join(access_terms))
    return " UNION ALL ".join(
        f"SELECT d.entity, d.record_id, d.title, d.subtitle, {0 if exact else 1} AS tier, d.score "
        f"FROM crm_search_documents({literal(ts_query(words_, prefix=not exact))}, {terms}, NULL, {CANDIDATES}) "
        "AS d(entity, record_id, title, subtitle, score)" for exact in (True, False))


def team_candidates_check(access, entity, ids):
    """The second step of the server's PostgreSQL search for a caller with access terms: which of
    one entity's candidates they may read."""
    ws = literal(access["workspace_id"])
    participants = ""
    condition = team_owners_shares(access, entity).replace("{entity}", literal(entity)).replace("{participants}", participants)
    return (f"SELECT id FROM {entity} WHERE workspace_id = {ws} AND {condition} AND id IN ("
            + ", ".join(literal(i) for i in ids) + ")")


def team_access_terms(access):
    """SearchAccess.queryTerms for the team user: the teammates as owners, the user and their team
    as grantees."""
    owners = {access["user_id"]} | set(access["teammates"])
    return sorted({"o" + o.lower()[-12:] for o in owners} | {"g" + g.lower()[-12:] for g in (access["user_id"], access["user_team_id"])})


def team_search_visibility(access):
    """RecordQueryCompiler.recordRowsVisibility for the team user: per readable entity, the
    document's record passes the entity's visibility condition."""
    ws = literal(access["workspace_id"])
    parts = []
    for entity in access["readable_entities"]:
        participants = ""
        if entity == "activities":
            participants = (f" OR EXISTS (SELECT 1 FROM record_links rl WHERE rl.workspace_id = {ws} AND "
                            f"rl.kind = 'activity_participant' AND rl.from_id = t.id AND rl.to_id = {literal(access['user_id'])})")
        condition = team_owners_shares(access, "t").replace("{entity}", literal(entity)).replace("{participants}", participants)
        parts.append(f"(d.entity = {literal(entity)} AND EXISTS (SELECT 1 FROM {entity} t WHERE t.workspace_id = {ws} "
                     f"AND t.id = d.record_id AND {condition}))")
    return "(" + " OR ".join(parts) + ")"


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
           "OR EXISTS (SELECT 1 FROM record_shares rs WHERE rs.workspace_id = {m} AND rs.entity = {m} "
           "AND rs.record_id = contacts.id AND rs.grantee_id IN ({grantees})) "
           "OR EXISTS (SELECT 1 FROM follows rf WHERE rf.workspace_id = {m} AND rf.entity = {m} AND rf.record_id = contacts.id "
           "AND rf.user_id = {m})) AND deleted_at IS NULL AND last_name = {m} ORDER BY first_name ASC{nulls}, id ASC LIMIT 51"
           ).format(m=mark, owners=", ".join([mark] * len(owners)), grantees=", ".join([mark] * len(grantees)),
                    nulls=nulls)
    workspace = access["workspace_id"]

    def params(surname):
        return (as_id(workspace), *map(as_id, owners), as_id(workspace), "contacts", *map(as_id, grantees),
                as_id(workspace), "contacts", as_id(access["user_id"]), surname)

    return sql, params


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--repeat", type=int, default=1, help="timing passes over the samples")
    parser.add_argument("--searches", type=int, default=400, help="search queries to time")
    parser.add_argument("--access", help="access.json of bench/access.py: also the team user's list page and search")
    parser.add_argument("--team-searches", type=int, default=100, help="search queries to time for the team user")
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
        count_sql = ("SELECT COUNT(*) FROM search_fts JOIN search_documents d ON d.doc_id = search_fts.rowid "
                     "WHERE search_fts MATCH ? AND d.workspace_id = ?")

        def plan(sql, params):
            return "\n".join("  " + row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, params))

        cases = [("get by id", get_sql, (workspace, ids[0])),
                 (f"list last_name={top} sort=first_name", list_sql, (workspace, top)),
                 (f"search q={name_query}", search_sql("sqlite", name_query, workspace), ()),
                 (f"search q={phone_query}", search_sql("sqlite", phone_query, workspace), ())]
        if access:
            team_sql, team_params = team_list(access, "?", lambda value: value)
            visible = team_search_visibility(access)
            cases += [(f"team user's list last_name={top} sort=first_name", team_sql, team_params(top)),
                      (f"team user's search q={name_query}", search_sql("sqlite", name_query, workspace, visible, team_access_terms(access)), ()),
                      (f"team user's search q={phone_query}", search_sql("sqlite", phone_query, workspace, visible, team_access_terms(access)), ())]
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

        matches = [int(next(iter(db.execute(count_sql, (fts_query(query_words(q), workspace, True), workspace))))[0])
                   for q in searches[:200]]
        out.append(f"## search matches per query as prefixes (first 200 queries): median {statistics.median(matches)}, "
                   f"max {max(matches)}")
        out.append("## Database-only time (one connection, one query at a time)")
        for _ in range(args.repeat):
            out.append(summary("get by id", [run(get_sql, (workspace, i))[0] for i in ids]))
            out.append(summary("list page", [run(list_sql, (workspace, n))[0] for n in surnames * 5]))
            if access:
                out.append(summary("list page, team user", [run(team_sql, team_params(n))[0] for n in surnames * 5]))
            out.append(summary("search", [run(search_sql("sqlite", q, workspace), ())[0] for q in searches[: args.searches]]))
            if access:
                out.append(summary("search, team user", [run(search_sql("sqlite", q, workspace, visible, team_access_terms(access)), ())[0]
                                                         for q in searches[: args.team_searches]]))
                out.append(summary("search, administrator, same queries",
                                   [run(search_sql("sqlite", q, workspace), ())[0] for q in searches[: args.team_searches]]))
                # Decision 0009: the team user's access terms in the FTS5 query, or none at all,
                # against the per-document check the server uses beyond INDEXED_TERMS terms.
                global INDEXED_TERMS
                kept, INDEXED_TERMS = INDEXED_TERMS, 1000
                out.append(summary("search, team user, access terms in the FTS5 query",
                                   [run(search_sql("sqlite", q, workspace, visible, team_access_terms(access)), ())[0]
                                    for q in searches[: args.team_searches // 2]]))
                INDEXED_TERMS = kept
                out.append(summary("search, team user, no access terms",
                                   [run(search_sql("sqlite", q, workspace, visible, None), ())[0]
                                    for q in searches[: args.team_searches // 2]]))
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

        def plan(sql, params):
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params or None)
            return "\n".join("  " + row[0] for row in cur.fetchall())

        cases = [("get by id", get_sql, (workspace, ids[0])),
                 (f"list last_name={top} sort=first_name", list_sql, (workspace, top)),
                 (f"search q={name_query}", search_sql("postgres", name_query, workspace), ()),
                 (f"search q={phone_query}", search_sql("postgres", phone_query, workspace), ())]
        if access:
            team_sql, team_params = team_list(access, "%s", uuid.UUID, " NULLS FIRST")
            visible = team_search_visibility(access)
            cases += [(f"team user's list last_name={top} sort=first_name", team_sql, team_params(top)),
                      (f"team user's search candidates q={name_query}", pg_candidates_sql(name_query, team_access_terms(access)), ()),
                      (f"team user's search candidates q={phone_query}", pg_candidates_sql(phone_query, team_access_terms(access)), ())]
        out.append("## PostgreSQL plans (EXPLAIN ANALYZE, BUFFERS; role clientele_app, workspace set)")
        for label, sql, params in cases:
            plan(sql, params)  # warm
            out.append(f"{label}:\n{plan(sql, params)}")

        def run(sql, params):
            started = time.perf_counter()
            cur.execute(sql, params or None)
            cur.fetchall()
            return time.perf_counter() - started

        out.append("## Database-only time (one connection, one query at a time, psycopg round trip included)")
        for _ in range(args.repeat):
            out.append(summary("get by id", [run(get_sql, (workspace, i)) for i in ids]))
            out.append(summary("list page", [run(list_sql, (workspace, n)) for n in surnames * 5]))
            if access:
                out.append(summary("list page, team user", [run(team_sql, team_params(n)) for n in surnames * 5]))
            out.append(summary("search", [run(search_sql("postgres", q, workspace), ()) for q in searches[: args.searches]]))
            if access:
                def team_search(q):
                    started = time.perf_counter()
                    cur.execute(pg_candidates_sql(q, team_access_terms(access)))
                    found = {}
                    for entity, record_id, *_ in cur.fetchall():
                        found.setdefault(entity, []).append(str(record_id))
                    for entity, ids in found.items():
                        if entity in access["readable_entities"]:
                            cur.execute(team_candidates_check(access, entity, ids))
                            cur.fetchall()
                    return time.perf_counter() - started

                out.append(summary("search, team user (candidates, then one check per entity)",
                                   [team_search(q) for q in searches[: args.team_searches]]))
                out.append(summary("search, administrator, same queries",
                                   [run(search_sql("postgres", q, workspace), ()) for q in searches[: args.team_searches]]))
        conn.close()
    print("\n".join(out))


if __name__ == "__main__":
    main()
