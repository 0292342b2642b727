"""Google Sheets: credentials, a rate-limited and retried client, and the branch registry."""
