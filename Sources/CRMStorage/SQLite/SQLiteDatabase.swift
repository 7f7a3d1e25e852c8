import CRMCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The embedded database: one SQLite file in WAL mode, one writer connection (SQLite allows one
/// writer at a time; taking turns in-process avoids busy errors) and a few reader connections
/// that read in parallel with it.
///
/// Reads run on the calling task's thread (`SQLiteHandle`): a read of a cached page costs less
/// than the two thread switches a hand-off would. Writes run on the writer's own thread
/// (`WriterThread`), their BEGIN IMMEDIATE (which may wait for another process's write lock) and
/// COMMIT (fsync) too, so the cooperative threads never sleep in a sync.
public final class SQLiteDatabase: Database {
    public let dialect = SQLDialect.sqlite
    let writer: AsyncPool<SQLiteHandle>
    let readers: AsyncPool<SQLiteHandle>
    let writes: WriteBatcher
    let writerThread: WriterThread
    let threadPool: NIOThreadPool
    let checkpointer: Checkpointer
    let logger: Logger

    /// One reader per core: more only adds threads that take turns on the same cores (measured at
    /// 1M contacts on 2 cores: four readers had a list-page p99 of 22.8 ms, two 17.7 ms).
    public static let defaultReaders = max(2, ProcessInfo.processInfo.activeProcessorCount)

    public static func open(path: String, readers readerCount: Int = defaultReaders, logger: Logger) async throws -> SQLiteDatabase {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        // Opening connections and checkpoints.
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        do {
            let writer = try await threadPool.runIfActive { try openConnection(path: path) }
            var readers: [SQLiteHandle] = []
            for _ in 0..<readerCount {
                readers.append(try await threadPool.runIfActive { try openConnection(path: path) })
            }
            let checkpoints = try await threadPool.runIfActive { try openConnection(path: path) }
            return SQLiteDatabase(
                writer: writer, readers: readers, checkpointer: Checkpointer(connection: checkpoints, threadPool: threadPool),
                threadPool: threadPool, logger: logger)
        } catch {
            try? await threadPool.shutdownGracefully()
            throw StorageError.unreachable("cannot open SQLite database at \(path): \(error)")
        }
    }

    init(writer: SQLiteHandle, readers: [SQLiteHandle], checkpointer: Checkpointer, threadPool: NIOThreadPool, logger: Logger) {
        self.writer = AsyncPool([writer])
        self.readers = AsyncPool(readers)
        writerThread = WriterThread(name: "SQLite writer")
        self.writes = WriteBatcher(writer: self.writer, thread: writerThread, committed: { checkpointer.committed() })
        self.checkpointer = checkpointer
        self.threadPool = threadPool
        self.logger = logger
    }

    static func openConnection(path: String) throws -> SQLiteHandle {
        let connection = try SQLiteHandle(path: path)
        // WAL lets readers run beside the writer; synchronous=FULL makes a commit durable
        // before it is acknowledged.
        try connection.executeScript(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
                + "PRAGMA cache_size = -16000; PRAGMA temp_store = MEMORY; PRAGMA journal_size_limit = 67108864;")
        try connection.installFold()
        return connection
    }

    public func read<T: Sendable>(
        workspace: UUID?, _ body: @Sendable (any DatabaseConnection) async throws -> T
    ) async throws -> T {
        try await readers.with { connection in
            try await body(SQLiteSession(connection: connection))
        }
    }

    /// Runs `body` in a transaction shared with the other writes waiting at that moment (group
    /// commit, `WriteBatcher`): one durable COMMIT (one fsync) answers them all, and a failing
    /// write never takes another's changes with it. No caller hears of success before the COMMIT
    /// that holds its write.
    ///
    /// A write `alone` (a batch of records, a reindex page) gets a transaction of its own.
    public func write<T: Sendable>(
        workspace: UUID?, alone: Bool, _ body: @escaping @Sendable (any DatabaseConnection) async throws -> T
    ) async throws -> T {
        if alone {
            let writer = self.writer
            let result = try await withTaskExecutorPreference(writerThread) {
                try await writer.with { connection in
                    let session = SQLiteSession(connection: connection, fts: FTSBuffer())
                    try connection.executeScript("BEGIN IMMEDIATE")
                    do {
                        let result = try await body(session)
                        try await session.fts?.flush(on: session)
                        try connection.executeScript("COMMIT")
                        return result
                    } catch {
                        try? connection.executeScript("ROLLBACK")
                        throw error
                    }
                }
            }
            checkpointer.committed()
            return result
        }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let write = QueuedWrite(
                run: { connection, fts in
                    let tracker = WriteTracker()
                    do {
                        let value = try await body(SQLiteSession(connection: connection, tracker: tracker, fts: fts))
                        return .succeeded { batchError in
                            if let batchError { continuation.resume(throwing: batchError) } else { continuation.resume(returning: value) }
                        }
                    } catch {
                        // A write that failed before changing anything leaves the others be; one
                        // that changed rows (or met an error of SQLite's own) spoils the transaction.
                        return .failed(spoiled: tracker.wrote || error is SQLiteFailure) { continuation.resume(throwing: error) }
                    }
                }, fail: { continuation.resume(throwing: $0) })
            writes.submit(write)
        }
    }

    public func withSystemConnection<T: Sendable>(_ body: @Sendable (any DatabaseConnection) async throws -> T) async throws -> T {
        try await writer.with { connection in
            try await body(SQLiteSession(connection: connection))
        }
    }

    public func close() async {
        await checkpointer.stop()
        for connection in readers.drain() + writer.drain() {
            connection.close()
        }
        writerThread.stop()
        try? await threadPool.shutdownGracefully()
    }
}

