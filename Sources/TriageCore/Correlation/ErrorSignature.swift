/// What groups application errors into one bug, the way error trackers do it:
/// the exception type, the message with its variable parts replaced
/// (``MessageNormalizer``), and the top frames of the stack (file and
/// function, no line numbers). The ID is a hash of those three, so the same
/// bug gives the same ID across runs and machines, and a different exception
/// or a different place in the code on the same route gives another.
///
/// The algorithm is versioned (``algorithm``); Docs/Correlation.md describes it.
public struct ErrorSignature: Sendable, Equatable {
    /// Bump when anything that feeds the ID changes.
    public static let algorithm = "sig-2"
    /// Frames that take part in the ID.
    public static let frameCount = 3

    public var exceptionType: String
    public var message: String
    public var frames: [String]
    public var id: String
    public var title: String
    /// False when neither an exception type nor a stack frame was found (a plain error line).
    public var hasException: Bool

    public init(exceptionType: String, message: String, frames: [String]) {
        self.exceptionType = exceptionType
        self.message = message
        self.frames = Array(frames.prefix(Self.frameCount))
        // Each part followed by 0xFF, a byte UTF-8 never holds: parts cannot run into each other.
        var h = FNV1a()
        for part in [Self.algorithm, exceptionType, message] + self.frames {
            h.add(part.utf8)
            h.add(0xFF)
        }
        id = h.hex
        let text = exceptionType.isEmpty ? message : (message.isEmpty ? exceptionType : "\(exceptionType): \(message)")
        title = text.count > 120 ? String(text.prefix(119)) + "…" : text
        hasException = !exceptionType.isEmpty || !self.frames.isEmpty
    }

    /// The last two parts of a path (`models/user.rb` from
    /// `/srv/releases/20261121/app/models/user.rb`): release directories and
    /// machine-specific prefixes vary, the file does not. A directory that is
    /// itself a release (`42`, `2026-11-21_1000`, a commit hash) is left out.
    public static func shortPath(_ path: String) -> String {
        let parts = path.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        guard parts.count >= 2, !isReleaseName(parts[parts.count - 2]) else { return parts.last.map(String.init) ?? "" }
        return parts.suffix(2).joined(separator: "/")
    }

    /// Digits with separators, or a hexadecimal hash of 7 or more with a digit in it.
    static func isReleaseName(_ name: Substring) -> Bool {
        let digitsAndSeparators = name.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-" || $0 == "_") }
        if digitsAndSeparators, name.contains(where: \.isNumber) { return true }
        return name.count >= 7 && name.allSatisfy(\.isHexDigit) && name.contains(where: \.isNumber)
    }
}

/// Builds ``ErrorSignature``s from application events. One per thread (it owns regexes).
final class SignatureBuilder {
    private let normalizer: MessageNormalizer
    private let rails: Regex
    private let exception: Regex
    private let goPanic: Regex
    private let python: Regex
    private let java: Regex
    private let node: Regex
    private let ruby: Regex
    private let goFunction: Regex
    private let goFile: Regex
    private let php: Regex

