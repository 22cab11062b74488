import Testing
@testable import TriageCore

@Suite struct RouteNormalizerTests {
    @Test("targets collapse to routes", arguments: [
        ("/api/orders/48213", "/api/orders/{id}"),
        ("/api/orders/48213?expand=items", "/api/orders/{id}"),
        ("/api/users/3f2b8c1e-9d4a-4b7e-8f00-1234567890ab/cart", "/api/users/{uuid}/cart"),
        ("/static/app.3f9a0c1d2e4b.js", "/static/app.{hex}.js"),
        ("/orders/order-12/items_7", "/orders/order-{id}/items_{id}"),
        ("/deadbeef", "/deadbeef"),
        ("/", "/"),
        ("http://example.com/a/1", "/a/{id}"),
        ("http://example.com", "/"),
        ("*", "*"),
        ("\\x16\\x03", "(invalid)"),
        ("", "(invalid)"),
        ("/wp-login.php#frag", "/wp-login.php"),
    ])
    func normalizes(target: String, route: String) {
        let normalizer = RouteNormalizer()
        let out = Array(target.utf8).withUnsafeBufferPointer { String(decoding: normalizer.normalize($0), as: UTF8.self) }
        #expect(out == route)
    }

    @Test("very long targets are capped")
    func capped() {
        let normalizer = RouteNormalizer(maxLength: 32)
        let target = "/" + String(repeating: "segment/", count: 50)
        let out = Array(target.utf8).withUnsafeBufferPointer { String(decoding: normalizer.normalize($0), as: UTF8.self) }
        #expect(out.hasSuffix("…"))
        #expect(out.utf8.count <= 32 + 3)
    }

    @Test("the one-pass normaliser agrees with the segment-by-segment rules on random targets")
    func agreesWithReference() {
        // Targets built from the bytes the rules care about, so ids, hex runs, UUIDs,
        // separators, queries and caps all come up often.
        let pieces: [String] = ["/", "/", "/", "12", "0", "9876543210", "deadbeef", "DEADBEEF0", "abc", "x", ".", "-", "_",
                                ",", ";", "~", "=", "?", "#", "%2F", "é", "3f2b8c1e-9d4a-4b7e-8f00-1234567890ab",
                                "3f2b8c1e-9d4a-4b7e-8f00-1234567890az", "http://h", "https://", "*", "a1b2c3d4"]
        var rng = SplitMix(seed: 20261202)
        for maxLength in [16, 32, 200] {
            let normalizer = RouteNormalizer(maxLength: maxLength)
            for _ in 0..<4_000 {
                var target = ""
                for _ in 0..<(rng.next() % 12) { target += pieces[rng.next() % pieces.count] }
                let bytes = Array(target.utf8)
                let fast = bytes.withUnsafeBufferPointer { Array(normalizer.normalize($0)) }
                let reference = ReferenceRoutes.normalize(bytes, maxLength: max(16, maxLength))
                #expect(fast == reference, "\(target) with maxLength \(maxLength)")
                if fast != reference { return }
            }
        }
    }
}