/// One write waiting for the writer. `run` may be called again when another write of its batch
/// spoiled the transaction; only the last run's answer is given.
struct QueuedWrite: Sendable {
    enum Outcome: Sendable {
        /// The body returned; answer after the COMMIT (with its error if the COMMIT failed).
        case succeeded(@Sendable (_ batchError: (any Error)?) -> Void)
        /// The body threw; `spoiled` when it had changed rows, so the transaction must go.
        case failed(spoiled: Bool, @Sendable () -> Void)
    }

    let run: @Sendable (SQLiteHandle, FTSBuffer) async -> Outcome
    /// Answers the caller without running the write (no transaction could be begun).
    let fail: @Sendable (any Error) -> Void
}

/// Whether a write's body sent anything but a SELECT.
final class WriteTracker: Sendable {
    private let state = Mutex(false)
    var wrote: Bool { state.withLock { $0 } }
    func mark() { state.withLock { $0 = true } }
}

/// Group commit for the one writer connection: the writes that arrive while a batch commits wait
/// together and go in the next batch, one transaction and one fsync for all of them. No
/// savepoints: SQLite's FTS5 flushes its pending index at every savepoint (a new segment per
/// write), and a savepoint journal costs more as it grows. A write that fails before changing
/// anything is simply answered; one that fails after changing rows rolls the transaction back and
/// the other writes of the batch run again in a new one.
final class WriteBatcher: Sendable {
    let writer: AsyncPool<SQLiteHandle>
    let thread: WriterThread
    let committed: @Sendable () -> Void
    /// The writes waiting, and whether a drain is under way to take them.
    private let state = Mutex<(pending: [QueuedWrite], draining: Bool)>(([], false))
    /// A batch's size limit, so one commit never holds back its first writer for long.
    static let batchLimit = 128

    init(writer: AsyncPool<SQLiteHandle>, thread: WriterThread, committed: @escaping @Sendable () -> Void) {
        self.writer = writer
        self.thread = thread
        self.committed = committed
    }

    /// Queues a write; the first write after a quiet moment starts a drain on the writer's thread
    /// (one task for as long as writes keep coming, not one per write).
    func submit(_ write: QueuedWrite) {
        let start = state.withLock { state in
            state.pending.append(write)
            guard !state.draining else { return false }
            state.draining = true
            return true
        }
        if start { Task(executorPreference: thread) { await self.drain() } }
    }

    private func next() -> [QueuedWrite] {
        state.withLock { state in
            let batch = Array(state.pending.prefix(Self.batchLimit))
            state.pending.removeFirst(batch.count)
            if batch.isEmpty { state.draining = false }
            return batch
        }
    }

    private func drain() async {
        while true {
            let batch = next()
            if batch.isEmpty { return }
            // Callers are answered once the connection is back in the pool (a caller that closes
            // the database next must find it idle).
            let answers = (try? await writer.with { connection in await Self.run(batch, on: connection) }) ?? []
            committed()
            for answer in answers { answer() }
        }
    }

    /// Runs a batch; returns how to answer each write's caller.
    static func run(_ batch: [QueuedWrite], on connection: SQLiteHandle) async -> [@Sendable () -> Void] {
        var queue = batch[...]
        var results: [@Sendable () -> Void] = []
        while !queue.isEmpty {
            do {
                try connection.executeScript("BEGIN IMMEDIATE")
            } catch {
                // Nothing ran: every waiting write fails with the reason.
                for write in queue { results.append { write.fail(error) } }
                return results
            }
            var succeeded: [(write: QueuedWrite, answer: @Sendable ((any Error)?) -> Void)] = []
            var spoiled = false
            let fts = FTSBuffer()
            while let write = queue.first, !spoiled {
                queue.removeFirst()
                switch await write.run(connection, fts) {
                case .succeeded(let answer): succeeded.append((write, answer))
                case .failed(let spoils, let answer):
                    results.append(answer)
                    spoiled = spoils
                }
            }
            if spoiled {
                // Undo everything and run the writes that had succeeded again, first.
                try? connection.executeScript("ROLLBACK")
                queue = (succeeded.map(\.write) + queue)[...]
                continue
            }
            do {
                try await fts.flush(on: SQLiteSession(connection: connection))
                try connection.executeScript("COMMIT")
                results += succeeded.map { item in { item.answer(nil) } }
            } catch {
                try? connection.executeScript("ROLLBACK")
                results += succeeded.map { item in { item.answer(error) } }
            }
        }
        return results
    }
}

