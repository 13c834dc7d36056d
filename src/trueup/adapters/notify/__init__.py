"""Where alert digests go: e-mail over SMTP, and a Slack-compatible webhook."""
