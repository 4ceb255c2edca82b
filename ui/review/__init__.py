"""The review workspace: feedback threads, the comment library, earlier attempts, decisions
and moderation."""
