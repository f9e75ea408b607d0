"""Retention of case files (Jeugdwet): a file unchanged for ``CASE_FILE_RETENTION_YEARS`` (20) is
listed for review under *Bewaartermijn*; the application manager looks at it and, only by
confirming, deletes it. The deletion is written to the access log by number, without names.

``rules``: what "changed" means (each app registers the parts of a file it keeps);
``selectors``: the review list; ``services``: the deletion; ``views``/``forms``: the pages.
"""
