/// The few HTML pages of the simulated Keycloak: the login form and the error page.
enum LoginPage {
    /// Keycloak's login form: `username`, `password`, posted to `login-actions/authenticate`.
    static func form(action: String, clientID: String, error: String? = nil, username: String = "") -> String {
        let errorLine = error.map { "<div class=\"alert-error\"><span id=\"input-error\">\(escape($0))</span></div>" } ?? ""
        return """
            <!DOCTYPE html>
            <html lang="de"><head><meta charset="utf-8"><title>Anmelden bei CKW</title></head>
            <body>
            <h1 id="kc-page-title">Anmelden (Simulator)</h1>
            <p>Client: \(escape(clientID))</p>
            \(errorLine)
            <form id="kc-form-login" action="\(escape(action))" method="post">
            <label for="username">Benutzername oder E-Mail</label>
            <input id="username" name="username" type="text" value="\(escape(username))" autofocus autocomplete="username">
            <label for="password">Passwort</label>
            <input id="password" name="password" type="password" autocomplete="current-password">
            <input type="hidden" id="id-hidden-input" name="credentialId">
            <input type="submit" id="kc-login" name="login" value="Anmelden">
            <input type="submit" id="kc-cancel" name="cancel" value="Abbrechen">
            </form>
            </body></html>
            """
    }

    static func error(_ message: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="de"><head><meta charset="utf-8"><title>Fehler</title></head>
        <body><h1>Es ist ein Fehler aufgetreten</h1><p id="kc-error-message" class="instruction">\(escape(message))</p></body></html>
        """
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
