"""The case-file pages ``manage.py bench`` measures (pleegzorg.bench), each as its role, with
their floors: the SQL, written by hand, that fetches exactly what each page shows.

The floors follow the rules of ``placements.permissions`` (what a caseworker or team lead may
see: their own placements while not ended, those they still answer for in aftercare, and the
children's files opened with a reason) and the caseload's and the dashboard's rules
(``placements.selectors``, ``Placement.*_condition``), written as SQL once more: the rules as
set-based joins and aggregates where the ORM asks per placement. Parameters are named
(``%(on)s``); :func:`_params` gives those every floor shares.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from placements import permissions
from placements.dashboard.selectors import BANDS, TABLE_LIMIT, due_within
from placements.models import Child, FosterFamily, Placement
from placements.views.caseload import CASELOAD_PAGE_SIZE
from pleegzorg.bench import Statement, register_count, register_floor_part, register_page
from pleegzorg.models import User


def first_placement(user) -> Placement:
    """The user's first active placement (by id): the child file and the family the bench opens."""
    return permissions.placements_policy.visible_to(user).active().order_by("pk").first()


def first_child(user) -> str:
    return f"/kinderen/{first_placement(user).child_id}/"


def first_family(user) -> str:
    return f"/pleeggezinnen/{first_placement(user).family_id}/"


# -- what a user may see, as SQL ------------------------------------------------------------


def _params(user: User, on: dt.date | None = None, **more) -> dict:
    on = on or timezone.localdate()
    return {
        "me": user.pk,
        "my_team": user.team_id,
        "on": on,
        "aftercare_since": Placement.aftercare_since(on),
        "child_type": ContentType.objects.get_for_model(Child).pk,
        "family_type": ContentType.objects.get_for_model(FosterFamily).pk,
        "court": list(Placement.COURT_MEASURES),
        **more,
    }


def _own(user: User, p: str = "p") -> str:
    """permissions._own: a caseworker's own placements, a team lead's teams' (the teams as an
    array read once, so the placements are found through the index on their team)."""
    if user.is_caseworker:
        return f"{p}.caseworker_id = %(me)s"
    if user.is_team_lead:
        led = "ARRAY(SELECT lt.id FROM pleegzorg_team lt WHERE lt.lead_id = %(me)s)"
        return f"{p}.team_id = ANY({led})"
    return "false"


def _granted(kind: str) -> str:
    """The ids of the records of ``kind`` (``child_type``, ``family_type``) the user opened with
    a reason, as an array read once (an index lookup beside the user's own rows)."""
    grants = "pleegzorg_breakglassgrant g"
    return (
        f"ARRAY(SELECT g.record_id FROM {grants} WHERE g.user_id = %(me)s"
        f" AND g.record_type_id = %({kind})s AND g.valid_until > now())"  # nosec B608
    )


def _active(p: str = "p", on: str = "on") -> str:
    return f"{p}.start_date <= %({on})s AND ({p}.end_date IS NULL OR {p}.end_date >= %({on})s)"


def _visible_active(user: User, p: str = "p") -> str:
    """The placements the user may see that are active on ``on``: their own or of a child opened
    with a reason (aftercare does not apply to a placement that has not ended)."""
    return f"({_own(user, p)} OR {p}.child_id = ANY({_granted('child_type')})) AND {_active(p)}"


def _visible(user: User, p: str = "p") -> str:
    """permissions.PlacementPolicy.visible_to: own and not ended; in aftercare and still theirs
    (a caseworker: of the team they are in now); or of a child opened with a reason."""
    own = _own(user, p)
    still_theirs = own
    if user.is_caseworker:
        team = "IS NULL" if user.team_id is None else "= %(my_team)s"
        still_theirs = f"{own} AND {p}.team_id {team}"
    return (
        f"(({own}) AND ({p}.end_date IS NULL OR {p}.end_date >= %(on)s))"
        f" OR (({still_theirs}) AND {p}.end_date >= %(aftercare_since)s AND {p}.end_date < %(on)s)"
        f" OR {p}.child_id = ANY({_granted('child_type')})"
    )


def _json_rows(columns: str, source: str, order: str) -> str:
    """A JSON list of the rows of ``source`` (everything after FROM), ordered."""
    rows = f"json_agg(json_build_object({columns}) ORDER BY {order})"
    return f"(SELECT {rows} FROM {source})"  # nosec B608


# -- the caseload ---------------------------------------------------------------------------

# The caseload's attention reasons (selectors.ATTENTION_RULES) for a placement ``s`` that is
# active on ``on``, so "active" drops out of each.
CASELOAD_ATTENTION = """
    coalesce(s.planned_end_date <= %(planned_end_by)s, false) AS planned_end,
    (s.youth_protector_id IS NULL AND s.legal_basis = ANY(%(court)s)) AS no_youth_protector,
    s.trusted_person_name = '' AS no_trusted_person,
    (s.start_date <= %(start_due)s AND NOT EXISTS (
        SELECT FROM placements_meeting m
         WHERE m.placement_id = s.id AND m.kind = 'start' AND m.status = 'held'
    )) AS start_meeting_overdue,
    (coalesce(s.next_joint_meeting_on < %(on)s,
              s.next_joint_meeting_on IS NULL AND s.start_date <= %(start_due)s)
     AND NOT EXISTS (
        SELECT FROM placements_meeting m
         WHERE m.placement_id = s.id
           AND (m.status = 'planned'
                OR (m.kind = 'joint' AND m.status = 'held' AND m.next_date IS NULL))
    )) AS joint_meeting_overdue"""


