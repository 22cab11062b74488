extension LogFormat {
    /// Formats whose lines carry no time of their own: they are tried only on lines
    /// whose envelope or prefix carries one (a syslog header, a CRI or Docker time, a
    /// log viewer's time column), and each record takes that time.
    ///
    /// - `common-untimed`, `combined-untimed`: `common`/`combined` without `[$time_local]`,
    ///   as an application server's access log written to syslog leaves it out (Tomcat's
    ///   AccessLogValve with a pattern without `%t`, sent through syslog by its logger).
    /// - `heroku-router-drain`: the router's line as a Heroku log drain delivers it, after
    ///   the RFC 5424 header (`<158>1 TIME host heroku router - at=info method=…`): the
    ///   time is the header's.
    public static var untimedPresets: [LogFormat] {
        var formats: [LogFormat] = []
        let spellings = [
            ("common-untimed", #"$remote_addr - $remote_user "$request" $status $body_bytes_sent"#),
            ("combined-untimed", #"$remote_addr - $remote_user "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#),
        ]
        for (name, definition) in spellings {
            if var format = try? nginx(definition, name: name, allowsTrailingText: true) {
                format.servers = [.tomcat, .apache, .nginx]
                formats.append(format)
            }
        }
        var drain = Array(herokuFields.dropFirst())
        // The payload starts with the flags' field: `at=…` or `sock=… at=…`.
        drain[0].0 = ""
        formats.append(heroku(name: "heroku-router-drain", fields: drain, head: "<PRI>1 TIME host heroku router - "))
        return formats
    }
}
