"""Dutch identifiers: the BSN (elfproef) and the postcode."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

POSTCODE = re.compile(r"^([1-9][0-9]{3})\s?([A-Z]{2})$")


def bsn_is_valid(value: str) -> bool:
    """The elfproef: 9 digits whose weighted sum (9..2, and -1 for the last) divides by 11."""
    if not re.fullmatch(r"[0-9]{9}", value) or value == "000000000":
        return False
    digits = [int(d) for d in value]
    total = sum(weight * digit for weight, digit in zip(range(9, 1, -1), digits[:8], strict=True))
    return (total - digits[8]) % 11 == 0


def valid_bsn(n: int) -> str:
    """A synthetic BSN that passes the elfproef, derived from ``n`` (for the demo and the tests)."""
    base = f"{(n * 7919 + 100000000) % 1000000000:09d}"[:8]
    digits = [int(d) for d in base]
    total = sum(w * d for w, d in zip(range(9, 1, -1), digits, strict=True))
    last = total % 11
    if last == 10:  # no single check digit works: move on to the next number
        return valid_bsn(n + 1)
    return base + str(last)


def validate_bsn(value: str) -> None:
    if not bsn_is_valid(value):
        raise ValidationError(
            _("This is not a valid BSN: it must be 9 digits that pass the eleven test."),
            code="invalid_bsn",
        )


def normalise_postcode(value: str) -> str:
    """'1234ab' -> '1234 AB'; anything else is returned as typed."""
    match = POSTCODE.match(value.strip().upper())
    return f"{match[1]} {match[2]}" if match else value


def validate_postcode(value: str) -> None:
    match = POSTCODE.match(value.strip().upper())
    if not match or match[2] in {"SA", "SD", "SS"}:
        raise ValidationError(
            _("Enter a Dutch postcode: four digits and two letters, such as 3511 AB."),
            code="invalid_postcode",
        )
