"""The media-event pipeline: GDELT files in, yearly media-event measures out."""
