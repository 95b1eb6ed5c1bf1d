"""Browser test of the built site (``make browser-test``)."""
