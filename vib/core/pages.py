"""Small helpers shared by the HTML page views."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import flash

from vib.core import db
from vib.core.errors import UserError


@dataclass
class Outcome:
    refused: bool = False  # the operation broke a rule of the domain (its message is flashed)


@contextmanager
def flashing_refusal() -> Iterator[Outcome]:
    """Run a form's operation: a rule it breaks (UserError) rolls the transaction back and is flashed,
    and the view then shows the form again. Any other error passes on.

        with flashing_refusal() as outcome:
            user = ops.create_user(...)
        if outcome.refused:
            return show_the_form_again(422)
    """
    outcome = Outcome()
    try:
        yield outcome
    except UserError as error:
        db.session().rollback()
        flash(str(error), "error")
        outcome.refused = True
