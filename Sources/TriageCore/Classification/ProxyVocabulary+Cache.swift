/// The cache's word for how it answered: `$upstream_cache_status` (nginx), or a CDN's
/// cache field read with `--field cache_status=PATH` (JSON logs).
///
/// A 5xx the cache answered was an error the cache kept and served again: it no
/// longer reaches the origin, so it is not a failure of the upstreams now (it is
/// counted per class as served from cache and kept out of the upstream failure
/// counts). Each row is in Docs/Classification.md ("Errors served from cache").
extension ProxyVocabulary {
    /// One word of a cache field and whether it means the response came from the cache.
    public struct CacheWord: Sendable {
        public var word: String
        public var isFromCache: Bool
        /// Who writes it, for the documentation and tests.
        public var source: String
        let bytes: [UInt8]

        init(_ word: String, _ isFromCache: Bool, _ source: String) {
            self.word = word
            self.isFromCache = isFromCache
            self.source = source
            self.bytes = Array(word.uppercased().utf8)
        }
    }

    /// Compared without regard to case; a word not listed (and `-`) is not from the cache.
    public static let cacheWords: [CacheWord] = [
        CacheWord("HIT", true, "nginx: a fresh cached response"),
        CacheWord("STALE", true, "nginx: an expired cached response (proxy_cache_use_stale)"),
        CacheWord("UPDATING", true, "nginx: an expired cached response while it is being refreshed"),
        CacheWord("REVALIDATED", true, "nginx: a cached response the upstream confirmed unchanged (304)"),
        CacheWord("MISS", false, "nginx: not in the cache, fetched from the upstream"),
        CacheWord("EXPIRED", false, "nginx: expired, fetched again from the upstream"),
        CacheWord("BYPASS", false, "nginx: the cache was bypassed (proxy_cache_bypass)"),
        CacheWord("HIT-STALE", true, "Fastly (fastly_info.state): a stale cached object"),
        CacheWord("HIT-STALE-REVALIDATE", true, "Fastly: stale while revalidating"),
        CacheWord("REFRESHHIT", true, "CloudFront (x-edge-result-type): refreshed in the cache"),
        CacheWord("ERROR", false, "CloudFront (x-edge-result-type): the edge or origin failed, not a cached object"),
    ]

    /// True when the cache field's value says the response came from the cache.
    @inline(__always)
    public static func isServedFromCache(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        guard value.count >= 3 && value.count <= 20 else { return false }
        for entry in cacheWords where entry.isFromCache && entry.bytes.count == value.count {
            var same = true
            for i in 0..<value.count {
                let b = value[i]
                let upper = b >= 0x61 && b <= 0x7A ? b - 0x20 : b
                if upper != entry.bytes[i] { same = false; break }
            }
            if same { return true }
        }
        return false
    }
}
