"""Start meetings (Advies 1) and joint meetings (Advies 8): one home for the meeting domain.

models (the meetings and what they produce), services (plan, hold, report, move, cancel, the
cadence), selectors (what a page shows), forms, views, reminders (what falls due, and the ICS
invitation in ``ics``), demo (a year of meetings for every demo placement).
"""