def _rule_days(on: dt.date) -> dict:
    return {
        "planned_end_by": on + dt.timedelta(days=30),
        "start_due": on - dt.timedelta(days=settings.START_MEETING_DUE_DAYS),
    }


def caseload_floor(search: str = "", page: int = 1):
    """Caseload: a page of the active placements the user may see (the child and its age, the
    family, kind, legal basis, dates, for a team lead the caseworker), sorted by the child's
    name, each with its attention reasons, and how many there are in all."""

    def floor(user: User) -> list[Statement]:
        on = timezone.localdate()
        words = search.split()
        matching = "".join(
            f" AND (c.first_name ILIKE %(word{n})s OR c.last_name ILIKE %(word{n})s"
            f" OR f.name ILIKE %(word{n})s)"
            for n in range(len(words))
        )
        caseworker, join = "", ""
        if user.is_team_lead:
            caseworker = ", u.first_name AS cw_first_name, u.last_name AS cw_last_name"
            join = "JOIN pleegzorg_user u ON u.id = p.caseworker_id"
        sql = f"""
            WITH shown AS (
                SELECT p.id, p.child_id, c.first_name, c.last_name, c.date_of_birth,
                       c.trusted_person_name, f.name AS family, p.kind, p.legal_basis,
                       p.start_date, p.planned_end_date, p.youth_protector_id,
                       p.next_joint_meeting_on{caseworker}, count(*) OVER () AS total
                  FROM placements_placement p
                  JOIN placements_child c ON c.id = p.child_id
                  JOIN placements_fosterfamily f ON f.id = p.family_id
                  {join}
                 WHERE {_visible_active(user)}{matching}
                 ORDER BY lower(c.last_name), lower(c.first_name), p.id
                 LIMIT %(page_size)s OFFSET %(offset)s)
            SELECT s.*, {CASELOAD_ATTENTION}
              FROM shown s ORDER BY lower(s.last_name), lower(s.first_name), s.id"""  # nosec B608
        words_params = {f"word{n}": f"%{word}%" for n, word in enumerate(words)}
        params = _params(
            user,
            on,
            page_size=CASELOAD_PAGE_SIZE,
            offset=(page - 1) * CASELOAD_PAGE_SIZE,
            **_rule_days(on),
            **words_params,
        )
        return [(sql, params)]

    return floor


# -- the child file and the family ----------------------------------------------------------

CHILD_FILE = f"""
    SELECT c.id, c.first_name, c.last_name, c.date_of_birth, c.gender, c.bsn, c.school,
           c.allergies, c.medication, c.diet, c.emergency_contacts, c.trusted_person_name,
           c.trusted_person_relation, c.trusted_person_contact, c.life_story_status,
           {
    _json_rows(
        "'relation', pc.relation, 'has_custody', pc.has_custody, "
        "'participation', pc.participation, 'first_name', pa.first_name, "
        "'last_name', pa.last_name, 'phone', pa.phone",
        "placements_parentchild pc JOIN placements_parent pa ON pa.id = pc.parent_id "
        "WHERE pc.child_id = c.id",
        "pa.last_name",
    )
} AS parents,
           {
    _json_rows(
        "'text', v.text, 'said_on', v.said_on",
        "placements_voicenote v WHERE v.child_id = c.id",
        "v.said_on DESC, v.id DESC",
    )
} AS voice_notes,
           (SELECT json_agg(r ORDER BY r.at DESC, r.id DESC) FROM (
                SELECT e.id, e.at, e.user_label, e.object_label, e.detail, ot.app_label, ot.model
                  FROM pleegzorg_accesslogentry e
                  LEFT JOIN django_content_type ot ON ot.id = e.object_type_id
                 WHERE e.person_type_id = %(child_type)s AND e.person_id = c.id
                   AND e.purpose = 'access_request' AND e.action = 'export'
                   AND e.outcome = 'allowed'
                 ORDER BY e.at DESC, e.id DESC LIMIT 20) r) AS access_requests
      FROM placements_child c
     WHERE c.id = %(child)s"""  # nosec B608

