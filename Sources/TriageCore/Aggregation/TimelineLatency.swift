import Foundation

/// The request times of one timeline minute, coarse enough to keep one per minute.
///
/// A ``LatencyHistogram`` costs about 2 KB for the usual spread, too much for every
/// minute of a month-long log. This one groups ``factor`` of its buckets into one
/// (γ⁵ = 1.02⁵ ≈ 1.104), so a percentile is within ``relativeError`` (≈ 4.95%) of the
/// nearest-rank value, and the usual spread of a minute (1 ms to 60 s at most) takes
/// at most 113 four-byte counters; a minute whose requests all take about the same
/// time takes a few. It is indexed from the fine histogram's bucket, so recording
/// one request time into both costs one logarithm. Merging adds counts: exact.
public struct TimelineLatency: Sendable, Equatable {
    /// Fine buckets per coarse bucket.
    static let factor = 5
    public static let gamma = pow(LatencyHistogram.gamma, Double(factor))
    /// The largest relative distance of a reported percentile from the exact one.
    public static let relativeError = (gamma - 1) / (gamma + 1)
    static let maxIndex = LatencyHistogram.maxIndex / factor

    private var counts: [UInt32] = []
    private var offset = 0
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    /// Adds one request time, given by its ``LatencyHistogram`` bucket.
    @inline(__always)
    mutating func record(fineBucket: Int) {
        add(bucket: fineBucket / Self.factor, times: 1)
        count += 1
    }

    /// Adds one request time in microseconds (negative: unknown, ignored).
    public mutating func record(_ micros: Int64) {
        guard micros >= 0 else { return }
        record(fineBucket: LatencyHistogram.index(micros))
    }

    private mutating func add(bucket i: Int, times: UInt32) {
        if counts.isEmpty {
            offset = i
            counts = [0]
        } else if i < offset {
            counts.insert(contentsOf: repeatElement(0, count: offset - i), at: 0)
            offset = i
        } else if i >= offset + counts.count {
            counts.append(contentsOf: repeatElement(0, count: i - offset - counts.count + 1))
        }
        let (sum, overflow) = counts[i - offset].addingReportingOverflow(times)
        counts[i - offset] = overflow ? .max : sum
    }

    public mutating func merge(_ other: TimelineLatency) {
        guard !other.isEmpty else { return }
        for (k, c) in other.counts.enumerated() where c > 0 { add(bucket: other.offset + k, times: c) }
        count += other.count
    }

    /// The request time (µs) at quantile `q` (0…1) by nearest rank, within
    /// ``relativeError``; nil when empty.
    public func quantile(_ q: Double) -> Int64? {
        guard count > 0 else { return nil }
        let rank = Swift.max(1, Swift.min(count, Int((q * Double(count)).rounded(.up))))
        var seen = 0
        for (k, c) in counts.enumerated() {
            seen += Int(c)
            if seen >= rank { return Self.value(ofBucket: offset + k) }
        }
        return Self.value(ofBucket: offset + counts.count - 1)
    }

    /// Coarse bucket k holds the fine buckets 5k…5k+4, durations in (γ_f^(5k−1), γ_f^(5k+4)];
    /// the value reported is the one that is at most ``relativeError`` from both ends.
    static func value(ofBucket k: Int) -> Int64 {
        let low = k == 0 ? 0 : pow(LatencyHistogram.gamma, Double(k * factor - 1))
        let high = pow(LatencyHistogram.gamma, Double(k * factor + factor - 1))
        return Int64((2 * low * high / (low + high)).rounded())
    }

    /// The stored form (for partials): first coarse bucket and the counts.
    public var wire: (offset: Int, counts: [Int]) { (offset, counts.map(Int.init)) }

    /// Rebuilds from ``wire``; nil when the parts cannot come from one.
    public init?(offset: Int, counts: [Int]) {
        self.init()
        if counts.isEmpty { return }
        guard offset >= 0, offset + counts.count - 1 <= Self.maxIndex,
              counts.allSatisfy({ $0 >= 0 && $0 <= Int(UInt32.max) }) else { return nil }
        self.offset = offset
        self.counts = counts.map { UInt32($0) }
        self.count = counts.reduce(0, +)
    }

    public var storedBuckets: Int { counts.count }
}
