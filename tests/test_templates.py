"""Our templates read whole: no line wider than a reader's screen."""

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MAX_LINE = 120


def test_every_template_line_fits_in_120_characters():
    too_long = [
        f"{path.relative_to(TEMPLATES.parent)}:{number}: {len(line)} characters"
        for path in sorted(TEMPLATES.rglob("*"))
        if path.is_file()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if len(line) > MAX_LINE
    ]
    assert list(TEMPLATES.rglob("*.html")), "no templates found: has the folder moved?"
    assert not too_long, f"template lines over {MAX_LINE} characters:\n" + "\n".join(too_long)
