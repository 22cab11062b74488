extension LogFormat {
    /// Traefik's CLF access log (`common`, its default): combined, then the request
    /// count, the router (v1: frontend) and the service URL (v1: backend) quoted, and the
    /// duration as `Nms` [traefik `pkg/middlewares/accesslog/logger_formatters.go`].
    public static let traefikCLF =
        #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $traefik_request_count "$traefik_router_name" "$upstream_addr" $traefik_duration_ms"#

    /// The Traefik CLF preset: the nginx-style program with the duration read before its `ms`.
    public static var traefikPresets: [LogFormat] {
        guard var format = try? nginx(traefikCLF, name: "traefik-clf"),
              case .field = format.elements.last else { return [] }
        var elements = format.elements
        elements[elements.count - 1] = .field(FormatField(kind: .requestTimeMillis, name: "Nms (duration)"))
        elements.append(.literal(Array("ms".utf8)))
        format = LogFormat(name: "traefik-clf", dialect: .nginx, definition: traefikCLF, elements: elements,
                           allowsTrailingText: false)
        format.vocabulary = .traefikCLF
        format.servers = [.traefik]
        return [format]
    }
}
