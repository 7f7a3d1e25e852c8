#include "CSQLiteConfig.h"
#include "sqlite_nio_sqlite3.h"

int clientele_sqlite_enable_qpsg(sqlite3 *db) {
    int enabled = 0;
    return sqlite_nio_sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_QPSG, 1, &enabled);
}
