"""Constellation fidelity: how closely each constellation follows the Mockingbird model, per month
(selectors.py computes, views.py shows; the pages are under /constellaties/modeltrouw/)."""
