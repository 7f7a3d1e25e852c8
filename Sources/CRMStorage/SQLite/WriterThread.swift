import Foundation

/// A thread of its own for SQLite's one writer, as a task executor: the writes of a group commit
/// run their bodies, BEGIN and COMMIT here, one after another.
///
/// The writer is the one serial part of the embedded database: its turn should not wait in the
/// queue of the two cooperative threads behind the requests it is answering (their HTTP,
/// validation and duplicate checks), and its statements that wait on the disk (BEGIN IMMEDIATE,
/// COMMIT with its fsync) may block a thread that has nothing else to do, without a hand-off to a
/// pool thread and back for each.
final class WriterThread: TaskExecutor, @unchecked Sendable {
    // `jobs` and `stopping` are guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopping = false

    /// Starts the thread; it holds the executor until `stop`.
    init(name: String) {
        Thread { [self] in
            // Named from inside: on Linux a thread's name reaches the system (`perf`, `top -H`)
            // only when the thread sets it itself.
            Thread.current.name = name
            loop()
        }.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread finish the jobs it has and end.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        var running: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                break
            }
            swap(&running, &jobs)
            condition.unlock()
            for job in running { job.runSynchronously(on: asUnownedTaskExecutor()) }
            running.removeAll(keepingCapacity: true)
        }
    }
}
