extension LogFormat {
    /// Heroku router lines as `heroku logs` prints them [Heroku Dev Center, "HTTP Routing"
    /// and "Error Codes"]: `TIME heroku[router]: at=info method=… path=… host=…
    /// request_id=… fwd=… dyno=… connect=…ms service=…ms status=… bytes=… [protocol=…]`;
    /// on errors `at=error code=H12 desc="Request timeout"` before `method=`, and on some
    /// `sock=backend` or `sock=client` before `at=` (H18, H27: `sock=client at=warning code=H27`).
    ///
    /// The key order is fixed by the router, so the line is a field program: one field
    /// takes `[sock=…] at=…` and the optional `code=`/`desc=` (read as the proxy flags),
    /// values may be quoted or bare, and absent values are empty (`dyno= connect=`).
    /// Keys after `bytes=` (`protocol=`, newer ones) are left unread.
    public static var herokuPresets: [LogFormat] {
        let current = herokuFields
        // Lines from before `request_id=` was logged (Heroku's own 2010-era examples).
        let older = herokuFields.filter { $0.0 != " request_id=" }
        return [heroku(name: "heroku-router", fields: current), heroku(name: "heroku-router-old", fields: older)]
    }

    static let herokuFields: [(String, FieldKind, String)] = [
            ("", .timeISO8601, "TIME"), (" heroku[router]: ", .proxyFlags, "at (sock, code, desc)"),
            (" method=", .method, "method"), (" path=", .logfmtTarget, "path"), (" host=", .host, "host"),
            (" request_id=", .requestID, "request_id"), (" fwd=", .logfmtClient, "fwd"), (" dyno=", .upstreamAddr, "dyno"),
            (" connect=", .ignored, "connect"), (" service=", .logfmtMillis, "service"), (" status=", .status, "status"),
            (" bytes=", .ignored, "bytes"),
    ]

    static func heroku(name: String, fields: [(String, FieldKind, String)], head: String = "TIME heroku[router]: ") -> LogFormat {
        var elements: [FormatElement] = []
        for (literal, kind, name) in fields {
            if !literal.isEmpty { elements.append(.literal(Array(literal.utf8))) }
            // `at=error code=H12 desc="Request timeout"` and quoted paths hold spaces.
            let spaced = kind == .proxyFlags || kind == .logfmtTarget
            elements.append(.field(FormatField(kind: kind, name: name, mayHoldSpaces: spaced)))
        }
        let keys = fields.drop(while: { $0.1 != .proxyFlags }).dropFirst().map { $0.0.dropFirst() }.joined(separator: " ")
        var format = LogFormat(name: name, dialect: .heroku,
                               definition: head + "[sock=] at= [code= desc=] " + keys + " …",
                               elements: elements, allowsTrailingText: true)
        format.vocabulary = .heroku
        return format
    }
}
