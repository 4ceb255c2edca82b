"""Evidence views: documents, images, text, recordings, and the viewer that picks one."""
