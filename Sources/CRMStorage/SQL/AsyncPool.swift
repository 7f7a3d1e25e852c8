import Synchronization

/// A fixed set of resources handed out one task at a time, in arrival order.
///
/// A lock rather than an actor: taking an idle resource is the common case and costs no hop to
/// another executor (an actor did, twice per request).
final class AsyncPool<Resource: Sendable>: Sendable {
    private struct State {
        var idle: [Resource]
        var waiters: [CheckedContinuation<Resource, Never>] = []
    }

    private let state: Mutex<State>

    init(_ resources: [Resource]) { state = Mutex(State(idle: resources)) }

    func acquire() async -> Resource {
        if let resource = state.withLock({ $0.idle.popLast() }) { return resource }
        return await withCheckedContinuation { continuation in
            let resource: Resource? = state.withLock { state in
                if let resource = state.idle.popLast() { return resource }
                state.waiters.append(continuation)
                return nil
            }
            if let resource { continuation.resume(returning: resource) }
        }
    }

    func release(_ resource: Resource) {
        let waiter: CheckedContinuation<Resource, Never>? = state.withLock { state in
            if state.waiters.isEmpty {
                state.idle.append(resource)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: resource)
    }

    /// Takes every idle resource out of the pool (closing).
    func drain() -> [Resource] {
        state.withLock { state in
            defer { state.idle = [] }
            return state.idle
        }
    }

    func with<T: Sendable>(_ body: (Resource) async throws -> T) async throws -> T {
        let resource = await acquire()
        do {
            let result = try await body(resource)
            release(resource)
            return result
        } catch {
            release(resource)
            throw error
        }
    }
}
