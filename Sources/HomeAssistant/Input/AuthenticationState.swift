/// Whether the bridge can call the CKW API with its credentials.
public enum AuthenticationState: String, Sendable, Hashable, CaseIterable {
    /// The last token request or API call was accepted.
    case ok
    /// The login was rejected or has expired: a person has to run `ckw2mqtt login`.
    case loginRequired = "login_required"
    /// Not checked yet (just started).
    case unknown
}
