/// A fixed set of resources handed out one task at a time, in arrival order.
actor AsyncPool<Resource: Sendable> {
    private var idle: [Resource]
    private var waiters: [CheckedContinuation<Resource, Never>] = []

    init(_ resources: [Resource]) { idle = resources }

    func acquire() async -> Resource {
        if let resource = idle.popLast() { return resource }
        return await withCheckedContinuation { waiters.append($0) }
    }

    func release(_ resource: Resource) {
        if waiters.isEmpty {
            idle.append(resource)
        } else {
            waiters.removeFirst().resume(returning: resource)
        }
    }

    func drain() -> [Resource] {
        defer { idle = [] }
        return idle
    }
}

extension AsyncPool {
    nonisolated func with<T: Sendable>(_ body: (Resource) async throws -> T) async throws -> T {
        let resource = await acquire()
        do {
            let result = try await body(resource)
            await release(resource)
            return result
        } catch {
            await release(resource)
            throw error
        }
    }
}
