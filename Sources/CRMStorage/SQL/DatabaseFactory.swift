import Logging

/// Opens the database a location names and brings its schema up to date.
public enum DatabaseFactory {
    public static func open(_ location: DatabaseLocation, logger: Logger) async throws -> any Database {
        let database: any Database
        switch location {
        case .sqlite(let path):
            database = try await SQLiteDatabase.open(path: path, logger: logger)
        case .postgres(let url):
            database = PostgresDatabase(url: url, poolSize: url.poolSize ?? PostgresDatabase.defaultPoolSize, logger: logger)
        }
        do {
            try await Migrator.migrate(database)
        } catch {
            await database.close()
            throw error
        }
        return database
    }
}
