import Foundation

/// Durations in logarithmic buckets: percentiles within 1% of the exact value, any
/// two histograms merge exactly, and memory depends on the spread of the values,
/// never on how many there are.
///
/// Bucket `i` holds durations `d` (microseconds) with `γ^(i-1) < d ≤ γ^i`, γ = 1.02
/// (the DDSketch layout with fixed buckets). A percentile reports its bucket's
/// value `2γ^i / (γ + 1)`, at most `(γ - 1) / (γ + 1)` = 0.99% from any duration in
/// the bucket, clamped to the exact minimum and maximum. Durations of 0 and 1 µs share
/// bucket 0; the last bucket (≈ 2.8 hours) takes everything longer.
///
/// Only the buckets between the smallest and largest index seen are stored (4 bytes
/// each): 1 ms to 60 s is 556 buckets, 2.2 KB; the whole range is at most 4.7 KB.
/// An empty histogram allocates nothing. See Docs/Reports.md for why this and not
/// HdrHistogram.
public struct LatencyHistogram: Sendable, Equatable {
    public static let gamma = 1.02
    /// The relative error bound of every percentile: (γ - 1) / (γ + 1).
    public static let relativeError = (gamma - 1) / (gamma + 1)
    static let logGamma = log(gamma)
    /// 10^10 µs (≈ 2.8 h) and beyond go in the last bucket.
    static let maxIndex = Int((log(1e10) / logGamma).rounded(.up))

    /// Counts of buckets `offset ..< offset + counts.count`; saturates at `UInt32.max`.
    private var counts: [UInt32] = []
    private var offset = 0
    public private(set) var count = 0
    public private(set) var min: Int64 = .max
    public private(set) var max: Int64 = .min

    public init() {}

    public var isEmpty: Bool { count == 0 }

    /// The bucket of `micros`: the same answer as ``indexByLogarithm(_:)``, from
    /// ``BucketTables`` (a table read and one compare instead of a logarithm and a
    /// division, once per request: they were 2 % of a run's time).
    @inline(__always)
    static func index(_ micros: Int64) -> Int {
        let t = BucketTables.shared
        if micros < BucketTables.smallLimit { return micros <= 1 ? 0 : Int(t.small[Int(micros)]) }
        if micros >= t.lastFirst { return maxIndex }
        let e = 63 - micros.leadingZeroBitCount
        let k = Int(truncatingIfNeeded: micros >> Int64(e - 8)) & 0xFF
        var i = Int(t.coarse[(e - 8) << 8 | k])
        if micros >= t.firsts[i + 1] { i += 1 }
        return i
    }

    /// The bucket of `micros` by its definition, `⌈ln(micros) / ln γ⌉`.
    static func indexByLogarithm(_ micros: Int64) -> Int {
        guard micros > 1 else { return 0 }
        let i = Int((log(Double(micros)) / logGamma).rounded(.up))
        return Swift.min(i, maxIndex)
    }

    /// Tables that give ``index(_:)`` without a logarithm, built once from
    /// ``indexByLogarithm(_:)`` (about 10,000 logarithms, 16 KB, never freed):
    /// - `small[m]`, the bucket of every `m` under 256 (where buckets are narrower
    ///   than one microsecond and some hold no integer);
    /// - `coarse`, the bucket of the first value of each run of values sharing their
    ///   leading one and the 8 bits after it. A run spans at most 1/256 of its start,
    ///   under one bucket's width (2 %), so it meets at most two buckets;
    /// - `firsts[i]`, the first value in bucket `i`: a value is in the run's bucket or,
    ///   when it reaches the next bucket's first value, in that one.
    final class BucketTables: @unchecked Sendable {
        static let shared = BucketTables()
        static let smallLimit: Int64 = 256
        let small: UnsafeMutablePointer<UInt16>
        let coarse: UnsafeMutablePointer<UInt16>
        let firsts: UnsafeMutablePointer<Int64>
        /// The first value of the last bucket: it and every larger value are in it.
        let lastFirst: Int64

