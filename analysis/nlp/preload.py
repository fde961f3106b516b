"""Imported by the scoring fork server: every weight loaded once, before workers are forked.

Importing this module has a side effect on purpose (``features.warm()``): the fork server
imports the modules named in ``scoring.PRELOAD`` and forks each worker from itself, so a worker
starts with NLTK's lexicon, alt-profanity-check's model and both fitted models already in
memory (shared copy-on-write) instead of loading them again (about a second per worker).
``gc.freeze()`` then moves every object loaded so far out of the garbage collector's reach: a
collection in a worker would otherwise write to each object's header and copy every page of
the shared models into the worker (CPython's documented advice for pre-fork servers).
"""

import gc

from analysis.nlp import features

features.warm()
gc.freeze()
