"""Placeholder: being written."""

from pathlib import Path

FORMAT = "todo"


def looks_like(path: Path) -> bool:
    return False


def parse(path, **options):
    raise NotImplementedError
