import CRMCore

/// PostgreSQL: reaching the trigram filter indexes under row-level security (decision 0004,
/// amended). A policy keeps every non-leakproof condition — `LIKE` among them — from being an
/// index condition, so the application role's filter pages scanned whole tables. One function
/// per record table does the index look-up instead: `SECURITY DEFINER`, so it runs as the role
/// that ran the migrations (which bypasses the policies when it is a superuser, as the server
/// requires whenever it switches to the application role), and it takes the workspace from the
/// same session setting the policies trust, never from an argument: it can name only the ids of
/// the caller's workspace, at most `cap` of them. The search index gets the same kind of
/// look-up (`crm_search_documents`), and with it `search_documents` gets its policy back, which
/// migration 0003 had dropped for the same reason. SQLite has nothing to do here.
///
/// The functions are PL/pgSQL with `EXECUTE ... USING`, which plans each call with its values: a
/// SQL function's generic plan cannot see the pattern or the words, and chose a sequential scan
/// of a million search documents over the GIN index (231 ms a search, measured).
enum Migration0010IndexLookUpsUnderPolicies {
    static let migration = Migration(version: 10, name: "index look-ups under row-level security") { dialect in
        guard dialect == .postgres else { return [] }
        let search = """
            CREATE OR REPLACE FUNCTION crm_search_documents(query text, entities text, cap bigint)
            RETURNS TABLE (doc_entity text, doc_record_id uuid, doc_title text, doc_subtitle text, doc_score real)
            LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            BEGIN
              RETURN QUERY EXECUTE
                'SELECT d.entity, d.record_id, d.title, d.subtitle, ts_rank(d.tsv, to_tsquery(''simple'', $1))
                 FROM search_documents d
                 WHERE d.workspace_id = NULLIF(current_setting(''clientele.workspace_id'', true), '''')::uuid
                   AND d.tsv @@ to_tsquery(''simple'', $1)
                   AND ($2 IS NULL OR d.entity = ANY (string_to_array($2, '','')))
                 LIMIT $3'
              USING query, entities, cap;
            END
            $$
            """
        return [search] + Schema.tenantPolicy("search_documents", dialect)
            + BuiltinEntities.all.map { entity in
                let expression = TextFilterIndex.expression(of: entity).replacingOccurrences(of: "'", with: "''")
                return """
                    CREATE OR REPLACE FUNCTION \(TextFilterIndex.lookUpFunction(of: entity))(pattern text, cap bigint) RETURNS SETOF uuid
                    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
                    BEGIN
                      RETURN QUERY EXECUTE
                        'SELECT id FROM \(entity.table)
                         WHERE workspace_id = NULLIF(current_setting(''clientele.workspace_id'', true), '''')::uuid
                           AND deleted_at IS NULL AND (\(expression)) LIKE $1
                         LIMIT $2'
                      USING pattern, cap;
                    END
                    $$
                    """
            }
    }
}
