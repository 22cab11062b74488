#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the last run stopped in each file, so a cron job reads only new lines.
///
/// A file is recognised by its device and inode (so `access.log` renamed to
/// `access.log.1` by logrotate is still the same file) and by a hash of its
/// first bytes (so a reused inode or a `copytruncate` rewrite is not mistaken
/// for it). The state is JSON, versioned, and written atomically (a temporary
/// file renamed over the old one): a crash never leaves half a state file.
public struct CronState: Sendable {
    public struct Entry: Sendable, Equatable {
        public var path: String
        public var device: UInt64
        public var inode: UInt64
        /// File size when last read (compressed size for gzip).
        public var size: Int64
        /// Stream offset after the last complete line read (decompressed for gzip).
        public var offset: Int64
        /// Lines read so far, to keep numbering lines across runs.
        public var lines: Int
        /// Hash of the file's first `headLength` bytes, as hex.
        public var head: String
        public var headLength: Int
        public var isGzip: Bool
    }

    /// What a file looks like now.
    public struct Identity: Sendable, Equatable {
        public var device: UInt64
        public var inode: UInt64
        public var size: Int64
        public var head: String
        public var headLength: Int
    }

    /// Bytes hashed to recognise a file's content.
    public static let headLength = 256

    /// Where to start reading a file.
    public enum Start: Sendable, Equatable {
        case beginning
        /// Resume a plain file at `offset`, numbering lines from `line`.
        case resume(offset: Int64, line: Int)
        /// Already read to its end and unchanged (a finished gzip member set).
        case skip
    }

    public static let version = 1
    public var entries: [Entry] = []

    public init(entries: [Entry] = []) { self.entries = entries }

    /// Decides where to start `path`, and says why when it is not the obvious place.
    ///
    /// - Parameter inputInodes: the inodes of every input of this run, to know
    ///   whether a rotated file's old inode is still being read.
    public func start(for path: String, file: FileDescriptorSource, isGzip: Bool,
                      inputInodes: Set<UInt64> = []) -> (Start, note: String?) {
        guard let now = Self.identity(of: file) else { return (.beginning, nil) }
        if let entry = entries.first(where: { $0.device == now.device && $0.inode == now.inode }) {
            // Compare the same number of leading bytes as were hashed last time:
            // a small file that grew keeps its first bytes.
            guard let then = Self.identity(of: file, headLength: entry.headLength), entry.head == then.head else {
                return (.beginning, "\(path): content changed since the last run (rewritten); read from the start")
            }
            if isGzip || entry.isGzip {
                return entry.size == now.size && entry.isGzip == isGzip ? (.skip, nil) : (.beginning, nil)
            }
            if now.size < entry.offset {
                return (.beginning, "\(path): truncated since the last run; read from the start")
            }
            let moved = entry.path != path ? "\(path): was \(entry.path) at the last run (rotated); resumed where it stopped" : nil
            return (.resume(offset: entry.offset, line: entry.lines + 1), moved)
        }
        if let previous = entries.first(where: { $0.path == path }) {
            let stillGiven = inputInodes.contains(previous.inode)
            return (.beginning, stillGiven ? nil : "\(path): a new file since the last run (rotated); lines added to the old one (inode \(previous.inode)) after the last run are read only if it is among the inputs")
        }
        return (.beginning, nil)
    }

    // MARK: - Identity

    /// The identity of an open file: fstat plus a hash of its first bytes
    /// (read with pread, so the file position is kept).
    public static func identity(of file: FileDescriptorSource, headLength: Int = CronState.headLength) -> Identity? {
        guard let info = file.status() else { return nil }
        var head = [UInt8](repeating: 0, count: max(0, headLength))
        let n = head.withUnsafeMutableBytes { file.readAt(0, into: $0) }
        let length = max(0, n)
        let hash = head.prefix(length).withUnsafeBufferPointer { ByteKeyTable<Int>.hash($0) }
        return Identity(device: info.device, inode: info.inode, size: info.size, head: String(hash, radix: 16),
                        headLength: length)
    }

