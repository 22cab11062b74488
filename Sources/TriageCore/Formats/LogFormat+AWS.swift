extension LogFormat {
    /// AWS Application Load Balancer access-log fields, in order, to `error_reason`
    /// [ALB user guide, "Access log entries"]. Later fields (`target:port_list`,
    /// `classification`, …) have been appended over time and are left unread.
    static let albFields: [(name: String, kind: FieldKind, quoted: Bool)] = [
        ("type", .ignored, false), ("time", .timeISO8601, false), ("elb", .ignored, false),
        ("client:port", .remoteAddrWithPort, false), ("target:port", .upstreamAddr, false),
        ("request_processing_time", .timerSeconds, false), ("target_processing_time", .timerSeconds, false),
        ("response_processing_time", .timerSeconds, false), ("elb_status_code", .statusOrNone, false),
        ("target_status_code", .upstreamStatus, false), ("received_bytes", .timerMillis, false),
        ("sent_bytes", .bytesSent, false), ("request", .request, true), ("user_agent", .userAgent, true),
        ("ssl_cipher", .ignored, false), ("ssl_protocol", .ignored, false), ("target_group_arn", .ignored, false),
        ("trace_id", .requestID, true), ("domain_name", .host, true), ("chosen_cert_arn", .ignored, true),
        ("matched_rule_priority", .ignored, false), ("request_creation_time", .ignored, false),
        ("actions_executed", .ignored, true), ("redirect_url", .ignored, true), ("error_reason", .proxyFlags, true),
    ]

    /// Classic Load Balancer (ELB) access-log fields [CLB user guide, "Access log files"].
    static let elbFields: [(name: String, kind: FieldKind, quoted: Bool)] = [
        ("timestamp", .timeISO8601, false), ("elb", .ignored, false),
        ("client:port", .remoteAddrWithPort, false), ("backend:port", .upstreamAddr, false),
        ("request_processing_time", .timerSeconds, false), ("backend_processing_time", .timerSeconds, false),
        ("response_processing_time", .timerSeconds, false), ("elb_status_code", .statusOrNone, false),
        ("backend_status_code", .upstreamStatus, false), ("received_bytes", .timerMillis, false),
        ("sent_bytes", .bytesSent, false), ("request", .request, true), ("user_agent", .userAgent, true),
        ("ssl_cipher", .ignored, false), ("ssl_protocol", .ignored, false),
    ]

    /// The AWS load balancers' presets: `alb` and `elb`.
    public static var awsPresets: [LogFormat] {
        [aws(name: "alb", fields: albFields, allowsTrailingText: true),
         aws(name: "elb", fields: elbFields, allowsTrailingText: false)]
    }

    /// A space-separated AWS log as literal/field steps.
    static func aws(name: String, fields: [(name: String, kind: FieldKind, quoted: Bool)],
                    allowsTrailingText: Bool) -> LogFormat {
        var elements: [FormatElement] = []
        var definition = ""
        for (index, field) in fields.enumerated() {
            if index > 0 {
                let separator = " "
                elements.append(.literal(Array(separator.utf8)))
                definition += separator
            }
            if field.quoted { elements.append(.literal([UInt8(ascii: "\"")])) }
            elements.append(.field(FormatField(kind: field.kind, name: field.name)))
            if field.quoted { elements.append(.literal([UInt8(ascii: "\"")])) }
            definition += field.quoted ? "\"\(field.name)\"" : field.name
        }
        var format = LogFormat(name: name, dialect: .aws, definition: definition, elements: elements,
                               allowsTrailingText: allowsTrailingText)
        format.vocabulary = .awsLoadBalancer
        format.servers = [name == "alb" ? .alb : .elb]
        return format
    }
}
