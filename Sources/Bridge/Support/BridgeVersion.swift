/// The version of ckw2mqtt, shown by `--version`, in the discovery `origin` and on `bridge/info`.
public enum BridgeVersion {
    public static let current = "0.1.0"
}
