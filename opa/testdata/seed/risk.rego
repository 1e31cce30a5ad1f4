package microapp.risk
default allow = false
deny[msg] {
    input.manifest.integrations[_].requires_secret
    not input.manifest.flags.security_review
    msg = "App requires secrets; mark for security_review or request credentials via platform."
}
allow { input.manifest.risk == "low" }
