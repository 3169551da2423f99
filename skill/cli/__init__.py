"""``privacy-skill``: the operator's command line, one module per area.

Thin: parse, call a service, print. ``main`` builds the parser from each area's ``register``
(every verb names its function with ``set_defaults(run=...)``), runs the verb, and reports any
``ProductError`` as one line, or under ``--json`` as one JSON object on stderr, with the error's
exit code. Area modules import their heavy dependencies inside the verbs, so ``--help`` stays
quick.
"""

from skill.startup import loading

with loading():  # the parser's modules load with the GC paused (see skill/startup.py)
    from skill.cli.main import main

__all__ = ["main"]