CHILD_PLACEMENTS = f"""
    SELECT p.id, p.family_id, f.name AS family, p.kind, p.legal_basis, p.start_date,
           p.end_date, p.perspective, p.end_reason, p.ended_by, p.end_note, p.caseworker_id,
           p.team_id, t.lead_id, u.first_name AS cw_first_name, u.last_name AS cw_last_name,
           {
    _json_rows(
        "'start_date', a.start_date, 'end_date', a.end_date, "
        "'handover_note', a.handover_note, 'family_informed', a.family_informed, "
        "'no_change_of_course_until', a.no_change_of_course_until, "
        "'first_name', au.first_name, 'last_name', au.last_name",
        "placements_caseworkerassignment a JOIN pleegzorg_user au ON au.id = a.caseworker_id "
        "WHERE a.placement_id = p.id",
        "a.start_date DESC, a.id DESC",
    )
} AS caseworkers,
           {
    _json_rows(
        "'start_date', a.start_date, 'end_date', a.end_date, "
        "'handover_note', a.handover_note, 'family_informed', a.family_informed, "
        "'first_name', y.first_name, 'last_name', y.last_name, 'institution', y.institution",
        "placements_youthprotectorassignment a "
        "JOIN placements_youthprotector y ON y.id = a.youth_protector_id "
        "WHERE a.placement_id = p.id",
        "a.start_date DESC, a.id DESC",
    )
} AS youth_protectors,
           {
    _json_rows(
        "'subject', d.subject, 'decided_on', d.decided_on, 'decided_by', d.decided_by, "
        "'foster_parents_consulted', d.foster_parents_consulted, "
        "'foster_parents_view', d.foster_parents_view, 'reason', d.reason",
        "placements_decision d WHERE d.placement_id = p.id",
        "d.decided_on DESC, d.id DESC",
    )
} AS decisions
      FROM placements_placement p
      JOIN placements_fosterfamily f ON f.id = p.family_id
      JOIN pleegzorg_user u ON u.id = p.caseworker_id
      LEFT JOIN pleegzorg_team t ON t.id = p.team_id
     WHERE p.child_id = %(child)s
     ORDER BY p.start_date DESC, p.id DESC"""  # nosec B608

# The current placement (active today, else the latest) with its family's address and people,
# and its meetings section: the flags, the meetings with their participants, the agreements,
# who decides on what, the open requests for a joint meeting.
CHILD_CURRENT = f"""
    WITH cur AS (
        SELECT p.id, p.family_id, p.start_date, p.end_date, p.next_joint_meeting_on,
               p.joint_meeting_interval_weeks, {_active("p")} AS active
          FROM placements_placement p WHERE p.child_id = %(child)s
         ORDER BY active DESC, p.start_date DESC, p.id DESC LIMIT 1)
    SELECT cur.id, cur.next_joint_meeting_on, cur.joint_meeting_interval_weeks,
           f.street, f.postcode, f.city,
           {
    _json_rows(
        "'first_name', fp.first_name, 'last_name', fp.last_name, 'phone', fp.phone",
        "placements_fosterparent fp WHERE fp.family_id = cur.family_id",
        "fp.id",
    )
} AS foster_parents,
           {
    _json_rows(
        "'first_name', o.first_name, 'date_of_birth', o.date_of_birth",
        "placements_ownchild o WHERE o.family_id = cur.family_id",
        "o.date_of_birth",
    )
} AS own_children,
           n.contacts_last_year,
           cur.active AND n.contacts_last_year < %(contacts_per_year)s AS too_few_contacts,
           cur.active AND cur.start_date <= %(start_due)s AND NOT EXISTS (
               SELECT FROM placements_meeting m
                WHERE m.placement_id = cur.id AND m.kind = 'start' AND m.status = 'held'
           ) AS start_meeting_overdue,
           (SELECT json_agg(m ORDER BY m.planned_at DESC) FROM (
                SELECT m.id, m.kind, m.status, m.planned_at, m.next_date,
                       (SELECT count(*) FROM placements_meetingparticipant mp
                         WHERE mp.meeting_id = m.id) AS participants
                  FROM placements_meeting m
                 WHERE m.placement_id = cur.id AND m.status <> 'cancelled') m) AS meetings,
           {
    _json_rows(
        "'what', a.what, 'owner', a.owner, 'due_on', a.due_on, 'status', a.status",
        "placements_agreement a WHERE a.placement_id = cur.id",
        "a.status, a.due_on",
    )
} AS agreements,
           {
    _json_rows(
        "'subject', r.subject, 'decides', r.decides, 'note', r.note",
        "placements_roleauthority r WHERE r.placement_id = cur.id",
        "r.subject",
    )
} AS authorities,
           {
    _json_rows(
        "'requested_by', q.requested_by, 'reason', q.reason",
        "placements_jointmeetingrequest q WHERE q.placement_id = cur.id AND q.meeting_id IS NULL",
        "q.requested_on DESC, q.id DESC",
    )
} AS requests
      FROM cur
      JOIN placements_fosterfamily f ON f.id = cur.family_id
      CROSS JOIN LATERAL (
          SELECT count(*) AS contacts_last_year FROM placements_childcontact cc
           WHERE cc.placement_id = cur.id
             AND cc.contact_on > %(year_before)s AND cc.contact_on <= %(on)s) n"""  # nosec B608


def child_file_floor(user: User) -> list[Statement]:
    """Child file (of the user's first active placement): the child's sections, parents, voice
    notes and the overviews made of the file, if the user may see it; its placements with
    their caseworkers, youth protectors and decisions; the current placement's family and
    meetings. (The respite stays are the constellations app's panel and floor part.)"""
    on = timezone.localdate()
    visible = (
        f" AND (EXISTS (SELECT FROM placements_placement p WHERE p.child_id = c.id"
        f" AND ({_visible(user)})) OR c.id = ANY({_granted('child_type')}))"  # nosec B608
    )
    params = _params(
        user,
        on,
        child=first_placement(user).child_id,
        year_before=on - dt.timedelta(days=365),
        contacts_per_year=settings.CHILD_CONTACTS_PER_YEAR,
        **_rule_days(on),
    )
    return [(CHILD_FILE + visible, params), (CHILD_PLACEMENTS, params), (CHILD_CURRENT, params)]


