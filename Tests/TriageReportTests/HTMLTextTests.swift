import Testing
@testable import TriageReport

@Suite struct HTMLTextTests {
    @Test("the five special characters become entities, control characters become visible", arguments: [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("a & b", "a &amp; b"),
        ("\"'", "&quot;&#39;"),
        ("&amp;", "&amp;amp;"),
        ("\u{1B}[31m", "\\x1B[31m"),
        ("line\nbreak", "line\\x0Abreak"),
        ("café ✓", "café ✓"),
    ])
    func escape(input: String, expected: String) {
        #expect(HTMLText.escape(input) == expected)
    }

    @Test("numbers keep at most one decimal and no trailing .0", arguments: [
        (0.0, "0"), (12.0, "12"), (12.34, "12.3"), (12.36, "12.4"), (-3.25, "-3.3"), (0.04, "0"), (959.99, "960"),
    ])
    func numbers(value: Double, expected: String) {
        #expect(HTMLText.number(value) == expected)
    }
}
