import Testing
@testable import TriageCore
@testable import TriageReport

@Suite struct HTMLTimelineChartTests {
    static func minutes(_ count: Int, every: Int = 1) -> [TriageSummary.TimelineBucket] {
        stride(from: 0, to: count, by: every).map { m in
            var c = ClassCounts()
            c[.originError] = m % 3
            c[.upstreamTimeout] = m % 2
            return .init(start: SampleSummaries.incidentStart + Int64(m) * 60, requests: 10, serverErrors: c.serverErrors, classes: c)
        }
    }

    @Test("buckets are merged until at most 240 bars remain", arguments: [
        (1, 1, Int64(60)), (240, 1, 60), (241, 1, 120), (360, 1, 120), (1440, 1, 600), (7 * 1440, 7, 3600), (50 * 1440, 60, 21_600), (60 * 1440, 60, 43_200),
    ])
    func coarsening(minutes: Int, every: Int, step: Int64) throws {
        let chart = try #require(HTMLTimelineChart(Self.minutes(minutes, every: every), bucketSeconds: 60))
        #expect(chart.step == step)
        #expect(chart.slots.count <= HTMLTimelineChart.maxBars)
        let timeline = Self.minutes(minutes, every: every)
        #expect(chart.slots.reduce(0) { $0 + $1.serverErrors } == timeline.reduce(0) { $0 + $1.serverErrors })
    }

    @Test("with request times, each slot's p95 is a line on a right axis, named in the bar's tooltip; without, no line")
    func p95Line() throws {
        var timeline = Self.minutes(10)
        for i in timeline.indices where i != 4 {
            // 20 requests of 50 ms, and from minute 6 one in ten takes 2 s: p95 jumps there.
            for r in 0..<20 { timeline[i].latency.record(i >= 6 && r < 2 ? 2_000_000 : 50_000) }
        }
        let chart = try #require(HTMLTimelineChart(timeline, bucketSeconds: 60))
        #expect(chart.latencyScale != nil)
        #expect(chart.slots[3].p95.map { abs(Double($0 - 50_000)) / 50_000 <= TimelineLatency.relativeError } == true)
        #expect(chart.slots[7].p95.map { abs(Double($0 - 2_000_000)) / 2_000_000 <= TimelineLatency.relativeError } == true)
        let svg = chart.svg(title: "t")
        // Minute 4 logged no request time: the line breaks there (minutes 0–3, then 5–9).
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.contains("class=\"y-axis-latency\""))
        #expect(svg.contains(">2 s</text>"))
        #expect(svg.contains("request time p95 \(Format.duration(chart.slots[7].p95 ?? 0))</title>"))
        let plain = try #require(HTMLTimelineChart(Self.minutes(10), bucketSeconds: 60))
        #expect(plain.latencyScale == nil)
        #expect(!plain.svg(title: "t").contains("polyline"))
    }

    @Test("no timeline, no chart")
    func empty() {
        #expect(HTMLTimelineChart([], bucketSeconds: 60) == nil)
    }

    @Test("bars stack per class in the class colours, with a tooltip")
    func stackedBars() throws {
        let svg = try #require(HTMLTimelineChart(Self.minutes(10), bucketSeconds: 60)).svg(title: "t")
        #expect(svg.contains("fill=\"\(HTMLPalette.color(.originError))\""))
        #expect(svg.contains("fill=\"\(HTMLPalette.color(.upstreamTimeout))\""))
        #expect(svg.contains("<title>2026-11-20 08:05–08:06 UTC: 3 5xx of 10 requests (origin_error 2, upstream_timeout 1)</title>"))
        #expect(svg.contains(">08:00</text>"))
        #expect(svg.contains("time (UTC), 2026-11-20"))
    }

    @Test("the y-axis ends on a round number", arguments: [(0, 1, 1), (1, 1, 1), (3, 3, 1), (5, 5, 1), (7, 8, 2), (47, 50, 10), (1234, 1500, 500)])
    func yScale(peak: Int, max: Int, tick: Int) {
        let scale = HTMLTimelineChart.scale(peak: peak)
        #expect(scale.max == max)
        #expect(scale.tick == tick)
    }

    @Test("deploy markers and incident windows draw, escaped, inside the time range")
    func markersAndShades() throws {
        let t0 = SampleSummaries.incidentStart
        let chart = try #require(HTMLTimelineChart(
            Self.minutes(60), bucketSeconds: 60,
            markers: [.init(time: t0 + 1800, label: "v2.14.0 <b>"), .init(time: t0 - 86_400, label: "outside")],
            shades: [.init(from: t0 + 600, to: t0 + 900, label: "incident & co")]))
        let svg = chart.svg(title: "t")
        #expect(svg.contains("<g class=\"marker\"><title>v2.14.0 &lt;b&gt; at 2026-11-20 08:30 UTC</title>"))
        #expect(!svg.contains("outside"))
        #expect(svg.contains("<g class=\"shade\"><title>incident &amp; co</title>"))
    }
}