FAMILY = f"""
    SELECT f.id, f.name, f.street, f.postcode, f.city, f.municipality, f.offers_full_time,
           f.offers_part_time, f.offers_crisis, f.offers_respite, f.places, f.status,
           f.stop_date, f.stop_reason, f.stop_note,
           {
    _json_rows(
        "'first_name', fp.first_name, 'last_name', fp.last_name, 'phone', fp.phone, "
        "'email', fp.email, 'account_active', a.is_active, "
        "'password_set', left(a.password, 1) <> '!', 'invited_at', i.created_at, "
        "'invitation_expires_at', i.expires_at, 'invitation_used_at', i.used_at, "
        "'invitation_revoked_at', i.revoked_at",
        # Each foster parent's account for Mijn pleeggezin and their latest invitation.
        "placements_fosterparent fp LEFT JOIN pleegzorg_user a ON a.id = fp.account_id"
        " LEFT JOIN LATERAL (SELECT * FROM placements_fosterparentinvitation i"
        " WHERE i.foster_parent_id = fp.id ORDER BY i.created_at DESC, i.id DESC LIMIT 1) i"
        " ON true WHERE fp.family_id = f.id",
        "fp.id",
    )
} AS foster_parents,
           {
    _json_rows(
        "'first_name', o.first_name, 'date_of_birth', o.date_of_birth, 'notes', o.notes",
        "placements_ownchild o WHERE o.family_id = f.id",
        "o.date_of_birth",
    )
} AS own_children,
           {
    _json_rows(
        "'status', s.status, 'changed_on', s.changed_on, 'note', s.note",
        "placements_fosterfamilystatuschange s WHERE s.family_id = f.id",
        "s.changed_on DESC, s.id DESC",
    )
} AS status_changes
      FROM placements_fosterfamily f
     WHERE f.id = %(family)s"""  # nosec B608


def family_floor(user: User) -> list[Statement]:
    """Foster family (of the user's first active placement): the family, its foster parents,
    own children and status history, if the user may see it; its placements with the child,
    the caseworker, and whether the user may open the child's file (else the first name)."""
    visible_family = (
        f" AND (EXISTS (SELECT FROM placements_placement p WHERE p.family_id = f.id"
        f" AND ({_visible(user)})) OR f.id = ANY({_granted('family_type')}))"  # nosec B608
    )
    openable = (
        f"EXISTS (SELECT FROM placements_placement p WHERE p.child_id = fp.child_id"
        f" AND ({_visible(user)})) OR fp.child_id = ANY({_granted('child_type')})"  # nosec B608
    )
    placements = f"""
        SELECT fp.id, fp.child_id, c.first_name, c.last_name, fp.kind, fp.start_date,
               fp.end_date, fp.end_reason, fp.caseworker_id, fp.team_id, t.lead_id,
               u.first_name AS cw_first_name, u.last_name AS cw_last_name,
               {openable} AS openable
          FROM placements_placement fp
          JOIN placements_child c ON c.id = fp.child_id
          JOIN pleegzorg_user u ON u.id = fp.caseworker_id
          LEFT JOIN pleegzorg_team t ON t.id = fp.team_id
         WHERE fp.family_id = %(family)s
         ORDER BY fp.start_date DESC, fp.id DESC"""  # nosec B608
    params = _params(user, family=first_placement(user).family_id)
    return [(FAMILY + visible_family, params), (placements, params)]


# -- my meetings ----------------------------------------------------------------------------


def my_meetings_floor(user: User) -> list[Statement]:
    """My meetings: the planned meetings of the user's active placements coming up and those
    past without a report (the first 100 of each, by moment), and the placements whose start
    meeting or next joint meeting is overdue (the first 100 of each), with the child's name."""
    on = timezone.localdate()
    meetings = f"""
        SELECT m.id, m.kind, m.planned_at, m.place, c.first_name, c.last_name
          FROM placements_meeting m
          JOIN placements_placement p ON p.id = m.placement_id
          JOIN placements_child c ON c.id = p.child_id
         WHERE m.status = 'planned' AND m.planned_at {{when}} %(now)s AND {_visible_active(user)}
         ORDER BY m.planned_at LIMIT 100"""  # nosec B608
    placements = f"""
        SELECT s.id, s.child_id, c.first_name, c.last_name, s.start_date,
               s.next_joint_meeting_on
          FROM placements_placement s JOIN placements_child c ON c.id = s.child_id
         WHERE {_visible_active(user, "s")} AND {{rule}}
         ORDER BY {{order}} LIMIT 100"""  # nosec B608
    start_overdue = """s.start_date <= %(start_due)s AND NOT EXISTS (
        SELECT FROM placements_meeting m
         WHERE m.placement_id = s.id AND m.kind = 'start' AND m.status = 'held')"""
    joint_overdue = """(s.next_joint_meeting_on < %(on)s
          OR (s.next_joint_meeting_on IS NULL AND s.start_date <= %(start_due)s))
        AND NOT EXISTS (
            SELECT FROM placements_meeting m
             WHERE m.placement_id = s.id
               AND (m.status = 'planned'
                    OR (m.kind = 'joint' AND m.status = 'held' AND m.next_date IS NULL)))"""
    upcoming, past = meetings.format(when=">="), meetings.format(when="<")
    sql = " UNION ALL ".join(
        [
            f"(SELECT 'upcoming', * FROM ({upcoming}) q)",  # nosec B608
            f"(SELECT 'without_report', * FROM ({past}) q)",  # nosec B608
        ]
    )
    start = placements.format(rule=start_overdue, order="s.start_date")
    joint = placements.format(rule=joint_overdue, order="s.next_joint_meeting_on, s.start_date")
    lists = " UNION ALL ".join(
        [
            f"(SELECT 'start_overdue', * FROM ({start}) q)",  # nosec B608
            f"(SELECT 'joint_overdue', * FROM ({joint}) q)",  # nosec B608
        ]
    )
    params = _params(user, on, now=timezone.now(), **_rule_days(on))
    return [(sql, params), (lists, params)]


