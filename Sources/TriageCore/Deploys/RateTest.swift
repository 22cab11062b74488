#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exact tests for "did the error rate change?" on counts.
///
/// Comparing two windows: given `e1` errors in `n1` requests before and `e2`
/// in `n2` after, if the rate did not change then, conditional on the
/// `e1 + e2` errors seen, the number after is Binomial(e1 + e2, n2 / (n1 + n2))
/// (the conditional test for two Poisson rates). Small counts give large
/// p-values by construction, so a handful of errors on low traffic is never
/// called a regression.
public enum RateTest {
    /// P(X ≥ k) for X ~ Binomial(n, p).
    public static func upperTail(_ k: Int, n: Int, p: Double) -> Double {
        if k <= 0 { return 1 }
        if k > n { return 0 }
        if p <= 0 { return 0 }
        if p >= 1 { return 1 }
        let mode = Int(Double(n + 1) * p)
        if k > mode {
            // Terms fall from k upward: sum until negligible, each from the last.
            let ratio = p / (1 - p)
            var term = exp(logBinomialPMF(k, n: n, p: p))
            var sum = 0.0
            var i = k
            while i <= n && term > 0 {
                sum += term
                if term < sum * 1e-16 { break }
                term *= Double(n - i) / Double(i + 1) * ratio
                i += 1
            }
            return min(1, sum)
        }
        return max(0, 1 - lowerTail(k - 1, n: n, p: p))
    }

    /// P(X ≤ k) for X ~ Binomial(n, p).
    public static func lowerTail(_ k: Int, n: Int, p: Double) -> Double {
        if k < 0 { return 0 }
        if k >= n { return 1 }
        if p <= 0 { return 1 }
        if p >= 1 { return 0 }
        let mode = Int(Double(n + 1) * p)
        if k < mode {
            // Terms fall from k downward.
            let ratio = (1 - p) / p
            var term = exp(logBinomialPMF(k, n: n, p: p))
            var sum = 0.0
            var i = k
            while i >= 0 && term > 0 {
                sum += term
                if term < sum * 1e-16 { break }
                term *= Double(i) / Double(n - i + 1) * ratio
                i -= 1
            }
            return min(1, sum)
        }
        return max(0, 1 - upperTail(k + 1, n: n, p: p))
    }

    static func logBinomialPMF(_ k: Int, n: Int, p: Double) -> Double {
        lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
            + Double(k) * log(p) + Double(n - k) * log1p(-p)
    }

    /// One-sided p-value that the rate after exceeds `ratio` × the rate before.
    public static func increase(before e1: Int, of n1: Int, after e2: Int, of n2: Int, ratio: Double = 1) -> Double {
        guard n1 > 0, n2 > 0, e1 + e2 > 0 else { return 1 }
        let weighted = ratio * Double(n2)
        return upperTail(e2, n: e1 + e2, p: weighted / (Double(n1) + weighted))
    }

    /// One-sided p-value that the rate after is below the rate before.
    public static func decrease(before e1: Int, of n1: Int, after e2: Int, of n2: Int) -> Double {
        guard n1 > 0, n2 > 0, e1 + e2 > 0 else { return 1 }
        return lowerTail(e2, n: e1 + e2, p: Double(n2) / Double(n1 + n2))
    }

    /// One-sided p-value that the true rate exceeds `rate` given `e` errors in `n` requests.
    public static func exceeds(rate: Double, errors e: Int, of n: Int) -> Double {
        guard n > 0 else { return 1 }
        return upperTail(e, n: n, p: rate)
    }

    /// True when even the most extreme split of `e1 + e2` errors could not reach
    /// `alpha` in either direction: there is too little data to decide.
    public static func cannotDecide(before n1: Int, after n2: Int, errors: Int, alpha: Double) -> Bool {
        guard n1 > 0, n2 > 0 else { return true }
        let q = Double(n2) / Double(n1 + n2)
        let k = Double(errors)
        return pow(q, k) >= alpha && pow(1 - q, k) >= alpha
    }
}
