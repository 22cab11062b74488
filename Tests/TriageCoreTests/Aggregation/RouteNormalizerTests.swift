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

    @Test("nginx \\xHH and Apache \\\" escapes decode")
    func unescapes() {
        let decoded = Array(#"a\x22b\"c\\d"#.utf8).withUnsafeBufferPointer { LogText.unescape($0) }
        #expect(String(decoding: decoded, as: UTF8.self) == #"a"b"c\d"#)
    }
}