/// One connection as the storage code sees it.
struct SQLiteSession: DatabaseConnection {
    let connection: SQLiteHandle
    /// Set inside a group commit: told when a statement may change rows.
    var tracker: WriteTracker? = nil
    /// Set inside a write transaction: FTS5 rows written last (`FTSBuffer`).
    var fts: FTSBuffer? = nil
    var dialect: SQLDialect { .sqlite }

    /// The same connection without the buffer (to write what the buffer holds).
    var unbuffered: SQLiteSession { SQLiteSession(connection: connection, tracker: tracker) }

    var storedFullTextOnly: any DatabaseConnection { unbuffered }

    func query(_ fragment: SQLFragment) async throws -> [SQLRow] {
        let (sql, binds) = fragment.render(.sqlite)
        if let tracker, Self.mayWrite(sql) { tracker.mark() }
        // A statement that reads the full-text tables sees what this transaction wrote to them.
        if let fts, !fts.isEmpty, Self.readsFullText(sql) { try await fts.flush(on: self) }
        for case .text(let value) in binds where value.utf8.contains(0) {
            throw CRMError.badRequest(code: "nul_character", message: "text must not contain the NUL character")
        }
        do {
            guard let slow = Self.slowStatement else { return try connection.query(sql, binds) }
            let started = ContinuousClock.now
            let rows = try connection.query(sql, binds)
            let elapsed = ContinuousClock.now - started
            if elapsed >= slow {
                // The statement's text only: its values (which may be personal data) stay bound.
                FileHandle.standardError.write(Data("slow statement (\(elapsed)): \(sql)\n".utf8))
            }
            return rows
        } catch let error as SQLiteFailure where error.isUniqueViolation {
            throw StorageError.uniqueViolation(error.message)
        }
    }

    /// `CLIENTELE_SLOW_STATEMENT_MS`: statements that take at least this long are written to
    /// standard error (text without values), for reading plans; unset, nothing is timed.
    static let slowStatement: Duration? = ProcessInfo.processInfo.environment["CLIENTELE_SLOW_STATEMENT_MS"]
        .flatMap { Int($0) }.map { .milliseconds($0) }

    /// Whether a statement names a full-text table (`..._fts`).
    static func readsFullText(_ sql: String) -> Bool {
        var matched = 0
        for byte in sql.utf8 {
            switch (matched, byte) {
            case (_, UInt8(ascii: "_")): matched = 1
            case (1, UInt8(ascii: "f")), (2, UInt8(ascii: "t")): matched += 1
            case (3, UInt8(ascii: "s")): return true
            default: matched = 0
            }
        }
        return false
    }

    /// Anything but a SELECT may change rows.
    static func mayWrite(_ sql: String) -> Bool {
        let start = sql.utf8.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }.prefix(6)
        return !start.elementsEqual("select".utf8) { ($0 | 0x20) == $1 }
    }
}

/// Copies the write-ahead log back into the database file beside the writer, on a connection of
/// its own: SQLite's automatic checkpoint runs inside the COMMIT that crosses 1,000 pages and
/// copies them there, a stall for every write waiting on that commit. A PASSIVE checkpoint waits
/// for nobody and copies what no reader still needs; it runs at most every 200 ms, and only after
/// commits. The writer keeps its automatic checkpoint: only a checkpoint between two write
/// transactions can finish the log (under steady writes a concurrent one never catches up, and a
/// log that is never finished is never restarted: a reindex of a million records grew it to 12 GB
/// without it), and it now finds most pages already copied.
final class Checkpointer: Sendable {
    private let connection: SQLiteHandle
    private let threadPool: NIOThreadPool
    private let commits = Atomic<Int>(0)
    private let loop = Mutex<Task<Void, Never>?>(nil)

    init(connection: SQLiteHandle, threadPool: NIOThreadPool) {
        self.connection = connection
        self.threadPool = threadPool
        let task = Task { [weak self] in
            var seen = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(200))
                guard let self else { return }
                let now = self.commits.load(ordering: .relaxed)
                guard now != seen else { continue }
                seen = now
                await self.checkpoint()
            }
        }
        loop.withLock { $0 = task }
    }

    /// Counts a commit (the next round checkpoints).
    func committed() { commits.add(1, ordering: .relaxed) }

    private func checkpoint() async {
        let connection = self.connection
        try? await threadPool.execute("PRAGMA wal_checkpoint(PASSIVE)", on: connection)
    }

    /// Ends the loop after a last checkpoint and closes the connection.
    func stop() async {
        loop.withLock { $0 }?.cancel()
        await checkpoint()
        connection.close()
    }
}

extension NIOThreadPool {
    /// Runs a statement that waits on the disk by design (a checkpoint) on a thread of this pool,
    /// not on a cooperative one.
    func execute(_ sql: String, on connection: SQLiteHandle) async throws {
        try await runIfActive { try connection.executeScript(sql) }
    }
}