# -- the team dashboard and "Mijn werk" -----------------------------------------------------


def _rule_figures() -> str:
    """CTEs after ``base`` (the placements counted, active on ``on``: id, caseworker_id, kind,
    legal_basis, start_date, end_date, youth_protector_id, next_joint_meeting_on): per
    placement the dashboard's rules on ``on`` and on ``later`` (DASHBOARD_DUE_DAYS on), from
    one pass over each related table, and per caseworker ``figures``: each rule's count today
    and due soon (meets it later, not today), and the longest waits."""
    active_later = "(b.end_date IS NULL OR b.end_date >= %(later)s)"
    rules = {
        "start_meeting_overdue": (
            "b.start_date <= %(start_due)s AND NOT coalesce(m.start_held, false)",
            f"{active_later} AND b.start_date <= %(later_start_due)s"
            " AND NOT coalesce(m.start_held, false)",
        ),
        "joint_meeting_overdue": (
            "NOT coalesce(m.planned, false) AND NOT coalesce(m.held_without_next, false)"
            " AND (b.next_joint_meeting_on < %(on)s"
            " OR (b.next_joint_meeting_on IS NULL AND b.start_date <= %(start_due)s))",
            f"{active_later} AND NOT coalesce(m.planned, false)"
            " AND NOT coalesce(m.held_without_next, false)"
            " AND (b.next_joint_meeting_on < %(later)s"
            " OR (b.next_joint_meeting_on IS NULL AND b.start_date <= %(later_start_due)s))",
        ),
        "report_missing": (
            "m.first_planned < %(start_of_on)s OR m.first_held_without_next < %(on)s",
            f"{active_later} AND (m.first_planned < %(start_of_later)s"
            " OR m.first_held_without_next < %(later)s)",
        ),
        "agreement_past_date": (
            "a.first_due < %(on)s",
            f"{active_later} AND a.first_due < %(later)s",
        ),
        "too_few_child_contacts": (
            "coalesce(cc.in_year, 0) < %(contacts_per_year)s",
            f"{active_later} AND coalesce(cc.in_year_later, 0) < %(contacts_per_year)s",
        ),
        "no_youth_protector": (
            "b.youth_protector_id IS NULL AND b.legal_basis = ANY(%(court)s)",
            None,
        ),
        "in_no_change_period": ("coalesce(ca.calm, false)", None),
        "unstable": ("coalesce(ca.changes, 0) >= %(unstable_changes)s", None),
    }
    flags = ",\n".join(
        f"coalesce({now}, false) AS now_{name}"
        + (f", coalesce({due}, false) AS later_{name}" if due else "")
        for name, (now, due) in rules.items()
    )
    counts = ",\n".join(
        f"count(*) FILTER (WHERE now_{name}) AS {name}"
        + (f", count(*) FILTER (WHERE later_{name} AND NOT now_{name}) AS {name}_due" * bool(due))
        for name, (now, due) in rules.items()
    )
    return f"""
    m AS (
        SELECT placement_id,
               bool_or(kind = 'start' AND status = 'held') AS start_held,
               bool_or(status = 'planned') AS planned,
               bool_or(kind = 'joint' AND status = 'held' AND next_date IS NULL)
                   AS held_without_next,
               min(planned_at) FILTER (WHERE status = 'planned') AS first_planned,
               min(held_on) FILTER (WHERE kind = 'joint' AND status = 'held'
                                      AND next_date IS NULL) AS first_held_without_next
          FROM placements_meeting WHERE placement_id IN (SELECT id FROM base) GROUP BY 1),
    a AS (
        SELECT placement_id, min(due_on) AS first_due FROM placements_agreement
         WHERE status = 'open' AND placement_id IN (SELECT id FROM base) GROUP BY 1),
    cc AS (
        SELECT placement_id,
               count(*) FILTER (WHERE contact_on > %(year_before)s AND contact_on <= %(on)s)
                   AS in_year,
               count(*) FILTER (WHERE contact_on > %(year_before_later)s) AS in_year_later,
               max(contact_on) FILTER (WHERE contact_on <= %(on)s) AS last_contact
          FROM placements_childcontact
         WHERE placement_id IN (SELECT id FROM base) AND contact_on <= %(later)s
         GROUP BY 1),
    yp AS (
        SELECT placement_id, max(end_date) AS last_end
          FROM placements_youthprotectorassignment
         WHERE placement_id IN (SELECT id FROM base) AND end_date <= %(on)s GROUP BY 1),
    ca AS (
        SELECT placement_id,
               bool_or((end_date IS NULL OR end_date >= %(on)s) AND start_date <= %(on)s
                       AND no_change_of_course_until >= %(on)s) AS calm,
               count(*) FILTER (WHERE start_date > %(year_before)s AND start_date <= %(on)s)
               - CASE WHEN min(start_date) > %(year_before)s AND min(start_date) <= %(on)s
                      THEN 1 ELSE 0 END AS changes
          FROM placements_caseworkerassignment
         WHERE placement_id IN (SELECT id FROM base) GROUP BY 1),
    flags AS (
        SELECT b.caseworker_id,
               coalesce(cc.last_contact, b.start_date) AS contact_since,
               coalesce(yp.last_end, b.start_date) AS protector_since,
               {flags}
          FROM base b
          LEFT JOIN m ON m.placement_id = b.id
          LEFT JOIN a ON a.placement_id = b.id
          LEFT JOIN cc ON cc.placement_id = b.id
          LEFT JOIN yp ON yp.placement_id = b.id
          LEFT JOIN ca ON ca.placement_id = b.id),
    figures AS (
        SELECT caseworker_id, {counts},
               min(contact_since) FILTER (WHERE now_too_few_child_contacts) AS oldest_contact,
               min(protector_since) FILTER (WHERE now_no_youth_protector)
                   AS without_youth_protector_since
          FROM flags GROUP BY 1)"""  # nosec B608


