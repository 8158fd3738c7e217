extension String {
    /// `self/name`, for the state directory's files. Joined by hand rather than with `NSString`'s
    /// `appendingPathComponent`: every state save would otherwise run NSString code that the daemon
    /// needs nowhere else between polls.
    func appendingFileName(_ name: String) -> String {
        if isEmpty { return name }
        return hasSuffix("/") ? self + name : self + "/" + name
    }
}
