"""The HTTPS web service: Flask app factory, the Alexa endpoint and request verification."""