def _weighted(p: str = "p") -> str:
    weights = " ".join(
        f"WHEN '{kind}' THEN {Decimal(str(weight))}"
        for kind, weight in settings.CASELOAD_WEIGHTS.items()
    )
    return f"CASE {p}.kind {weights} ELSE 1 END"


def _dashboard_params(user: User, on: dt.date, **more) -> dict:
    later = on + due_within()
    start_due = dt.timedelta(days=settings.START_MEETING_DUE_DAYS)
    return _params(
        user,
        on,
        later=later,
        start_due=on - start_due,
        later_start_due=later - start_due,
        start_of_on=timezone.make_aware(dt.datetime.combine(on, dt.time.min)),
        start_of_later=timezone.make_aware(dt.datetime.combine(later, dt.time.min)),
        year_before=on - dt.timedelta(days=365),
        year_before_later=later - dt.timedelta(days=365),
        contacts_per_year=settings.CHILD_CONTACTS_PER_YEAR,
        unstable_changes=Placement.UNSTABLE_CASEWORKER_CHANGES,
        norm=settings.CASELOAD_NORM_FTE,
        **more,
    )


# The placements counted on a dashboard, active on ``on``, of the caseworkers of its teams; for
# an application manager every one, for a team lead those they may see.
PLACED = """
    placed AS (
        SELECT p.id, p.child_id, p.caseworker_id, p.kind, p.legal_basis, p.start_date,
               p.end_date, p.youth_protector_id, p.next_joint_meeting_on
          FROM placements_placement p
          JOIN pleegzorg_user pu ON pu.id = p.caseworker_id
         WHERE pu.team_id IN (SELECT id FROM teams) AND {counted})"""


def _counted(user: User, p: str = "p") -> str:
    return _active(p) if user.is_app_manager else _visible_active(user, p)


def _teams(user: User) -> str:
    """The dashboard's teams: every one for an application manager, a team lead's own."""
    mine = "" if user.is_app_manager else " WHERE t.lead_id = %(me)s"
    return f"teams AS (SELECT t.id, t.name, t.region_id FROM pleegzorg_team t{mine})"  # nosec B608


