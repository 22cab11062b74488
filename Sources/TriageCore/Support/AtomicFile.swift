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
///
/// Only a regular file (or a name not yet taken) is replaced that way. A target
/// that is something else — `/dev/null`, `/dev/stdout`, a named pipe another
/// program reads — is written to in place: renaming a file over it would put a
/// regular file where the device or the pipe was (as root, `-o /dev/null` left
/// the machine without a `/dev/null`). A symbolic link is followed: the file it
/// names is replaced and the link stays. A replaced file keeps its permissions.
public enum AtomicFile {
    public static func write(_ text: String, to path: String) throws {
        var text = text
        try text.withUTF8 { try write(bytes: $0, to: path) }
    }

    /// Writes bytes (a partial, which is binary) the same way.
    public static func write(bytes: UnsafeBufferPointer<UInt8>, to path: String) throws {
        var target = path
        var info = stat()
        if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK {
            guard let resolved = realpath(path, nil) else {
                // A link to a name not taken yet: opening it creates the file it names.
                return try writeInPlace(bytes, to: path, creating: true)
            }
            target = String(cString: resolved)
            free(resolved)
        }
        var mode: mode_t = 0o644
        var replacesFile = false
        if stat(target, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFREG else { return try writeInPlace(bytes, to: path, creating: false) }
            mode = info.st_mode & 0o7777
            replacesFile = true
        }
        let temporary = target + ".tmp.\(getpid())"
        let cleanup = TemporaryFileGuard(temporary)
        defer { cleanup.release() }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw TriageError.writeFailed(path: path, reason: "\(reason) (creating a temporary file in its directory)")
        }
        var failure = writeAll(fd, bytes)
        if failure == 0 && replacesFile && fchmod(fd, mode) != 0 { failure = errno }
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, target) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw TriageError.writeFailed(path: path, reason: String(cString: strerror(failure)))
        }
    }

    /// Writes into what `path` names as it is: a device, a pipe, or the file a dangling link names.
    private static func writeInPlace(_ bytes: UnsafeBufferPointer<UInt8>, to path: String, creating: Bool) throws {
        let flags = O_WRONLY | O_CLOEXEC | (creating ? O_CREAT | O_TRUNC : 0)
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw TriageError.writeFailed(path: path, reason: String(cString: strerror(errno))) }
        var failure = writeAll(fd, bytes)
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure != 0 { throw TriageError.writeFailed(path: path, reason: String(cString: strerror(failure))) }
    }

    /// Writes every byte (retrying after signals); 0, or the errno that stopped it.
    private static func writeAll(_ fd: Int32, _ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        guard let base = bytes.baseAddress else { return 0 }
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, base + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return n < 0 ? errno : ENOSPC }
            offset += n
        }
        return 0
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
