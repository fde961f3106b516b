"""Real tweets of a case from the Internet Archive's Twitter Stream Grab (the 1 % sample).

The pipeline, one module per stage:

- ``items``: the Stream Grab items a case month lives in (name, size, md5), as data;
- ``archive``: what is in a downloaded item (a tar read by member offsets, a ``.tar.gz``
  read as a stream, a zip, or a folder of minute members) and how a member's bytes are read;
- ``plan``: which members to read for which cases (the hours of each case window plus a
  margin, because path hours are not always UTC) and their grouping into hour tasks;
- ``matcher``: the per-member scan (lower-case byte prefilter on the tags, orjson on the hits
  only, the tag checked in the tweet's own entities or its retweeted/quoted original, the
  tweet's own ``created_at`` inside the window, delete notices collected);
- ``task``: a task (an hour of members) and ``scan(task)``, the pure function every engine
  runs; one decompressed member in memory at a time;
- ``merge``: engine-independent results (sorted by id, de-duplicated, deletes applied) and
  the two outputs per case, ``<case>.jsonl.gz`` and ``<case>.sampling.json``;
- ``engines``: a process pool by default, or Dask (a LocalCluster or an existing scheduler)
  through ``Client.get_executor()``; ``runner``: resumable runs with a progress bar.
"""

from __future__ import annotations

from typing import Final

# Bumped when a change alters what a run writes (recorded in every sampling.json, and part of
# the key of resumable task outputs so a new version never reuses an old task's results).
TOOL_VERSION: Final = "1.0"
