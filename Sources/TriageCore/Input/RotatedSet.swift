/// Orders log paths oldest first, the way logrotate names them.
///
/// `access.log.2.gz` is older than `access.log.1`, which is older than
/// `access.log`. Paths of different base names keep the order they were given
/// in, grouped at the position of their first member; `-` (stdin) stays where it is.
public enum RotatedSet {
    public static func oldestFirst(_ paths: [String]) -> [String] {
        var groups: [(base: String, members: [(generation: Int, index: Int, path: String)])] = []
        var groupIndex: [String: Int] = [:]
        for (index, path) in paths.enumerated() {
            let (base, generation) = rotationKey(path)
            if let g = groupIndex[base] {
                groups[g].members.append((generation, index, path))
            } else {
                groupIndex[base] = groups.count
                groups.append((base, [(generation, index, path)]))
            }
        }
        return groups.flatMap { group in
            group.members.sorted { a, b in
                a.generation != b.generation ? a.generation > b.generation : a.index < b.index
            }.map(\.path)
        }
    }

    /// Splits `access.log.3.gz` into (`access.log`, 3); an unrotated name has generation 0.
    static func rotationKey(_ path: String) -> (base: String, generation: Int) {
        if path == "-" { return ("-\u{0}stdin", 0) }
        var name = Substring(path)
        for suffix in [".gz", ".gzip", ".z"] where name.hasSuffix(suffix) {
            name = name.dropLast(suffix.count)
            break
        }
        if let dot = name.lastIndex(of: "."),
           let generation = Int(name[name.index(after: dot)...]),
           generation >= 0, !name[name.index(after: dot)...].isEmpty {
            return (String(name[..<dot]), generation)
        }
        // logrotate's dateext: access.log-20261119 (older dates sort first).
        if let dash = name.lastIndex(of: "-") {
            let suffix = name[name.index(after: dash)...]
            if (suffix.count == 8 || suffix.count == 10), let date = Int(suffix) {
                return (String(name[..<dash]), 10_000_000_000 - date)
            }
        }
        return (String(name), 0)
    }
}
