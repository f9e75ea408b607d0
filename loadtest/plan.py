"""Who the load test's simulated users are, and what each of them works on: written to a JSON
file that the locustfile reads (it never touches the database itself).

The seed gives only the seven demo accounts a password; its synthetic colleagues (``pzw-``,
``tl-``, ``hub-``, ``mb-``) have none. So that 50 simulated users do not all open the same
child, this picks synthetic users per role who have work to do, gives them the demo password
(one hash for all: they are synthetic) and marks their notifications unread again, so that
every run has notices to read. The demo accounts themselves are left alone.

A hub-home parent books one-night stays on consecutive nights in one bed of their own hub home,
each night for the next of a few children no other simulated user books, from the night after
every stay already held by that bed or those children: the bookings of a run never conflict
with each other or with what is there (``RespiteStay``'s exclusion constraints), and the next
run starts after them.

    DJANGO_SETTINGS_MODULE=config.settings.load python -m loadtest.plan --out var/load/plan.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
from pathlib import Path

# Synthetic accounts of the seed (pleegzorg.demo.seed_organisation), by role.
PREFIXES = {
    "caseworker": "pzw-",
    "team_lead": "tl-",
    "hub_home_parent": "hub-",
    "liaison": "mb-",
}
# A few children (placements, for a caseworker) per simulated user.
PER_USER = 3
# What a team lead searches the caseload for: parts of common Dutch surnames.
SEARCHES = ["de", "van", "jan", "ber", "en"]


def make_plan(*, caseworkers: int, team_leads: int, hub_home_parents: int, liaisons: int) -> dict:
    """Pick the users, give them the demo password, and return the plan (see the module)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from pleegzorg.demo import DEMO_PASSWORD
    from pleegzorg.models import Notification, User

    today = timezone.localdate()
    wanted = {
        "caseworker": caseworkers,
        "team_lead": team_leads,
        "hub_home_parent": hub_home_parents,
        "liaison": liaisons,
    }
    pickers = {
        "caseworker": _caseworkers,
        "team_lead": _team_leads,
        "hub_home_parent": _hub_home_parents,
        "liaison": _liaisons,
    }
    accounts = {}
    with transaction.atomic():
        for role, count in wanted.items():
            candidates = User.objects.filter(
                role=role, is_active=True, username__startswith=PREFIXES[role]
            ).order_by("username")
            accounts[role] = pickers[role](candidates, count, today) if count else []
            if len(accounts[role]) < count:
                raise SystemExit(
                    f"only {len(accounts[role])} {role} accounts with work to do, {count} asked"
                )
        usernames = [account["username"] for role in accounts.values() for account in role]
        User.objects.filter(username__in=usernames).update(password=make_password(DEMO_PASSWORD))
        Notification.objects.filter(user__username__in=usernames, read_at__isnull=False).update(
            read_at=None
        )
    return {
        "made": timezone.now().isoformat(timespec="seconds"),
        "password": DEMO_PASSWORD,
        "accounts": accounts,
        "data": _data_counts(),
    }


def _caseworkers(candidates, count: int, today) -> list[dict]:
    from placements.models import Placement

    picked = []
    for user in candidates.iterator():
        placements = list(
            Placement.objects.active(today)
            .filter(caseworker=user)
            .order_by("pk")
            .values("pk", "child_id")[:PER_USER]
        )
        if placements:
            picked.append(
                {
                    "username": user.username,
                    "placements": [
                        {"placement": p["pk"], "child": p["child_id"]} for p in placements
                    ],
                }
            )
        if len(picked) == count:
            break
    return picked


def _team_leads(candidates, count: int, today) -> list[dict]:
    from placements.models import Placement

    picked = []
    for user in candidates.iterator():
        if Placement.objects.active(today).filter(team__lead=user).exists():
            turn = len(picked) % len(SEARCHES)
            picked.append(
                {"username": user.username, "searches": SEARCHES[turn:] + SEARCHES[:turn]}
            )
        if len(picked) == count:
            break
    return picked


def _liaisons(candidates, count: int, today) -> list[dict]:
    from constellations.models import Constellation

    picked = []
    for user in candidates.iterator():
        constellations = list(
            Constellation.objects.open()
            .filter(liaison=user)
            .order_by("pk")
            .values_list("pk", flat=True)[:PER_USER]
        )
        if constellations:
            picked.append({"username": user.username, "constellations": constellations})
        if len(picked) == count:
            break
    return picked


def _hub_home_parents(candidates, count: int, today) -> list[dict]:
    """One parent per hub home, each with a bed, children of its own and a first free night."""
    from django.db.models import Max, Q

    from constellations.models import Bed, Constellation, Membership, RespiteStay
    from placements.models import Placement

    picked, taken_constellations, taken_children = [], set(), set()
    for user in candidates.iterator():
        constellation = (
            Constellation.objects.open().filter(hub__parents=user).order_by("pk").first()
        )
        if constellation is None or constellation.pk in taken_constellations:
            continue
        bed = Bed.objects.in_use(constellation).order_by("pk").first()
        # Children who stay eligible on every night ahead: placed with no end date in a family
        # that is a member with no leaving date.
        members = Membership.objects.filter(
            constellation=constellation, left_on__isnull=True, joined_on__lte=today
        )
        children = [
            child
            for child in Placement.objects.active(today)
            .filter(end_date__isnull=True, family__in=members.values("family"))
            .order_by("child_id")
            .values_list("child_id", flat=True)
            .distinct()
            if child not in taken_children
        ][:PER_USER]
        if bed is None or not children:
            continue
        last = RespiteStay.objects.filter(
            RespiteStay.HOLDS_BED, Q(bed=bed) | Q(child__in=children)
        ).aggregate(last=Max("departure"))["last"]
        first_night = max(today + dt.timedelta(days=1), last or today)
        picked.append(
            {
                "username": user.username,
                "constellation": constellation.pk,
                "bed": bed.pk,
                "children": children,
                "first_night": first_night.isoformat(),
            }
        )
        taken_constellations.add(constellation.pk)
        taken_children.update(children)
        if len(picked) == count:
            break
    return picked


def _data_counts() -> dict[str, int]:
    from constellations.models import Constellation, RespiteStay
    from placements.models import Child, Placement
    from pleegzorg.models import User

    return {
        "users": User.objects.count(),
        "children": Child.objects.count(),
        "placements": Placement.objects.count(),
        "constellations": Constellation.objects.count(),
        "respite stays": RespiteStay.objects.count(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--caseworkers", type=int, default=20)
    parser.add_argument("--team-leads", type=int, default=10)
    parser.add_argument("--hub-home-parents", type=int, default=12)
    parser.add_argument("--liaisons", type=int, default=8)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.load")
    import django

    django.setup()
    from pleegzorg.timing import refuse_production

    refuse_production("loadtest.plan")
    plan = make_plan(
        caseworkers=args.caseworkers,
        team_leads=args.team_leads,
        hub_home_parents=args.hub_home_parents,
        liaisons=args.liaisons,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(plan, indent=1))
    print(
        f"==> load plan: {', '.join(f'{len(a)} {role}' for role, a in plan['accounts'].items())}"
        f" -> {args.out}"
    )


if __name__ == "__main__":
    main()