        private init() {
            small = .allocate(capacity: Int(Self.smallLimit))
            for m in 0..<Int(Self.smallLimit) { small[m] = UInt16(LatencyHistogram.indexByLogarithm(Int64(m))) }
            firsts = .allocate(capacity: LatencyHistogram.maxIndex + 2)
            firsts[0] = 0
            for i in 1...LatencyHistogram.maxIndex {
                // The smallest m whose bucket is at least i (buckets grow with m): near γ^(i-1),
                // then moved to the exact edge, a few logarithms a bucket.
                var m = Swift.max(0, Int64(exp(Double(i - 1) * LatencyHistogram.logGamma)))
                while m > 0 && LatencyHistogram.indexByLogarithm(m - 1) >= i { m -= 1 }
                while LatencyHistogram.indexByLogarithm(m) < i { m += 1 }
                firsts[i] = m
            }
            firsts[LatencyHistogram.maxIndex + 1] = .max
            lastFirst = firsts[LatencyHistogram.maxIndex]
            // Rows for leading-one positions 8 ... that of the last bucket's first value.
            let rows = 63 - lastFirst.leadingZeroBitCount - 8 + 1
            coarse = .allocate(capacity: rows << 8)
            for row in 0..<rows {
                for k in 0..<256 {
                    let start = (Int64(256 + k)) << Int64(row)
                    coarse[row << 8 | k] = UInt16(LatencyHistogram.indexByLogarithm(start))
                }
            }
        }
    }

    /// Adds one duration in microseconds; negative durations (unknown) are ignored.
    public mutating func record(_ micros: Int64) {
        guard micros >= 0 else { return }
        record(micros, bucket: Self.index(micros))
    }

    /// Adds one duration whose bucket (``index(_:)``) the caller computed once for several histograms.
    @inline(__always)
    mutating func record(_ micros: Int64, bucket: Int) {
        add(bucket: bucket, times: 1)
        count += 1
        if micros < min { min = micros }
        if micros > max { max = micros }
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

    /// Adds every duration `other` holds, as if recorded here.
    public mutating func merge(_ other: LatencyHistogram) {
        guard !other.isEmpty else { return }
        for (k, c) in other.counts.enumerated() where c > 0 { add(bucket: other.offset + k, times: c) }
        count += other.count
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
    }

    /// The duration (µs) at quantile `q` (0…1) by nearest rank, within ``relativeError``;
    /// nil when empty.
    public func quantile(_ q: Double) -> Int64? {
        guard count > 0 else { return nil }
        if q >= 1 { return max }
        let rank = Swift.max(1, Int((q * Double(count)).rounded(.up)))
        var seen = 0
        for (k, c) in counts.enumerated() {
            seen += Int(c)
            if seen >= rank {
                let i = offset + k
                let value = i == 0 ? 1 : 2 * pow(Self.gamma, Double(i)) / (Self.gamma + 1)
                return Swift.min(max, Swift.max(min, Int64(value.rounded())))
            }
        }
        return max
    }

    /// A duration at least as long as the `rank`-th shortest (1-based): the upper edge of
    /// its bucket, clamped to the maximum. Exact as a bound, whatever the bucket width.
    public func upperBound(rank: Int) -> Int64? {
        guard count > 0, rank >= 1 else { return nil }
        if rank >= count { return max }
        var seen = 0
        for (k, c) in counts.enumerated() {
            seen += Int(c)
            if seen >= rank {
                let i = offset + k
                let edge = i == 0 ? 1 : pow(Self.gamma, Double(i)).rounded(.up)
                return Swift.min(max, Int64(edge))
            }
        }
        return max
    }

    /// Durations certainly longer than `micros`: those in buckets whose lower edge is at
    /// least `micros` (a bucket straddling it is not counted, so this never overcounts).
    public func countSurelyAbove(_ micros: Int64) -> Int {
        guard count > 0 else { return 0 }
        if micros < min { return count }
        var above = 0
        for (k, c) in counts.enumerated() {
            let i = offset + k
            // Bucket 0 holds 0 and 1 µs: nothing in it is surely above a duration ≥ min.
            if i > 0 && pow(Self.gamma, Double(i - 1)) >= Double(micros) { above += Int(c) }
        }
        return above
    }

    /// The stored form (for partials): first bucket, bucket counts, count, min, max.
    public var wire: (offset: Int, counts: [Int], count: Int, min: Int64, max: Int64) {
        (offset, counts.map(Int.init), count, min, max)
    }

    /// Rebuilds a histogram from ``wire``; nil when the parts cannot come from one.
    public init?(offset: Int, counts: [Int], count: Int, min: Int64, max: Int64) {
        guard count > 0 else {
            self.init()
            return
        }
        guard offset >= 0, offset + counts.count - 1 <= Self.maxIndex, !counts.isEmpty,
              counts.allSatisfy({ $0 >= 0 && $0 <= Int(UInt32.max) }), min >= 0, min <= max,
              counts.reduce(0, +) <= count else { return nil }
        self.init()
        self.offset = offset
        self.counts = counts.map { UInt32($0) }
        self.count = count
        self.min = min
        self.max = max
    }

    /// Bytes held by the buckets (for the memory measurement in the docs and tests).
    public var storedBuckets: Int { counts.count }
}
