import Testing
@testable import TriageCore

@Suite struct LogFormatTests {
    @Test("nginx variables map to field kinds; unknown ones are kept as ignored fields")
    func nginxVariables() throws {
        let format = try LogFormat.nginx(#"$remote_addr [$time_iso8601] "$request" $status ${upstream_status}x $custom_thing"#)
        #expect(format.fields.map(\.kind) == [.remoteAddr, .timeISO8601, .request, .status, .upstreamStatus, .ignored])
        #expect(format.hasUpstreamFields)
    }

    @Test("formats that cannot be matched are refused with a reason", arguments: [
        "$remote_addr $request", // no status
        "$status$body_bytes_sent", // adjacent fields
        "plain text",
    ])
    func invalidFormats(definition: String) {
        #expect(throws: TriageError.self) { try LogFormat.nginx(definition) }
    }

    @Test("Apache directives: %t brings its brackets, %>s is the status, unknown directives are refused")
    func apacheDirectives() throws {
        let format = try LogFormat.apache(#"%h %l %u %t \"%r\" %>s %b"#)
        #expect(format.elements.contains(.literal(Array(" [".utf8))))
        #expect(format.has(.status))
        #expect(format.has(.timeCLF))
        #expect(throws: TriageError.self) { try LogFormat.apache("%h %Z %>s") }
    }

    @Test("a pasted LogFormat line from httpd.conf works")
    func pastedApacheDirective() throws {
        let format = try LogFormat.parse(specification: #"LogFormat "%h %l %u %t \"%r\" %>s %b" common"#)
        #expect(format.name == "common")
        #expect(format.dialect == .apache)
    }

    @Test("--log-format accepts presets, nginx: and apache: prefixes")
    func specifications() throws {
        #expect(try LogFormat.parse(specification: "combined").name == "combined")
        #expect(try LogFormat.parse(specification: "nginx:$remote_addr $status").dialect == .nginx)
        #expect(try LogFormat.parse(specification: "apache:%h %>s").dialect == .apache)
        #expect(throws: TriageError.self) { try LogFormat.parse(specification: "nosuchpreset") }
    }

    @Test("every preset compiles and has a status")
    func presetsCompile() {
        #expect(LogFormat.presets.count == LogFormat.presetDefinitions.count + LogFormat.jsonPresetDefinitions.count
            + LogFormat.dialectPresets.count)
        for format in LogFormat.presets { #expect(format.hasStatus, "\(format.name)") }
    }
}

@Suite struct NginxConfigTests {
    @Test("log_format with multi-line concatenation, escape= and comments")
    func readsLogFormats() throws {
        let config = """
            http {
                # log_format commented '$nothing';
                log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                                '$status $body_bytes_sent "$http_referer" '
                                "\\"$http_user_agent\\" \\"$http_x_forwarded_for\\"";
                log_format json escape=json '{"status":"$status","uri":"$request_uri"}';
                access_log /var/log/nginx/access.log main;
            }
            """
        let formats = try NginxConfig.logFormats(in: config, path: "nginx.conf")
        #expect(formats.map(\.name) == ["main", "json"])
        #expect(formats[0].definition == #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for""#)
        #expect(formats[1].escape == "json")
        let compiled = try LogFormat.nginx(formats[0].definition, name: "main")
        #expect(compiled.fields.count == 9)
    }

    @Test("unterminated quotes and missing semicolons are errors naming the file")
    func errors() {
        #expect(throws: TriageError.self) { try NginxConfig.logFormats(in: "log_format x '$status", path: "a.conf") }
        #expect(throws: TriageError.self) { try NginxConfig.logFormats(in: "log_format x '$status'", path: "a.conf") }
    }
}

@Suite struct FormatDetectorTests {
    func lines(_ text: String) -> [[UInt8]] { text.split(separator: "\n").map { Array($0.utf8) } }
    let combinedLine = #"1.2.3.4 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "ua""#

    @Test("combined lines detect as combined; main lines as main; upstream lines as upstream")
    func picksMostSpecific() throws {
        #expect(try FormatDetector.detect(lines(combinedLine), path: "t").format.name == "combined")
        #expect(try FormatDetector.detect(lines(combinedLine + #" "10.9.9.9""#), path: "t").format.name == "main")
        let upstream = combinedLine + #" rt=0.1 uct="0.0" uht="0.1" urt="0.1" us="200" ua="10.0.0.1:80" rid=ab"#
        #expect(try FormatDetector.detect(lines(upstream), path: "t").format.name == "upstream")
        let common = #"1.2.3.4 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5"#
        #expect(try FormatDetector.detect(lines(common), path: "t").format.name == "common")
    }

    @Test("when nothing fits, the error shows the line, the closest preset and the failing field")
    func explainsFailure() {
        do {
            _ = try FormatDetector.detect(lines("2026-11-21 10:00:00 ERROR something broke\nmore"), path: "app.log")
            Issue.record("expected an error")
        } catch let TriageError.noFormatFits(path, explanation) {
            #expect(path == "app.log")
            #expect(explanation.contains("line 1: 2026-11-21"))
            #expect(explanation.contains("closest format"))
            #expect(explanation.contains("where it failed"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("the advice when nothing fits follows the line's look: --field for JSON, haproxy: for HAProxy, else nginx:/apache:")
    func adviceFollowsTheLine() {
        func advice(_ line: String) -> String {
            do {
                _ = try FormatDetector.detect(lines(line), path: "t")
                return "fits"
            } catch let TriageError.noFormatFits(_, explanation) {
                return explanation
            } catch {
                return "\(error)"
            }
        }
        #expect(advice(#"{"evt":{"code":502,"at":"2026-11-21T10:00:00Z"}}"#).contains("--field NAME=PATH"))
        #expect(advice("203.0.113.1:51234 [20/Nov/2026:10:00:00.123] fe~ be/web1 0/0/1 x 200 \"GET / HTTP/1.1\" weird").contains("'haproxy:"))
        #expect(advice("2026-11-21 10:00:00 ERROR something broke").contains("'nginx:…' or 'apache:…'"))
    }
}

@Suite struct LogFormatNameTests {
    @Test("fuzz: a log_format name from nginx.conf with control bytes is escaped before any report shows it")
    func nameFromConfigIsEscaped() throws {
        let conf = "http { log_format m\u{11}\u{1B}[31mx '$remote_addr [$time_local] \"$request\" $status'; }"
        let definition = try #require(try NginxConfig.logFormats(in: conf, path: "nginx.conf").first)
        let format = try LogFormat.nginx(definition.definition, name: definition.name)
        #expect(!format.name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
        #expect(format.name.contains("\\x11"))
    }
}
