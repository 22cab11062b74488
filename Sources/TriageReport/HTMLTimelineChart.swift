import TriageCore

/// Draws 5xx per class over time as an inline SVG: one stacked bar per time slot,
/// and, when the log has request times, their p95 per slot as a line on a right axis.
///
/// The summary's buckets (one per minute with requests) are merged into slots
/// of a whole number of buckets, the finest step that gives at most
/// ``maxBars`` bars. Slots with requests but no 5xx show in a thin grey strip
/// under the axis, so a gap in the log can be told from a quiet minute.
///
/// The chart is drawn in layers, back to front: shaded ranges, grid, bars,
/// markers, axes. ``Marker`` is a labelled moment (a deploy) and ``Shade`` a
/// labelled period (an incident window); any later kind of annotation is one
/// more list and one more layer.
struct HTMLTimelineChart {
    /// A moment to mark with a vertical line and a label (a deploy).
    struct Marker {
        var time: Int64
        var label: String
    }

    /// A period to shade behind the bars (an incident window), `from..<to`.
    struct Shade {
        var from: Int64
        var to: Int64
        var label: String
    }

    /// One bar: the 5xx of a slot, by class.
    struct Slot {
        var start: Int64
        var requests = 0
        var serverErrors = 0
        var classes = ClassCounts()
        /// Request times of the slot (the minutes' coarse histograms merged: exact merge).
        var latency = TimelineLatency()
        var p95: Int64? { latency.quantile(0.95) }
    }

