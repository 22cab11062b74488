#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on a state file, so two cron runs that overlap never both
/// count the same lines: the second waits for the first, then refuses.
///
/// The lock is `flock(2)` on `STATE.lock` beside the state file, not on the
/// state file itself: the state is replaced by a rename on every save, and a
/// lock on the old inode would not stop a run that opens the new one. The lock
/// file is never removed (removing it would let a third run lock a new inode
/// while the second still holds the old one). The kernel drops the lock when
/// the process ends, however it ends.
public final class CronStateLock {
    private let fd: Int32
    public let path: String

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    /// Takes the lock for `statePath`, waiting up to `waitSeconds` for a run that holds it.
    ///
    /// - Throws: ``TriageError/stateLocked(path:waitedSeconds:)`` when another run
    ///   still holds it; ``TriageError/state(path:reason:)`` when the lock file cannot be opened.
    public static func acquire(statePath: String, waitSeconds: Double) throws -> CronStateLock {
        let path = statePath + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw TriageError.state(path: statePath, reason: "cannot open its lock file \(path): \(String(cString: strerror(errno)))")
        }
        var waited = 0.0
        let step = 0.1
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                close(fd)
                throw TriageError.state(path: statePath, reason: "cannot lock \(path): \(String(cString: strerror(code)))")
            }
            if waited >= waitSeconds {
                close(fd)
                throw TriageError.stateLocked(path: statePath, waitedSeconds: Int(waitSeconds.rounded()))
            }
            usleep(UInt32(step * 1_000_000))
            waited += step
        }
        return CronStateLock(fd: fd, path: path)
    }
}
