import Foundation

/// Short, operator-facing reasons for failed file operations ("does not exist", "permission
/// denied"), instead of Foundation's long `NSError` descriptions.
enum SystemFileError {
    static func describe(path: String, error: any Error) -> String {
        if let code = posixCode(of: error) {
            return "`\(path)`: \(String(cString: strerror(code)).lowercased())"
        }
        let nsError = error as NSError
        if nsError.domain == NSCocoaErrorDomain {
            switch nsError.code {
            case NSFileReadNoSuchFileError: return "`\(path)` does not exist"
            case NSFileReadNoPermissionError: return "`\(path)`: permission denied"
            case NSFileReadInapplicableStringEncodingError: return "`\(path)` is not UTF-8 text"
            default: break
            }
        }
        return "`\(path)`: \(nsError.localizedDescription)"
    }

    private static func posixCode(of error: any Error) -> Int32? {
        let nsError = error as NSError
        if nsError.domain == NSPOSIXErrorDomain { return Int32(nsError.code) }
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return Int32(underlying.code)
        }
        return nil
    }
}
