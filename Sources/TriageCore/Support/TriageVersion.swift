public enum TriageVersion {
    public static let current = "0.1.0"
    /// Version of the JSON report schema (Docs/JSONReport.md). Adding a field
    /// bumps the minor version; renaming or removing one bumps the major.
    public static let jsonSchema = "1.6"
}
