#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the last run stopped in each file, so a cron job reads every line
/// exactly once.
///
/// A file is recognised by its content: a ``ContentFingerprint`` of its first
/// bytes, decompressed for gzip. So whatever logrotate does — rename
/// (`create`), `dateext`, `copytruncate` (a new inode with the old content),
/// `compress` and `delaycompress` (`access.log.1` becoming `access.log.2.gz`) —
/// the same content is resumed where it stopped, under its new name, and read
/// no further than it was. The inode only breaks ties, and recognises gzip files
/// recorded by version 1 of the state.
///
/// The state is JSON, versioned, and written atomically (a temporary file,
/// fsync, rename): a crash never leaves half a state file. Runs that share a
/// state file are serialised by ``CronStateLock``.
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
        /// Hash of the content's first `headLength` bytes (decompressed for gzip; in
        /// version 1, the raw bytes), as hex.
        public var head: String
        public var headLength: Int
        public var isGzip: Bool

        public init(path: String, device: UInt64, inode: UInt64, size: Int64, offset: Int64, lines: Int, head: String,
                    headLength: Int, isGzip: Bool) {
            self.path = path
            self.device = device
            self.inode = inode
            self.size = size
            self.offset = offset
            self.lines = lines
            self.head = head
            self.headLength = headLength
            self.isGzip = isGzip
        }
    }

    /// Where to start reading a file.
    public enum Start: Sendable, Equatable {
        case beginning
        /// Resume at `offset` of the (decompressed) content, numbering lines from `line`.
        case resume(offset: Int64, line: Int)
        /// Already read to its end and unchanged (a finished gzip file).
        case skip
        /// The same content as `path`, another input of this run: reading it would count its lines twice.
        case duplicate(of: String)
    }

    /// What a file is now, for ``start(for:claimed:readThisRun:)``.
    public struct Observed: Sendable {
        public var path: String
        public var fingerprint: ContentFingerprint
        public var device: UInt64
        public var inode: UInt64
        public var size: Int64
        public var isGzip: Bool

        public init(path: String, fingerprint: ContentFingerprint, device: UInt64, inode: UInt64, size: Int64, isGzip: Bool) {
            self.path = path
            self.fingerprint = fingerprint
            self.device = device
            self.inode = inode
            self.size = size
            self.isGzip = isGzip
        }
    }

    public static let version = 2
    /// Versions this build reads: 1 hashed the raw first 256 bytes (compressed for gzip).
    public static let readableVersions = 1...2
    /// Largest values accepted from a state file: a crafted or damaged one with
    /// larger numbers is corrupt, never a crash or an allocation of that size.
    static let maxOffset: Int64 = 1 << 56
    static let maxLines = 1 << 48

    public var entries: [Entry] = []

    public init(entries: [Entry] = []) { self.entries = entries }

    // MARK: - Deciding where to start

    /// Decides where to start reading the file `now`, and says why when it is not the obvious place.
    ///
    /// - Parameters:
    ///   - claimed: indices of ``entries`` already resumed by earlier inputs of this run;
    ///     the entry this file resumes is added.
    ///   - readThisRun: the entries of inputs already read in this run, to find a copy of one.
    public func start(for now: Observed, claimed: inout Set<Int>, readThisRun: [Entry]) -> (start: Start, note: String?) {
        let fingerprint = now.fingerprint
        guard !fingerprint.head.isEmpty else { return (.beginning, nil) }
        // Another input of this run with the same content (mid-copytruncate, or a
        // compressed copy beside its original): read only once.
        if let twin = readThisRun.first(where: { $0.headLength > 0 && fingerprint.matches($0.head, length: $0.headLength) }) {
            return (.duplicate(of: twin.path), "\(now.path): same content as \(twin.path), read once")
        }
        let candidates = entries.indices.filter { i in
            !claimed.contains(i) && entries[i].headLength > 0 && fingerprint.matches(entries[i].head, length: entries[i].headLength)
        }
        // Ties (a short head shared by several entries): the longest head, then the same inode, then the same path.
        let best = candidates.max { a, b in
            rank(entries[a], now) < rank(entries[b], now)
        }
        guard let index = best else {
            // Version 1 hashed gzip files' compressed bytes: know them by inode and size.
            if now.isGzip, let index = entries.indices.first(where: { i in
                let e = entries[i]
                return !claimed.contains(i) && e.isGzip && e.device == now.device && e.inode == now.inode && e.size == now.size
            }) {
                claimed.insert(index)
                return (.skip, nil)
            }
            if let previous = entries.indices.first(where: { entries[$0].path == now.path }) {
                let note = claimed.contains(previous) ? nil
                    : "\(now.path): a new file since the last run (rotated); lines added to the old one after the last run are read only if it is among the inputs"
                return (.beginning, note)
            }
            return (.beginning, nil)
        }
        claimed.insert(index)
        let entry = entries[index]
        if now.isGzip && entry.isGzip && entry.size == now.size && entry.device == now.device && entry.inode == now.inode {
            return (.skip, nil)
        }
        if !now.isGzip && now.size < entry.offset {
            return (.beginning, "\(now.path): truncated since the last run; read from the start")
        }
        var note: String?
        if now.isGzip && !entry.isGzip {
            note = "\(now.path): was \(entry.path) at the last run (rotated and compressed); resumed where it stopped"
        } else if entry.path != now.path {
            note = "\(now.path): was \(entry.path) at the last run (rotated); resumed where it stopped"
        }
        return (.resume(offset: entry.offset, line: entry.lines + 1), note)
    }

    private func rank(_ entry: Entry, _ now: Observed) -> Int {
        entry.headLength * 4 + (entry.device == now.device && entry.inode == now.inode ? 2 : 0) + (entry.path == now.path ? 1 : 0)
    }

    // MARK: - File

    /// Why a state file cannot be used.
    public enum LoadProblem: Error, Sendable, Equatable {
        /// Not a triage state file (or not ours to touch): refuse, leave it alone.
        case foreign(String)
        /// A triage state file this build cannot read (a newer version): refuse, leave it alone.
        case unsupported(String)
        /// A triage state file that is damaged or crafted: report it and set it aside.
        case corrupt(String)
    }

    /// Loads the state at `path`; nil when there is none yet.
    ///
    /// - Throws: ``LoadProblem`` when the file is unreadable, corrupt or not a triage state file.
    public static func load(path: String) throws(LoadProblem) -> CronState? {
        if access(path, F_OK) != 0 { return nil }
        let content: [UInt8]?
        do { content = try FileDescriptorSource.readAll(path, limit: 64 << 20) } catch {
            throw .foreign("\(error)")
        }
        guard let bytes = content else { throw .foreign("larger than 64 MiB: not a triage state file") }
        let looksLikeOurs = String(decoding: bytes.prefix(64), as: UTF8.self)
            .filter { !$0.isWhitespace }.hasPrefix(#"{"triage_state_version":"#)
        var version: Int?
        var versionText: String?
        var fields: [Int: [String: String]] = [:]
        let scanner = JSONScanner()
        let end = bytes.withUnsafeBufferPointer { buffer in
            scanner.scan(buffer) { pathBytes, kind, range in
                let key = String(decoding: pathBytes, as: UTF8.self)
                let raw = UnsafeBufferPointer(rebasing: buffer[range])
                let value = kind == .string ? JSONScanner.decodeString(raw) : String(decoding: raw, as: UTF8.self)
                if key == "triage_state_version" { version = Int(value); versionText = value }
                let parts = key.split(separator: ".")
                if parts.count == 3, parts[0] == "files", let index = Int(parts[1]), index >= 0, index < 1 << 20 {
                    fields[index, default: [:]][String(parts[2])] = value
                }
            }
        }
        guard end != nil else {
            if looksLikeOurs { throw .corrupt("not valid JSON (damaged: a truncated or edited write?)") }
            throw .foreign("not valid JSON, and not a triage state file; refusing to use or overwrite it")
        }
        guard let versionText else {
            throw .foreign("not a triage state file (no triage_state_version); refusing to use or overwrite it")
        }
        guard let version else { throw .corrupt("triage_state_version '\(versionText)' is not a number") }
        guard readableVersions.contains(version) else {
            if version > Self.version {
                throw .unsupported("state version \(version) is newer than this triage reads (\(readableVersions.lowerBound)–\(Self.version)); use a newer triage or another state file")
            }
            throw .corrupt("state version \(version) does not exist")
        }
        var entries: [Entry] = []
        let maxHead = version == 1 ? 256 : ContentFingerprint.length
        for index in fields.keys.sorted() {
            let f = fields[index] ?? [:]
            guard let file = f["path"], !file.isEmpty, let device = f["device"].flatMap({ UInt64($0) }),
                  let inode = f["inode"].flatMap({ UInt64($0) }),
                  let size = f["size"].flatMap({ Int64($0) }), (0...maxOffset).contains(size),
                  let offset = f["offset"].flatMap({ Int64($0) }), (0...maxOffset).contains(offset),
                  let lines = f["lines"].flatMap({ Int($0) }), (0...maxLines).contains(lines),
                  let head = f["head"], (1...16).contains(head.count), UInt64(head, radix: 16) != nil,
                  let headLength = f["head_length"].flatMap({ Int($0) }), (0...maxHead).contains(headLength)
            else {
                throw .corrupt("entry \(index) is incomplete or has values out of range (offsets and sizes 0…2^56, lines 0…2^48, head_length 0…\(maxHead))")
            }
            entries.append(Entry(path: file, device: device, inode: inode, size: size, offset: offset, lines: lines,
                                 head: head, headLength: headLength, isGzip: f["gzip"] == "true"))
        }
        return CronState(entries: entries)
    }

    /// Moves a corrupt state file aside (`STATE.corrupt-EPOCH`), so that it can be
    /// inspected and is never silently overwritten. Returns the new name.
    public static func setAside(path: String, now: Int64) -> String? {
        let target = "\(path).corrupt-\(now)"
        return rename(path, target) == 0 ? target : nil
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
