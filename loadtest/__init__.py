"""The load test (``make load``, issue 12): who logs in (plan), what they do (locustfile), and
how a run is judged and reported (report)."""
