"""Static files of the web surface: the embeddable widget and its demo page."""
