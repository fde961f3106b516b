"""Exports of a post-mortem: slide deck, self-contained HTML report, PDF and data files.

Every format is rendered from one content model (``analysis.exports.content``), so a deck,
a report and a PDF of the same cases and filters say the same thing. Tweet text is treated
as untrusted everywhere: plain text runs in slides, escaped text in HTML, neutralised cells
in CSV (``analysis.safety``).
"""