    init() throws {
        normalizer = try MessageNormalizer()
        // Rails: `ActiveRecord::RecordNotFound (Couldn't find User with 'id'=5):`
        rails = try Regex(#"^([A-Z]\w*(?:::[A-Z]\w*)+|[A-Z]\w*(?:Error|Exception|Invalid|NotFound|Timeout)) \((.*?)\)?:?$"#)
        // Java, Kotlin, Python, Node, Ruby, .NET: `pkg.SomeException: message`, `ValueError: bad`, `TypeError`.
        // JavaScript's and Python's base classes, `Error` and `Exception`, count on their own.
        exception = try Regex(#"^(?:Exception in thread "[^"]*" |Uncaught |Unhandled (?:exception|rejection):? )?((?:[A-Za-z_$][\w$]*(?:\.|::))*(?:[A-Z][\w$]*(?:Error|Exception|Exit|Interrupt|Fault|Failure|Timeout|Throwable|Invalid|NotFound|Denied|Refused)|Error|Exception))(?:: ?(.*))?$"#)
        // Anywhere in the line: a recovery middleware writes its own prefix (`request_id=… panic: …`).
        goPanic = try Regex(#"(?:^|\s)(?:http: )?panic(?: serving [^:]+:\d+)?: (.*)$"#)
        python = try Regex(#"^\s*File "([^"]+)", line \d+, in (.+)$"#)
        // Java (`at java.base/java.net.X.y(X.java:1)`, logback's `~[app.jar:1.0]` after it) and
        // .NET (`at Shop.Orders.Service.Place(Int32 id) in /src/Service.cs:line 42`).
        java = try Regex(#"^\s*at ((?:[\w$<>\-]+(?:[./]|//))+[\w$<>\-]+)\([^)]*\)(?:\s+~?\[[^\]]*\]| in .*)?\s*$"#)
        // PHP (Monolog/Laravel, Symfony): `#0 /var/www/app/Http/Controllers/OrderController.php(42): App\Http\…->show()`.
        php = try Regex(#"^\s*#\d+ (.+?\.php)\(\d+\): ([^(]+)\("#)
        node = try Regex(#"^\s*at (?:async )?(?:(.+?) \()?(?:file://)?([^()\s]+?)(?::\d+){1,2}\)?\s*$"#)
        // `app/models/user.rb:8:in `show'`, and a gem's frame as Rails' backtrace cleaner
        // writes it: `actionpack (5.1.5) lib/action_dispatch/…/debug_exceptions.rb:63:in `call'`.
        ruby = try Regex(#"^\s*(?:from )?([\w.-]+ \([\w.]+\) )?([^\s:]+\.(?:rb|erb|haml|slim|builder|jbuilder|rake)):\d+:in [`'](.*)'$"#)
        // A Go frame is a function line (with its arguments in a panic, without them in zap's
        // `stacktrace`) followed by an indented `file.go:line` line.
        goFunction = try Regex(#"^((?:[\w.\-]+/)*[\w.\-]+\.(?:\(\*?\w+(?:\[\.\.\.\])?\)\.)?[\w.]+(?:\[\.\.\.\])?)(?:\(.*\))?$"#)
        goFile = try Regex(#"^\s+\S+\.go:\d+(?: \+0x[0-9a-f]+)?\s*$"#)
    }

    /// The signature of one event.
    func signature(of event: AppEvent) -> ErrorSignature {
        var type = event.exceptionType ?? ""
        var message = event.exceptionMessage ?? ""
        if type.isEmpty || message.isEmpty, let found = findException(in: event.lines) {
            if type.isEmpty { type = found.type }
            if message.isEmpty { message = found.message }
        }
        if message.isEmpty {
            message = event.message ?? event.lines.first { !$0.trimmedSpaces.isEmpty } ?? ""
        }
        // The request ID is the most variable part of all.
        if !event.displayID.isEmpty { message = Self.replacing(event.displayID, with: "<id>", in: message) }
        var frames = event.structuredFrames.isEmpty ? findFrames(in: event.lines) : Self.preferApplication(
            event.structuredFrames.map { ($0, Self.isLibrary($0)) })
        frames = Array(frames.prefix(ErrorSignature.frameCount))
        return ErrorSignature(exceptionType: type, message: normalizer.normalize(message), frames: frames)
    }

    /// `text` with every occurrence of `target`, left to right, replaced, compared as bytes
    /// (the generic `replacing` walks characters, and cost more than the rest of a signature).
    static func replacing(_ target: String, with replacement: String, in text: String) -> String {
        let t = Array(target.utf8)
        guard let first = t.first, text.utf8.count >= t.count else { return text }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        var changed = false
        while i < bytes.count {
            if bytes[i] == first, i + t.count <= bytes.count, bytes[i..<(i + t.count)].elementsEqual(t) {
                out.append(contentsOf: replacement.utf8)
                i += t.count
                changed = true
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }

    /// The first line that names an exception (or a Go panic), with its message.
    private func findException(in lines: [String]) -> (type: String, message: String)? {
        for line in lines {
            let text = line.trimmedSpaces
            guard !text.isEmpty, text.count < 2000 else { continue }
            let bytes = Array(text.utf8)
            let found: (String, String)? = bytes.withUnsafeBufferPointer { p in
                for regex in [rails, exception] {
                    if let m = regex.firstMatch(in: p), let t = m.count > 1 ? m[1] : nil {
                        let rest = m.count > 2 ? m[2].map { String(decoding: p[$0], as: UTF8.self) } ?? "" : ""
                        return (String(decoding: p[t], as: UTF8.self), rest)
                    }
                }
                if let m = goPanic.firstMatch(in: p), let rest = m.count > 1 ? m[1] : nil {
                    return ("panic", String(decoding: p[rest], as: UTF8.self))
                }
                return nil
            }
            if let found { return found }
        }
        return nil
    }

    /// Frames innermost first, application frames before library ones.
    private func findFrames(in lines: [String]) -> [String] {
        var frames: [(text: String, isLibrary: Bool)] = []
        var pythonFrames: [(text: String, isLibrary: Bool)] = []
        var previous: [UInt8] = []
        for line in lines {
            let bytes = Array(line.utf8)
            defer { previous = bytes }
            bytes.withUnsafeBufferPointer { p in
                func group(_ m: [Range<Int>?], _ i: Int) -> String? {
                    guard i < m.count, let r = m[i] else { return nil }
                    return String(decoding: p[r], as: UTF8.self)
                }
                if goFile.firstMatch(in: p) != nil {
                    let function: String? = previous.withUnsafeBufferPointer { q in
                        guard let m = goFunction.firstMatch(in: q), m.count > 1, let r = m[1] else { return nil }
                        return String(decoding: q[r], as: UTF8.self)
                    }
                    // `panic(…)` has no package and is not matched; runtime frames are libraries.
                    if let function { frames.append((Self.stripNumbers(function), Self.isLibrary(function))) }
                    return
                }
                if let m = python.firstMatch(in: p), let file = group(m, 1), let function = group(m, 2) {
                    // Python prints the innermost call last.
                    pythonFrames.insert(("\(ErrorSignature.shortPath(file)) in \(function)", Self.isLibrary(file)), at: 0)
                } else if let m = java.firstMatch(in: p), let function = group(m, 1) {
                    frames.append((Self.stripNumbers(function), Self.isLibrary(function)))
                } else if let m = ruby.firstMatch(in: p), let file = group(m, 2), let method = group(m, 3) {
                    let isGem = group(m, 1) != nil
                    frames.append(("\(ErrorSignature.shortPath(file)) in \(Self.stripNumbers(method))", isGem || Self.isLibrary(file)))
                } else if let m = php.firstMatch(in: p), let file = group(m, 1), let function = group(m, 2) {
                    frames.append(("\(ErrorSignature.shortPath(file)) in \(function)", Self.isLibrary(file)))
                } else if let m = node.firstMatch(in: p), let file = group(m, 2) {
                    let short = ErrorSignature.shortPath(file)
                    let text = group(m, 1).map { "\(short) in \($0)" } ?? short
                    frames.append((text, Self.isLibrary(file)))
                }
            }
        }
        return Self.preferApplication(pythonFrames + frames)
    }

    private static func preferApplication(_ frames: [(text: String, isLibrary: Bool)]) -> [String] {
        let application = frames.filter { !$0.isLibrary }
        return (application.isEmpty ? frames : application).map(\.text)
    }

    /// Frames in dependencies and runtimes say little about which bug it is.
    static func isLibrary(_ location: String) -> Bool {
        var location = location
        // Compared as bytes: Foundation's `contains` on every frame of every event was a
        // visible share of an application log's reading thread.
        return location.withUTF8 { p in
            if libraryMarkers.contains(where: { contains(p, $0) }) { return true }
            return libraryPrefixes.contains { prefix in p.count >= prefix.count && p.prefix(prefix.count).elementsEqual(prefix) }
        }
    }

    private static func contains(_ p: UnsafeBufferPointer<UInt8>, _ m: [UInt8]) -> Bool {
        guard p.count >= m.count, let first = m.first else { return m.isEmpty }
        var i = 0
        while i + m.count <= p.count {
            if p[i] == first, p[i..<(i + m.count)].elementsEqual(m) { return true }
            i += 1
        }
        return false
    }

    private static let libraryMarkers: [[UInt8]] = [
        "/gems/", "/ruby/", "site-packages", "dist-packages", "/lib/python", "node_modules", "node:",
        "<frozen", "/usr/lib/", "/usr/local/lib/", "/go/pkg/mod/", "/usr/local/go/src/", "GOROOT", "vendor/",
    ].map { Array($0.utf8) }
    /// `internal/` only at the start (Go's and old Node's runtime): applications have internal packages too.
    private static let libraryPrefixes: [[UInt8]] = [
        "java.", "javax.", "jdk.", "sun.", "kotlin.", "kotlinx.", "scala.", "org.springframework.",
        "org.apache.", "io.netty.", "org.eclipse.jetty.", "com.sun.", "net/http.", "runtime.", "runtime/",
        "internal/", "database/sql.", "reflect.", "sync.", "syscall.", "System.", "Microsoft.",
    ].map { Array($0.utf8) }

    /// `lambda$handle$3` → `lambda$handle$N`, `Foo$1` → `Foo$N`, `func7` → `funcN`,
    /// `Foo$$EnhancerBySpringCGLIB$$c41e0b9a` → `Foo$$EnhancerBySpringCGLIB$$N`,
    /// `$$Lambda$17/0x0000000801234567` → `$$Lambda$N/0xN`,
    /// `block (2 levels) in call` → `block in call`: compiler-made numbers change between builds.
    static func stripNumbers(_ name: String) -> String {
        let c = Array(name)
        var out: [Character] = []
        var i = 0
        while i < c.count {
            if c[i] == "(", out.suffix(6).elementsEqual("block "), let close = c[i...].firstIndex(of: ")") {
                i = close + 1
                if i < c.count, c[i] == " " { i += 1 }
                continue
            }
            // Runs of six or more digits are made per process or build: Rails' compiled
            // templates (`_app_views_orders_show_html_erb__3071245961042937744_47181060`).
            var run = i
            while run < c.count, c[run].isASCII, c[run].isNumber { run += 1 }
            if run - i >= 6, i == 0 || !(c[i - 1].isASCII && c[i - 1].isNumber) {
                i = run
                // A negative hash is written with one more `_`: `erb___N` is `erb__N`.
                while out.count >= 2, out[out.count - 1] == "_", out[out.count - 2] == "_" { out.removeLast() }
                out.append("N")
                continue
            }
            // A class made at run time: Spring's `$$EnhancerBySpringCGLIB$$c41e0b9a`, a lambda's
            // `$$Lambda$17/0x0000000801234567`: its hex suffix differs per process.
            if out.last == "$" || out.suffix(2).elementsEqual("0x") {
                var hex = i
                while hex < c.count, c[hex].isHexDigit { hex += 1 }
                let isBoundary = hex == c.count || !(c[hex].isLetter || c[hex].isNumber)
                if hex - i >= 6, isBoundary, c[i..<hex].contains(where: \.isNumber) {
                    i = hex
                    out.append("N")
                    continue
                }
            }
            if c[i].isASCII, c[i].isNumber, out.last == "$" || out.suffix(4).elementsEqual("func") {
                while i < c.count, c[i].isASCII, c[i].isNumber { i += 1 }
                out.append("N")
                continue
            }
            out.append(c[i])
            i += 1
        }
        return String(out)
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmedSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
