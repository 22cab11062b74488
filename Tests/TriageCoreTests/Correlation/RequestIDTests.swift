import Testing
@testable import TriageCore

@Suite struct RequestIDTests {
    func key(_ id: String) -> String? { RequestID.key(id).map { String(decoding: $0, as: UTF8.self) } }

    @Test("one UUID written in any case, with or without dashes or braces, gives one key", arguments: [
        "fbfe6a02-4c88-47f5-b2be-5f970ae67d59",
        "FBFE6A02-4C88-47F5-B2BE-5F970AE67D59",
        "fbfe6a024c8847f5b2be5f970ae67d59",
        "{FBFE6A02-4C88-47F5-B2BE-5F970AE67D59}",
        "req-fbfe6a02-4c88-47f5-b2be-5f970ae67d59",
        "REQ-FBFE6A024C8847F5B2BE5F970AE67D59",
    ])
    func uuidForms(id: String) {
        #expect(key(id) == "fbfe6a024c8847f5b2be5f970ae67d59")
    }

    @Test("a req prefix stays when no 32-hex UUID follows it (it may be part of the ID)", arguments: [
        ("req-12345678", "req12345678"),
        ("req-fbfe6a02-4c88-47f5-b2be-5f970ae67d5", "reqfbfe6a024c8847f5b2be5f970ae67d5"),
        ("request-abcdef", "requestabcdef"),
    ])
    func reqPrefixKept(id: String, expected: String) {
        #expect(key(id) == expected)
    }

    @Test("IDs that are not UUIDs keep their characters, lowercased", arguments: [
        ("twvbRFk1OwgHo2bqggnx", "twvbrfk1owgho2bqggnx"),
        ("Root=1-5759e988-bd862e3fe1be46a994272793", "root=15759e988bd862e3fe1be46a994272793"),
        ("abc.def_123", "abc.def_123"),
    ])
    func otherIDs(id: String, expected: String) {
        #expect(key(id) == expected)
    }

    @Test("too short, too long, empty or containing spaces, quotes or control bytes: no key", arguments: [
        "", "-", "abc12", "{ab-c1}", "abc 123456", "abc\"123456", "abc\t123456",
        String(repeating: "a", count: RequestID.maximumLength + 1),
    ])
    func noKey(id: String) {
        #expect(key(id) == nil)
    }

    @Test("the shortest and longest keys accepted")
    func bounds() {
        #expect(key(String(repeating: "a", count: RequestID.minimumLength)) != nil)
        #expect(key(String(repeating: "a", count: RequestID.maximumLength)) != nil)
        // Dashes do not count towards the length.
        #expect(key("ab-cd-e") == nil)
    }

    @Test("normalize replaces the previous key in a reused buffer")
    func reusesBuffer() {
        var buffer: [UInt8] = Array("left over from before".utf8)
        let ok = Array("ABC-DEF-123".utf8).withUnsafeBufferPointer { RequestID.normalize($0, into: &buffer) }
        #expect(ok)
        #expect(String(decoding: buffer, as: UTF8.self) == "abcdef123")
    }
}
