#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A directory given as an input (`triage /var/log/nginx`): its log files, each read as if
/// named on the command line.
///
/// The files are the directory's regular files (symbolic links to files included) whose
/// names do not start with a dot, in name order; subdirectories are not entered. The usual
/// machinery then does the rest: rotated sets are read oldest first, error logs are
/// recognised by their lines and joined, other files are counted with their reason.
public enum LogDirectory {
    /// `paths` with every directory replaced by its files, and one sentence per directory.
    /// An unreadable or empty directory stays as it is given, so that opening it reports why.
    public static func expanding(_ paths: [String]) -> (paths: [String], notes: [String]) {
        var result: [String] = []
        var notes: [String] = []
        for path in paths {
            guard path != "-", isDirectory(path), let files = files(in: path), !files.isEmpty else {
                result.append(path)
                continue
            }
            result += files
            let names = files.map { String($0.split(separator: "/").last ?? Substring($0)) }
            let shown = names.prefix(8).joined(separator: ", ") + (names.count > 8 ? ", …" : "")
            notes.append("\(path): a directory; its \(files.count) file\(files.count == 1 ? "" : "s") read: \(shown)")
        }
        return (result, notes)
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The regular files of `directory`, sorted by name; nil when it cannot be read.
    static func files(in directory: String) -> [String]? {
        guard let dir = opendir(directory) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard !name.isEmpty, !name.hasPrefix(".") else { continue }
            names.append(name)
        }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return names.sorted().map { base + $0 }.filter { path in
            var info = stat()
            return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        }
    }
}
