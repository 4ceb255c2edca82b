"""The domain: frozen values that cross threads, the workflow and the audit log."""