def dashboard_floor(user: User) -> list[Statement]:
    """Team dashboard, today, all of the user's teams (a team lead's; every team for an
    application manager): the choices of team and region; every active caseworker of the
    teams with their caseload (active placements, weighted), the norm for their FTE, the bands
    and the totals over all of them, and for the first page of them (PAGE_SIZE, by team and
    name) each rule's count today and due soon and the longest waits; the unstable placements
    and those ended early in 12 months (the first TABLE_LIMIT and how many), with the child's
    name for a team lead (an application manager sees numbers only)."""
    on = timezone.localdate()
    bands = ",\n".join(
        f"count(*) FILTER (WHERE r.active >= {low}"
        + (f" AND r.active <= {high}" if high is not None else "")
        + f") OVER () AS band_{low}"
        for low, high in BANDS
    )
    figures = f"""
        WITH {_teams(user)},
        {PLACED.format(counted=_counted(user))},
        caseworkers AS (
            SELECT u.id, u.first_name, u.last_name, u.username, u.fte, teams.name AS team
              FROM pleegzorg_user u JOIN teams ON teams.id = u.team_id
             WHERE u.role = 'caseworker' AND u.is_active),
        load AS (
            SELECT p.caseworker_id, count(*) AS active, sum({_weighted()}) AS weighted
              FROM placed p GROUP BY 1),
        shown AS (
            SELECT r.*, count(*) OVER () AS caseworkers, sum(r.active) OVER () AS total_active,
                   count(*) FILTER (WHERE r.weighted > r.norm) OVER () AS over_norm_count,
                   {bands}
              FROM (SELECT w.*, coalesce(l.active, 0) AS active,
                           coalesce(l.weighted, 0) AS weighted, round(%(norm)s * w.fte, 1) AS norm
                      FROM caseworkers w LEFT JOIN load l ON l.caseworker_id = w.id) r
             ORDER BY r.team, r.first_name, r.last_name, r.id LIMIT %(page_size)s),
        base AS (SELECT * FROM placed WHERE caseworker_id IN (SELECT id FROM shown)),
        {_rule_figures()}
        SELECT shown.*, figures.*
          FROM shown LEFT JOIN figures ON figures.caseworker_id = shown.id
         ORDER BY shown.team, shown.first_name, shown.last_name, shown.id"""  # nosec B608
    linked = not user.is_app_manager
    child = ", c.first_name AS child_first_name, c.last_name AS child_last_name" if linked else ""
    child_join = "JOIN placements_child c ON c.id = p.child_id" if linked else ""
    unstable = f"""
        WITH {_teams(user)},
        {PLACED.format(counted=_counted(user))},
        moved AS (
            SELECT placement_id FROM placements_caseworkerassignment
             WHERE start_date > %(year_before)s AND start_date <= %(on)s
               AND placement_id IN (SELECT id FROM placed)
             GROUP BY 1 HAVING count(*) >= %(unstable_changes)s),
        changes AS (
            SELECT placement_id,
                   count(*) FILTER (WHERE start_date > %(year_before)s AND start_date <= %(on)s)
                   - CASE WHEN min(start_date) > %(year_before)s AND min(start_date) <= %(on)s
                          THEN 1 ELSE 0 END AS n
              FROM placements_caseworkerassignment
             WHERE placement_id IN (SELECT placement_id FROM moved) GROUP BY 1)
        SELECT p.id, p.child_id{child}, u.first_name, u.last_name, p.start_date, ch.n,
               count(*) OVER () AS total
          FROM placed p
          JOIN changes ch ON ch.placement_id = p.id
          JOIN pleegzorg_user u ON u.id = p.caseworker_id
          {child_join}
         WHERE ch.n >= %(unstable_changes)s
         ORDER BY ch.n DESC, p.start_date, p.id LIMIT %(table_limit)s"""  # nosec B608
    ended_counted = "true" if user.is_app_manager else f"({_visible(user)})"
    ended_early = f"""
        WITH {_teams(user)}
        SELECT p.id, p.child_id{child}, u.first_name, u.last_name, p.end_date, p.ended_by,
               p.end_note, count(*) OVER () AS total
          FROM placements_placement p
          JOIN pleegzorg_user u ON u.id = p.caseworker_id
          {child_join}
         WHERE u.team_id IN (SELECT id FROM teams) AND p.end_reason = 'premature'
           AND p.end_date >= %(period_start)s AND p.end_date <= %(on)s AND {ended_counted}
         ORDER BY p.end_date DESC, p.id LIMIT %(table_limit)s"""  # nosec B608
    choices = f"""
        WITH {_teams(user)}
        SELECT 'team' AS choice, id, name FROM teams
        UNION ALL
        SELECT 'region', r.id, r.name FROM pleegzorg_region r
         WHERE r.id IN (SELECT region_id FROM teams)
        ORDER BY 1, 3"""  # nosec B608
    params = _dashboard_params(
        user,
        on,
        page_size=settings.PAGE_SIZE,
        table_limit=TABLE_LIMIT,
        period_start=on - dt.timedelta(days=364),
    )
    return [(choices, params), (figures, params), (unstable, params), (ended_early, params)]


def my_work_floor(user: User) -> list[Statement]:
    """'Mijn werk' on a caseworker's start page: the dashboard's row for their own caseload."""
    if not user.is_caseworker:
        return []
    on = timezone.localdate()
    sql = f"""
        WITH base AS (
            SELECT p.id, p.caseworker_id, p.kind, p.legal_basis, p.start_date, p.end_date,
                   p.youth_protector_id, p.next_joint_meeting_on
              FROM placements_placement p
             WHERE p.caseworker_id = %(me)s AND {_visible_active(user)}),
        {_rule_figures()}
        SELECT me.fte, round(%(norm)s * me.fte, 1) AS norm,
               (SELECT count(*) FROM base) AS active,
               (SELECT coalesce(sum({_weighted("b")}), 0) FROM base b) AS weighted, figures.*
          FROM pleegzorg_user me LEFT JOIN figures ON figures.caseworker_id = me.id
         WHERE me.id = %(me)s"""  # nosec B608
    return [(sql, _dashboard_params(user, on))]


