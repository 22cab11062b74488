#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs closures at once, the first on the calling thread, the others on new
/// threads, and returns when all are done.
///
/// Each closure must touch only its own objects (its own parser and
/// aggregator); that is why the box is `@unchecked Sendable`.
enum Parallel {
    private final class Job: @unchecked Sendable {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    static func run(_ bodies: [() -> Void]) {
        guard let first = bodies.first else { return }
        var threads: [pthread_t] = []
        var inline: [() -> Void] = []
        for body in bodies.dropFirst() {
            if let thread = start(body) {
                threads.append(thread)
            } else {
                inline.append(body) // no thread: run it here, after the first
            }
        }
        first()
        inline.forEach { $0() }
        for thread in threads { pthread_join(thread, nil) }
    }

    /// Runs `body` on a new (joinable) thread; nil when no thread could start.
    static func start(_ body: @escaping () -> Void) -> pthread_t? {
        let context = Unmanaged.passRetained(Job(body)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            Unmanaged<Job>.fromOpaque(context).takeRetainedValue().body()
            return nil
        }, context)
        guard started == 0 else {
            Unmanaged<Job>.fromOpaque(context).release()
            return nil
        }
        return thread
    }

    /// Cores this process may use.
    static var cores: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
