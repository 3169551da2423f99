"""Packaging for deployment: the AWS Lambda ZIP and the ASK CLI project."""
