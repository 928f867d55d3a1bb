"""`--help` that reads well at any terminal width, 80 columns included.

typer keeps every line break of a docstring, so prose wrapped at 92 columns in the source
breaks again at 80 into a ragged column of half lines. ``reflow`` joins the lines of each
prose paragraph, so that the terminal wraps it once; indented paragraphs (the examples) keep
their lines.
"""

from __future__ import annotations

import inspect

import typer


def reflow(text: str) -> str:
    """``text`` with the line breaks inside each prose paragraph removed."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    out = []
    for paragraph in paragraphs:
        lines = paragraph.split("\n")
        if any(line.startswith((" ", "\b")) for line in lines):
            out.append(paragraph)  # an example or a preformatted block: as written
        else:
            out.append(" ".join(line.strip() for line in lines))
    return "\n\n".join(out)


def reflow_commands(app: typer.Typer) -> None:
    """Reflow the help of the app and of each of its registered commands."""
    if isinstance(app.info.help, str):
        app.info.help = reflow(app.info.help)
    for command in app.registered_commands:
        text = command.help or inspect.getdoc(command.callback) or ""
        command.help = reflow(text)
