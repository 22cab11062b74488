#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes whole files atomically: a temporary file beside the target, fsync, rename.
///
/// While the temporary file exists, SIGINT, SIGTERM and SIGHUP remove it before
/// the process dies of the signal, so an interrupted run leaves neither half a
/// report nor a `.tmp.<pid>` file behind. Errors name the target, never the
/// temporary file.
public enum AtomicFile {
    public static func write(_ text: String, to path: String) throws {
        var text = text
        try text.withUTF8 { try write(bytes: $0, to: path) }
    }

    /// Writes bytes (a partial, which is binary) the same way.
    public static func write(bytes: UnsafeBufferPointer<UInt8>, to path: String) throws {
        let temporary = path + ".tmp.\(getpid())"
        let cleanup = TemporaryFileGuard(temporary)
        defer { cleanup.release() }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw TriageError.writeFailed(path: path, reason: "\(reason) (creating a temporary file in its directory)")
        }
        var failure: Int32 = 0
        if let base = bytes.baseAddress {
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, base + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    failure = n < 0 ? errno : ENOSPC
                    break
                }
                offset += n
            }
        }
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw TriageError.writeFailed(path: path, reason: String(cString: strerror(failure)))
        }
    }
}

// MARK: - Removing the temporary file on a signal

/// The temporary file a signal must remove, as a C string; nil when none.
/// Set before the handlers are installed and cleared after they are restored.
nonisolated(unsafe) private var pendingTemporary: UnsafeMutablePointer<CChar>?

/// Async-signal-safe: unlink, restore the default action, re-raise.
private func removePendingTemporaryAndDie(_ signal: Int32) {
    if let path = pendingTemporary { unlink(path) }
    Glibc.signal(signal, SIG_DFL)
    raise(signal)
}

/// Installs the handlers for one write and restores the previous ones.
private final class TemporaryFileGuard {
    private static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    private var previous: [(Int32, sighandler_t?)] = []
    private let path: UnsafeMutablePointer<CChar>?

    init(_ temporary: String) {
        path = strdup(temporary)
        pendingTemporary = path
        for sig in Self.signals { previous.append((sig, Glibc.signal(sig, removePendingTemporaryAndDie))) }
    }

    func release() {
        for (sig, handler) in previous { Glibc.signal(sig, handler) }
        previous = []
        pendingTemporary = nil
        free(path)
    }
}