/// The route rules as first written, segment by segment and token by token (the
/// normaliser before its one-pass rewrite): the reference the fast one must match.
enum ReferenceRoutes {
    static func normalize(_ t: [UInt8], maxLength: Int) -> [UInt8] {
        var out: [UInt8] = []
        let capacity = maxLength + 8
        func append(_ b: UInt8) { if out.count < capacity { out.append(b) } }
        func append(_ s: String) { for b in s.utf8 { append(b) } }
        var start = 0
        var end = t.count
        if let q = t.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) { end = q }
        if end - start >= 8, t.starts(with: Array("http://".utf8)) || t.starts(with: Array("https://".utf8)) {
            var i = start
            while i < end && t[i] != UInt8(ascii: ":") { i += 1 }
            i += 3
            while i < end && t[i] != UInt8(ascii: "/") { i += 1 }
            start = i
            if start >= end { return Array("/".utf8) }
        }
        guard start < end, t[start] == UInt8(ascii: "/") else {
            return end - start == 1 && t[start] == UInt8(ascii: "*") ? Array("*".utf8) : Array("(invalid)".utf8)
        }
        func isHex(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) || (0x61...0x66).contains(b) || (0x41...0x46).contains(b) }
        var i = start
        while i < end {
            append(UInt8(ascii: "/"))
            i += 1
            var segmentEnd = i
            while segmentEnd < end && t[segmentEnd] != UInt8(ascii: "/") { segmentEnd += 1 }
            let segment = Array(t[i..<segmentEnd])
            if segment.count == 36, segment.indices.allSatisfy({ [8, 13, 18, 23].contains($0) ? segment[$0] == UInt8(ascii: "-") : isHex(segment[$0]) }) {
                append("{uuid}")
            } else {
                var k = 0
                while k < segment.count {
                    var tokenEnd = k
                    while tokenEnd < segment.count && !".-_,;~=".utf8.contains(segment[tokenEnd]) { tokenEnd += 1 }
                    let token = segment[k..<tokenEnd]
                    if !token.isEmpty {
                        if token.allSatisfy({ (0x30...0x39).contains($0) }) {
                            append("{id}")
                        } else if token.allSatisfy(isHex) && token.contains(where: { (0x30...0x39).contains($0) }) && token.count >= 8 {
                            append("{hex}")
                        } else {
                            token.forEach(append)
                        }
                    }
                    if tokenEnd < segment.count { append(segment[tokenEnd]) }
                    k = tokenEnd + 1
                }
            }
            i = segmentEnd
            if out.count >= maxLength { break }
        }
        if out.count > maxLength || (out.count >= maxLength && i < end) {
            out.removeLast(out.count - maxLength)
            for b in "…".utf8 { out.append(b) }
        }
        return out
    }
}

@Suite struct RotatedSetTests {
    @Test("rotated sets are read oldest first whatever order they are given in")
    func oldestFirst() {
        #expect(RotatedSet.oldestFirst(["access.log", "access.log.1", "access.log.2.gz", "access.log.10.gz"])
                == ["access.log.10.gz", "access.log.2.gz", "access.log.1", "access.log"])
        #expect(RotatedSet.oldestFirst(["b.log", "a.log.1", "a.log"]) == ["b.log", "a.log.1", "a.log"])
        #expect(RotatedSet.oldestFirst(["access.log", "access.log-20261120.gz", "access.log-20261119.gz"])
                == ["access.log-20261119.gz", "access.log-20261120.gz", "access.log"])
        #expect(RotatedSet.oldestFirst(["-"]) == ["-"])
    }
}

@Suite struct LogTextTests {
    @Test("control characters and invalid UTF-8 never reach the terminal raw")
    func sanitizes() {
        let hostile: [UInt8] = Array("ok \u{1B}[31mred\u{07}".utf8) + [0xFF, 0xC3, 0xA9, 0x9B]
        let shown = LogText.display(hostile)
        #expect(!shown.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || (0x80...0x9F).contains($0.value) })
        #expect(shown == "ok \\x1B[31mred\\x07\\xFFé\\x9B")
    }

    @Test("bidi overrides, C1 controls and overlong encodings are escaped; other UTF-8 and plain ASCII pass as they are")
    func escapesWhatCouldDisguise() {
        let bytes: [UInt8] = Array("a".utf8) + [0xE2, 0x80, 0xAE] + [0xC2, 0x85] + [0xC0, 0xAF] + [0xF0, 0x9F, 0x98, 0x80]
            + Array(" é\u{7F}".utf8)
        #expect(LogText.display(bytes) == "a\\xE2\\x80\\xAE\\xC2\\x85\\xC0\\xAF😀 é\\x7F")
        let plain = "203.0.113.9 GET /api/orders?x=1 \"Mozilla/5.0\" ~!@#$%^&*()"
        #expect(LogText.display(Array(plain.utf8)) == plain)
    }

    @Test("nginx \\xHH and Apache \\\" escapes decode")
    func unescapes() {
        let decoded = Array(#"a\x22b\"c\\d"#.utf8).withUnsafeBufferPointer { LogText.unescape($0) }
        #expect(String(decoding: decoded, as: UTF8.self) == #"a"b"c\d"#)
    }
}
