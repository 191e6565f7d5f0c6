"""A local web page for people who never open a terminal (`voucher-check serve`).

``server`` starts waitress on 127.0.0.1 with a private temporary folder; ``app`` is the Flask
application (uploads, scans, findings, conclusions, the report); ``guard`` refuses requests
from elsewhere and keeps every path inside the temporary folder; ``jobs`` runs scans on a
background thread; ``conclusions`` keeps the reviewers' conclusions.  ``static/`` holds the page:
plain HTML, CSS and JavaScript, no build step.
"""
