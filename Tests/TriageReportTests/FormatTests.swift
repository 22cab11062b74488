import Testing
@testable import TriageReport

@Suite struct FormatTests {
    @Test("counts get thousands separators", arguments: [(0, "0"), (999, "999"), (1000, "1,000"), (1_234_567, "1,234,567"), (-1500, "-1,500")])
    func counts(value: Int, text: String) {
        #expect(Format.count(value) == text)
    }

    @Test("percentages round to one decimal and never show a non-zero share as 0%")
    func percentages() {
        #expect(Format.percent(1, of: 3) == "33.3%")
        #expect(Format.percent(1, of: 100_000) == "<0.1%")
        #expect(Format.percent(0, of: 10) == "0.0%")
        #expect(Format.percent(5, of: 0) == "0%")
    }

    @Test("fit pads and cuts to the column width")
    func fit() {
        #expect(Format.fit("abc", 5) == "abc  ")
        #expect(Format.fit("abc", 5, alignRight: true) == "  abc")
        #expect(Format.fit("abcdef", 4) == "abc…")
    }
}
