import CRMCore
import CRMServices
import CRMStorage
import Foundation
import Testing

/// Writes that wait together share one commit on SQLite; none may take another's changes with it,
/// nor keep its own when it fails. The same holds, trivially, on PostgreSQL.
struct GroupCommitTests {
    struct Refused: Error {}

    @Test(arguments: Backend.allCases)
    func failingWritesLeaveNoTraceAndSpoilNoOther(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, _ in
            let database = services.database
            let workspace = tenant.workspace.id
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
                for index in 0..<60 {
                    group.addTask {
                        do {
                            _ = try await database.write(workspace: workspace) { connection in
                                // Every third write fails after changing a row; every fifth before.
                                if index % 5 == 1 { throw Refused() }
                                try await connection.execute(
                                    "INSERT INTO record_sequences (workspace_id, entity, last_value) VALUES (\(.uuid(workspace)), \(.text("gc-\(index)")), \(.int(Int64(index))))"
                                )
                                if index % 3 == 0 { throw Refused() }
                                return index
                            }
                            return (index, true)
                        } catch {
                            return (index, false)
                        }
                    }
                }
                var all: [Int: Bool] = [:]
                for await (index, ok) in group { all[index] = ok }
                return all
            }
            let expected = Set((0..<60).filter { $0 % 5 != 1 && $0 % 3 != 0 })
            #expect(Set(outcomes.filter(\.value).map(\.key)) == expected)
            let stored = try await database.read(workspace: workspace) { connection in
                try await connection.query(
                    "SELECT entity FROM record_sequences WHERE workspace_id = \(.uuid(workspace)) AND entity LIKE 'gc-%'"
                ).compactMap { $0.string("entity") }
            }
            #expect(Set(stored) == Set(expected.map { "gc-\($0)" }))
            #expect(stored.count == expected.count)
        }
    }
}
