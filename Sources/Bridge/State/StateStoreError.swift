/// Why the state could not be loaded or saved, worded for the operator: which file, what is
/// wrong and what to do. The bridge stops on these rather than start over with zero totals.
public enum StateStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file exists but is not a valid state (truncated, edited, corrupted).
    case damaged(file: String, problem: String, previousFile: String?)
    /// Written by a newer ckw2mqtt with a schema this version does not know.
    case newerSchema(file: String, found: Int, supported: Int)
    /// The file exists but cannot be read (permissions, a directory in its place).
    case unreadable(file: String, reason: String)
    /// `state.json` is gone while `state.json.previous` is still there: most likely deleted by hand.
    case missingWithPrevious(file: String, previousFile: String)
    /// Writing failed (read-only or full file system, permissions); the old file is untouched.
    case writeFailed(directory: String, reason: String)

    public var description: String {
        switch self {
        case .damaged(let file, let problem, let previous):
            var text = "The state file \(file) is damaged: \(problem). The bridge does not start over with zero totals on its own."
            if let previous {
                text += " To go back to the state before the last save, run `mv \(previous) \(file)`."
            }
            text += " To start over (totals restart from the look-back window or the meter's register), move it aside: `mv \(file) \(file).damaged`."
            return text
        case .newerSchema(let file, let found, let supported):
            return "The state file \(file) was written by a newer ckw2mqtt (state schema \(found); this version reads up to \(supported)). Run the newer version, or move the file aside to start over: `mv \(file) \(file).newer`."
        case .unreadable(let file, let reason):
            return "Cannot read the state file \(file): \(reason). Check that it is a file owned by the user the bridge runs as (with permission to read it)."
        case .missingWithPrevious(let file, let previous):
            return "The state file \(file) is missing but \(previous) exists. Restore it with `mv \(previous) \(file)`, or remove \(previous) to start over."
        case .writeFailed(let directory, let reason):
            return "Cannot save the state in \(directory): \(reason). The previous state file is unchanged. Check that the directory is writable and the file system is not full or read-only."
        }
    }
}
