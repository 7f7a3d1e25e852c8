#ifndef CSQLITECONFIG_H
#define CSQLITECONFIG_H

typedef struct sqlite3 sqlite3;

/// Turns on SQLite's query planner stability guarantee for one connection (SQLITE_DBCONFIG_ENABLE_QPSG):
/// a prepared statement keeps its plan whatever values are bound to it. Returns SQLite's result code.
/// `sqlite3_db_config` takes variable arguments, which Swift cannot call.
int clientele_sqlite_enable_qpsg(sqlite3 *db);

#endif