    // MARK: - File

    /// Loads the state at `path`; nil when there is none yet.
    ///
    /// - Throws: ``TriageError/state`` when the file is unreadable, corrupt or not a triage state file.
    public static func load(path: String) throws -> CronState? {
        if access(path, F_OK) != 0 { return nil }
        let content: [UInt8]?
        do { content = try FileDescriptorSource.readAll(path, limit: 64 << 20) } catch {
            throw TriageError.state(path: path, reason: "\(error)")
        }
        guard let bytes = content else { throw TriageError.state(path: path, reason: "larger than 64 MiB: not a triage state file") }
        var version: Int?
        var fields: [Int: [String: String]] = [:]
        let scanner = JSONScanner()
        let end = bytes.withUnsafeBufferPointer { buffer in
            scanner.scan(buffer) { pathBytes, kind, range in
                let key = String(decoding: pathBytes, as: UTF8.self)
                let raw = UnsafeBufferPointer(rebasing: buffer[range])
                let value = kind == .string ? JSONScanner.decodeString(raw) : String(decoding: raw, as: UTF8.self)
                if key == "triage_state_version" { version = Int(value) }
                let parts = key.split(separator: ".")
                if parts.count == 3, parts[0] == "files", let index = Int(parts[1]) {
                    fields[index, default: [:]][String(parts[2])] = value
                }
            }
        }
        guard end != nil else { throw TriageError.state(path: path, reason: "not valid JSON (corrupt?); remove it to start over") }
        guard let version else { throw TriageError.state(path: path, reason: "not a triage state file (no triage_state_version); refusing to use or overwrite it") }
        guard version == Self.version else {
            throw TriageError.state(path: path, reason: "state version \(version) is not the supported \(Self.version)")
        }
        var entries: [Entry] = []
        for index in fields.keys.sorted() {
            let f = fields[index] ?? [:]
            guard let file = f["path"], let device = f["device"].flatMap({ UInt64($0) }),
                  let inode = f["inode"].flatMap({ UInt64($0) }), let size = f["size"].flatMap({ Int64($0) }),
                  let offset = f["offset"].flatMap({ Int64($0) }), let lines = f["lines"].flatMap({ Int($0) }),
                  let head = f["head"], let headLength = f["head_length"].flatMap({ Int($0) }), offset >= 0, lines >= 0
            else { throw TriageError.state(path: path, reason: "entry \(index) is incomplete or has bad values; remove the file to start over") }
            entries.append(Entry(path: file, device: device, inode: inode, size: size, offset: offset, lines: lines,
                                 head: head, headLength: headLength, isGzip: f["gzip"] == "true"))
        }
        return CronState(entries: entries)
    }

    /// Writes the state to `path` atomically (temporary file, fsync, rename).
    public func save(path: String) throws {
        var w = JSONWriter()
        w.beginObject()
        w.int("triage_state_version", Self.version)
        w.beginArray("files")
        for e in entries {
            w.beginObject()
            w.string("path", e.path)
            w.string("device", String(e.device))
            w.string("inode", String(e.inode))
            w.int("size", Int(e.size))
            w.int("offset", Int(e.offset))
            w.int("lines", e.lines)
            w.string("head", e.head)
            w.int("head_length", e.headLength)
            w.bool("gzip", e.isGzip)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        try AtomicFile.write(w.text + "\n", to: path)
    }
}

/// Writes whole files atomically: a temporary file beside the target, fsync, rename.
public enum AtomicFile {
    public static func write(_ text: String, to path: String) throws {
        let temporary = path + ".tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TriageError.cannotOpen(path: temporary, reason: String(cString: strerror(errno))) }
        var text = text
        let ok = text.withUTF8 { buffer -> Bool in
            guard let base = buffer.baseAddress else { return true }
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, base + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard ok, synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw TriageError.readFailed(path: path, reason: "could not write: \(reason)")
        }
    }
}