    static let maxBars = 240
    /// Slot lengths tried in order; each must be a whole number of buckets.
    static let steps: [Int64] = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800]
    /// Tick spacings tried in order, the first giving at most ``maxTicks`` labels wins.
    static let tickSteps: [Int64] = [60, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800, 2_419_200]
    static let maxTicks = 9

    // Geometry of the viewBox; the SVG scales to its container.
    let width = 960.0
    let height = 300.0
    let left = 52.0
    /// Room for the p95 axis labels when there is a p95 line.
    var right: Double { latencyScale == nil ? 28 : 60 }
    let top = 28.0
    let bottom = 52.0

    let bucketSeconds: Int64
    let step: Int64
    let start: Int64
    let end: Int64
    let slots: [Slot]
    /// Server-error classes with 5xx in the chart, in report order (the legend).
    let classes: [FailureClass]
    /// The y-axis top and tick spacing.
    let yScale: (max: Int, tick: Int)
    /// The right axis of the p95 line, in µs; nil when no slot has a request time.
    let latencyScale: (max: Int, tick: Int)?
    var markers: [Marker] = []
    var shades: [Shade] = []

    /// Nil when the timeline is empty.
    init?(_ timeline: [TriageSummary.TimelineBucket], bucketSeconds: Int64, markers: [Marker] = [], shades: [Shade] = []) {
        guard let first = timeline.first, let last = timeline.last else { return nil }
        let bucket = max(1, bucketSeconds)
        let span = last.start - first.start + bucket
        let step = Self.steps.filter { $0 >= bucket && $0 % bucket == 0 }
            .first { Self.slotStart(last.start, $0) - Self.slotStart(first.start, $0) < $0 * Int64(Self.maxBars) }
            ?? ((span / Int64(Self.maxBars)) / 86_400 + 1) * 86_400
        let start = Self.slotStart(first.start, step)
        let count = Int((Self.slotStart(last.start, step) - start) / step) + 1
        var slots = (0..<count).map { Slot(start: start + Int64($0) * step) }
        for b in timeline {
            let i = Int((b.start - start) / step)
            guard slots.indices.contains(i) else { continue }
            slots[i].requests += b.requests
            slots[i].serverErrors += b.serverErrors
            slots[i].classes.add(b.classes)
            slots[i].latency.merge(b.latency)
        }
        self.bucketSeconds = bucket
        self.step = step
        self.start = start
        self.end = start + Int64(count) * step
        self.slots = slots
        var totals = ClassCounts()
        for slot in slots { totals.add(slot.classes) }
        self.classes = FailureClass.allCases.filter { $0.isServerError && totals[$0] > 0 }
        self.yScale = Self.scale(peak: slots.map(\.serverErrors).max() ?? 0)
        let peakP95 = slots.compactMap(\.p95).max()
        self.latencyScale = peakP95.map { Self.scale(peak: Int(clamping: max(1, $0))) }
        self.markers = markers
        self.shades = shades
    }

    /// A round tick spacing (1, 2 or 5 × 10ⁿ) giving at most five intervals up to `peak`.
    static func scale(peak: Int) -> (max: Int, tick: Int) {
        guard peak > 0 else { return (1, 1) }
        var magnitude = 1
        while true {
            for factor in [1, 2, 5] {
                let tick = factor * magnitude
                let intervals = (peak + tick - 1) / tick
                if intervals <= 5 { return (intervals * tick, tick) }
            }
            magnitude *= 10
        }
    }

    static func slotStart(_ t: Int64, _ step: Int64) -> Int64 {
        t - ((t % step) + step) % step
    }

    // MARK: - Drawing

    /// The SVG element; `title` labels it for screen readers.
    func svg(title: String) -> String {
        var out: [String] = []
        out.append("<svg class=\"chart\" viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" aria-label=\"\(HTMLText.escape(title))\" font-size=\"13\">")
        out += drawShades()
        out += drawGrid()
        out += drawTraffic()
        out += drawBars()
        out += drawLatency()
        out += drawMarkers()
        out += drawTimeAxis()
        out.append("</svg>")
        return out.joined(separator: "\n")
    }

    private var plotWidth: Double { width - left - right }
    private var plotHeight: Double { height - top - bottom }
    private var baseline: Double { top + plotHeight }

    private func x(_ t: Int64) -> Double {
        left + Double(t - start) / Double(end - start) * plotWidth
    }

    private func y(_ value: Int) -> Double {
        baseline - Double(value) / Double(yScale.max) * plotHeight
    }

    var visibleShades: [Shade] { shades.filter { max($0.from, start) < min($0.to, end) } }
    var visibleMarkers: [Marker] { markers.filter { $0.time >= start && $0.time <= end } }

    static let shadeColor = "#FBE3DF"
    static let markerColor = "#1F2328"
    static let trafficColor = "#C9D1D9"
    static let trafficSwatch = "<svg class=\"swatch\" width=\"12\" height=\"12\" aria-hidden=\"true\"><rect y=\"4\" width=\"12\" height=\"4\" fill=\"\(trafficColor)\"/></svg>"
    static let markerSwatch = "<svg class=\"swatch\" width=\"12\" height=\"12\" aria-hidden=\"true\"><line x1=\"6\" y1=\"0\" x2=\"6\" y2=\"12\" stroke=\"\(markerColor)\" stroke-width=\"1.5\" stroke-dasharray=\"3 2\"/></svg>"
    static let shadeSwatch = "<svg class=\"swatch\" width=\"12\" height=\"12\" aria-hidden=\"true\"><rect width=\"12\" height=\"12\" rx=\"2\" fill=\"\(shadeColor)\" stroke=\"#E8B4AB\"/></svg>"

    /// Shaded ranges behind everything; the label is the tooltip (text would cover bars).
    private func drawShades() -> [String] {
        visibleShades.map { shade in
            let from = max(shade.from, start)
            let to = min(shade.to, end)
            return "<g class=\"shade\"><title>\(HTMLText.escape(shade.label))</title>"
                + "<rect x=\"\(n(x(from)))\" y=\"\(n(top))\" width=\"\(n(x(to) - x(from)))\" height=\"\(n(plotHeight))\" fill=\"\(Self.shadeColor)\"/></g>"
        }
    }

    private func drawGrid() -> [String] {
        let scale = yScale
        var out = ["<g class=\"grid\" stroke=\"#D1D9E0\" stroke-width=\"1\">"]
        var labels = ["<g class=\"y-axis\" fill=\"#59636E\" text-anchor=\"end\">"]
        for value in stride(from: 0, through: scale.max, by: scale.tick) {
            let yy = n(y(value))
            out.append("<line x1=\"\(n(left))\" y1=\"\(yy)\" x2=\"\(n(width - right))\" y2=\"\(yy)\"/>")
            labels.append("<text x=\"\(n(left - 6))\" y=\"\(n(y(value) + 4))\">\(Format.count(value))</text>")
        }
        out.append("</g>")
        labels.append("<text class=\"title\" transform=\"rotate(-90)\" x=\"\(n(-(top + plotHeight / 2)))\" y=\"14\" text-anchor=\"middle\">5xx per \(HTMLText.escape(Self.describe(step)))</text>")
        labels.append("</g>")
        return out + labels
    }

    /// Slots with requests, as a grey strip under the axis.
    private func drawTraffic() -> [String] {
        let barWidth = plotWidth / Double(slots.count)
        var out = ["<g class=\"traffic\" fill=\"\(Self.trafficColor)\">"]
        var i = 0
        // One rect per run of slots with requests keeps the file small.
        while i < slots.count {
            guard slots[i].requests > 0 else { i += 1; continue }
            var j = i
            while j < slots.count && slots[j].requests > 0 { j += 1 }
            out.append("<rect x=\"\(n(left + Double(i) * barWidth))\" y=\"\(n(baseline + 3))\" width=\"\(n(Double(j - i) * barWidth))\" height=\"4\"/>")
            i = j
        }
        out.append("</g>")
        return out
    }

    private func drawBars() -> [String] {
        let barWidth = plotWidth / Double(slots.count)
        let gap = barWidth >= 4 ? 1.0 : 0
        var out = ["<g class=\"bars\">"]
        for (i, slot) in slots.enumerated() where slot.serverErrors > 0 {
            let parts = classes.filter { slot.classes[$0] > 0 }
            let detail = parts.map { "\($0.identifier) \(Format.count(slot.classes[$0]))" }.joined(separator: ", ")
            let p95 = slot.p95.map { ", request time p95 \(Format.duration($0))" } ?? ""
            var bar = "<g><title>\(Self.range(slot.start, slot.start + step)) UTC: \(Format.count(slot.serverErrors)) 5xx of \(Format.count(slot.requests)) requests (\(detail))\(p95)</title>"
            var stacked = 0
            for c in parts {
                let value = slot.classes[c]
                let yTop = y(stacked + value)
                bar += "<rect x=\"\(n(left + Double(i) * barWidth + gap / 2))\" y=\"\(n(yTop))\" width=\"\(n(barWidth - gap))\" height=\"\(n(y(stacked) - yTop))\" fill=\"\(HTMLPalette.color(c))\"/>"
                stacked += value
            }
            out.append(bar + "</g>")
        }
        out.append("</g>")
        return out
    }

    static let latencyColor = "#6E40C9"
    static let latencySwatch = "<svg class=\"swatch\" width=\"12\" height=\"12\" aria-hidden=\"true\"><line x1=\"0\" y1=\"6\" x2=\"12\" y2=\"6\" stroke=\"\(latencyColor)\" stroke-width=\"2\"/></svg>"

    private func yLatency(_ micros: Int64, _ scale: (max: Int, tick: Int)) -> Double {
        baseline - Double(min(micros, Int64(scale.max))) / Double(scale.max) * plotHeight
    }

    /// The p95 of each slot's request times: a line through the slots' middles, broken
    /// where a slot logged no request time, with its axis on the right.
    private func drawLatency() -> [String] {
        guard let scale = latencyScale else { return [] }
        let barWidth = plotWidth / Double(slots.count)
        var out = ["<g class=\"latency\" fill=\"none\" stroke=\"\(Self.latencyColor)\" stroke-width=\"1.5\" stroke-linejoin=\"round\">"]
        var run: [String] = []
        func flush() {
            if run.count == 1 {
                // A lone slot: a dot, since a line needs two points.
                let xy = run[0].split(separator: ",")
                out.append("<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"1.5\" fill=\"\(Self.latencyColor)\"/>")
            } else if run.count > 1 {
                out.append("<polyline points=\"\(run.joined(separator: " "))\"/>")
            }
            run = []
        }
        for (i, slot) in slots.enumerated() {
            guard let p95 = slot.p95 else { flush(); continue }
            run.append("\(n(left + (Double(i) + 0.5) * barWidth)),\(n(yLatency(p95, scale)))")
        }
        flush()
        out.append("</g>")
        // Labels end at the right edge, so the larger text of a narrow screen stays inside;
        // the legend names the axis.
        var labels = ["<g class=\"y-axis-latency\" fill=\"\(Self.latencyColor)\" text-anchor=\"end\">"]
        for value in stride(from: 0, through: scale.max, by: scale.tick) {
            labels.append("<text x=\"\(n(width - 2))\" y=\"\(n(yLatency(Int64(value), scale) + 4))\">\(Self.tickDuration(value))</text>")
        }
        labels.append("</g>")
        return out + labels
    }

    /// Dashed vertical lines with their label above the plot (right-aligned near the right edge).
    private func drawMarkers() -> [String] {
        visibleMarkers.map { marker in
            let xx = x(marker.time)
            let label = HTMLText.escape(marker.label)
            let nearRight = xx > width - right - 120
            return "<g class=\"marker\"><title>\(label) at \(Format.dateTime(marker.time)) UTC</title>"
                + "<line x1=\"\(n(xx))\" y1=\"\(n(top - 4))\" x2=\"\(n(xx))\" y2=\"\(n(baseline))\" stroke=\"\(Self.markerColor)\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>"
                + "<text x=\"\(n(nearRight ? xx - 4 : xx + 4))\" y=\"\(n(top - 8))\" fill=\"\(Self.markerColor)\" font-size=\"12\"\(nearRight ? " text-anchor=\"end\"" : "")>\(label)</text></g>"
        }
    }

    private func drawTimeAxis() -> [String] {
        let span = end - start
        let tick = Self.tickSteps.first { span / $0 < Int64(Self.maxTicks) } ?? (span / Int64(Self.maxTicks) / 86_400 + 1) * 86_400
        let spansDays = span > 86_400
        // Traffic in several years (plausible times can be decades apart): a tick names its year.
        let spansYears = Format.dateTime(start).prefix(4) != Format.dateTime(end - 1).prefix(4)
        var out = ["<g class=\"x-axis\" fill=\"#59636E\" text-anchor=\"middle\">"]
        out.append("<line x1=\"\(n(left))\" y1=\"\(n(baseline))\" x2=\"\(n(width - right))\" y2=\"\(n(baseline))\" stroke=\"#59636E\"/>")
        var t = Self.slotStart(start, tick)
        if t < start { t += tick }
        while t <= end {
            let xx = n(x(t))
            let label = tick >= 86_400 && spansYears ? String(Format.dateTime(t).prefix(10))
                : tick >= 86_400 ? String(Format.dateTime(t).dropFirst(5).prefix(5))
                : spansDays ? String(Format.dateTime(t).dropFirst(5)) : Format.clock(t)
            out.append("<line x1=\"\(xx)\" y1=\"\(n(baseline))\" x2=\"\(xx)\" y2=\"\(n(baseline + 10))\" stroke=\"#59636E\"/>")
            // A label at the right edge ends there, so it is not cut when the chart is narrow.
            let anchor = x(t) > width - right - 20 ? " text-anchor=\"end\"" : ""
            out.append("<text class=\"tick\" x=\"\(xx)\" y=\"\(n(baseline + 24))\"\(anchor)>\(label)</text>")
            t += tick
        }
        let day = String(Format.dateTime(start).prefix(10))
        let caption = spansDays ? "time (UTC)" : "time (UTC), \(day)"
        out.append("<text x=\"\(n(left + plotWidth / 2))\" y=\"\(n(height - 6))\">\(caption)</text>")
        out.append("</g>")
        return out
    }

    // MARK: - Text

    private func n(_ value: Double) -> String { HTMLText.number(value) }

    /// `10:30–10:32`, or with dates when the range crosses midnight or is a day or more.
    static func range(_ from: Int64, _ to: Int64) -> String {
        if to - from >= 86_400 || Format.dateTime(from).prefix(10) != Format.dateTime(to - 1).prefix(10) {
            return "\(Format.dateTime(from))–\(Format.dateTime(to))"
        }
        return "\(Format.dateTime(from))–\(Format.clock(to))"
    }

    /// `0`, `500 ms`, `20 s`, `1.5 s`: a round tick value in µs, short.
    static func tickDuration(_ micros: Int) -> String {
        if micros == 0 { return "0" }
        if micros % 1_000_000 == 0 { return "\(micros / 1_000_000) s" }
        if micros % 1000 == 0 && micros < 1_000_000 { return "\(micros / 1000) ms" }
        return Format.duration(Int64(micros))
    }

    static func describe(_ seconds: Int64) -> String {
        switch seconds {
        case 60: return "minute"
        case let s where s % 86_400 == 0: return s == 86_400 ? "day" : "\(s / 86_400) days"
        case let s where s % 3600 == 0: return s == 3600 ? "hour" : "\(s / 3600) hours"
        case let s where s % 60 == 0: return "\(s / 60) minutes"
        default: return "\(seconds) seconds"
        }
    }
}
