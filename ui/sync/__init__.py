"""The app's side of sync: sign-in, the Sync action and timer, progress, conflicts."""
