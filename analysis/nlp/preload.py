"""Imported by the scoring fork server: every weight loaded once, before workers are forked.

Importing this module has a side effect on purpose (``features.warm()``): the fork server
imports the modules named in ``scoring.PRELOAD`` and forks each worker from itself, so a worker
starts with NLTK's lexicon, alt-profanity-check's model and both fitted models already in
memory (shared copy-on-write) instead of loading them again (about a second per worker).
"""

from analysis.nlp import features

features.warm()