def my_family_floor(user: User) -> list[Statement]:
    """Mijn pleeggezin: per placement of the foster parent's family that has not ended or is in
    aftercare, by start, the child's first name and date of birth, the caseworker and youth
    protector with their contacts and current assignment (and who before it), the addresses of
    the child's parents (a meeting place that names one is not shown), the open agreements and
    those done in the last 30 days, the requests for a meeting not yet planned, and the planned
    meetings to come. One statement."""
    on = timezone.localdate()
    related = {
        "caseworker_history": _json_rows(
            "'person', a.caseworker_id, 'first_name', u.first_name, 'last_name', u.last_name, "
            "'start_date', a.start_date, 'end_date', a.end_date, "
            "'steady_until', a.no_change_of_course_until",
            "placements_caseworkerassignment a JOIN pleegzorg_user u ON u.id = a.caseworker_id"
            " WHERE a.placement_id = p.id",
            "a.start_date DESC, a.id DESC",
        ),
        "youth_protector_history": _json_rows(
            "'person', a.youth_protector_id, 'first_name', y.first_name, "
            "'last_name', y.last_name, 'start_date', a.start_date, 'end_date', a.end_date, "
            "'steady_until', a.no_change_of_course_until",
            "placements_youthprotectorassignment a"
            " JOIN placements_youthprotector y ON y.id = a.youth_protector_id"
            " WHERE a.placement_id = p.id",
            "a.start_date DESC, a.id DESC",
        ),
        "parent_addresses": _json_rows(
            "'address', pa.address",
            "placements_parentchild pc JOIN placements_parent pa ON pa.id = pc.parent_id"
            " WHERE pc.child_id = p.child_id",
            "pc.id",
        ),
        "agreements": _json_rows(
            "'id', ag.id, 'what', ag.what, 'owner', ag.owner, 'due_on', ag.due_on, "
            "'status', ag.status, 'closed_on', ag.closed_on",
            "placements_agreement ag WHERE ag.placement_id = p.id AND (ag.status = 'open'"
            " OR (ag.status = 'done' AND ag.closed_on >= %(recently)s))",
            "ag.status DESC, ag.due_on, ag.id",
        ),
        "requests": _json_rows(
            "'id', r.id, 'requested_on', r.requested_on",
            "placements_jointmeetingrequest r WHERE r.placement_id = p.id AND r.meeting_id IS NULL",
            "r.requested_on, r.id",
        ),
        "meetings": _json_rows(
            "'id', m.id, 'kind', m.kind, 'planned_at', m.planned_at, 'place', m.place",
            "placements_meeting m WHERE m.placement_id = p.id AND m.status = 'planned'"
            " AND m.planned_at >= now()",
            "m.planned_at",
        ),
    }
    columns = ", ".join(f"{rows} AS {name}" for name, rows in related.items())
    sql = f"""
        SELECT f.name AS family, p.id, p.kind, p.start_date, p.end_date, c.first_name,
               c.date_of_birth, cw.first_name AS cw_first_name, cw.last_name AS cw_last_name,
               cw.phone AS cw_phone, cw.email AS cw_email, yp.first_name AS yp_first_name,
               yp.last_name AS yp_last_name, yp.institution AS yp_institution,
               yp.phone AS yp_phone, yp.email AS yp_email, {columns}
          FROM placements_fosterparent fp
          JOIN placements_fosterfamily f ON f.id = fp.family_id
          JOIN placements_placement p ON p.family_id = f.id
          JOIN placements_child c ON c.id = p.child_id
          JOIN pleegzorg_user cw ON cw.id = p.caseworker_id
          LEFT JOIN placements_youthprotector yp ON yp.id = p.youth_protector_id
         WHERE fp.account_id = %(me)s
           AND (p.end_date IS NULL OR p.end_date >= %(aftercare_since)s)
         ORDER BY p.start_date, p.id"""  # nosec B608
    params = _params(user, on, recently=on - dt.timedelta(days=30))
    return [(sql, params)]


register_page("Mijn pleeggezin", "pleegouder", "/mijn-pleeggezin/", floor=my_family_floor)
register_page("Caseload (caseworker)", "werker", "/caseload/", floor=caseload_floor())
register_page(
    "Caseload (team lead), searched",
    "teamleider",
    "/caseload/?q=de",
    floor=caseload_floor(search="de"),
)
register_page(
    "Caseload (team lead), page 2",
    "teamleider",
    "/caseload/?pagina=2",
    floor=caseload_floor(page=2),
)
register_page("Child file", "werker", first_child, floor=child_file_floor)
register_page("Foster family", "werker", first_family, floor=family_floor)
register_page("My meetings", "werker", "/overleggen/", floor=my_meetings_floor)
register_page(
    "Dashboard (team lead)", "teamleider", "/dashboard/", kind="dashboard", floor=dashboard_floor
)
register_page(
    "Dashboard (all teams)", "beheer", "/dashboard/", kind="dashboard", floor=dashboard_floor
)
register_floor_part("Start page (caseworker)", my_work_floor)
register_count("children", lambda: Child.objects.count())
register_count("placements", lambda: Placement.objects.count())
register_count("foster families", lambda: FosterFamily.objects.count())
