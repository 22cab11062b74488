extension LogFormat {
    /// The proxies' own access-log formats (HAProxy, Envoy, AWS load balancers), in
    /// detection order; each compiles to the shared field program.
    public static var dialectPresets: [LogFormat] { compiledDialectPresets }

    /// Compiled once per process (see ``presets``).
    static let compiledDialectPresets: [LogFormat] =
        haproxyPresets + envoyPresets + awsPresets + traefikPresets + herokuPresets + logfmtPresets
}
