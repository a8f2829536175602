"""The learning loop: what users asked and didn't get becomes the admins' to-do list.

- ``identity``: users and chats as keyed hashes (HMAC-SHA256), the key generated once if unset;
- ``outcomes``: one answer as a record, and :func:`~bot.analytics.outcomes.status_of` (the one place
  that names an answer's outcome);
- ``recorder``: writing records off the answer path (bounded queue, retries, drops with a log line);
- ``store``: the rows (outcomes, votes, forgetting, retention, the wanted pool, statistics);
- ``phrases`` and ``clustering``: questions grouped by meaning with the project's encoder;
- ``wanted`` and ``drafting``: the most wanted notes, and a note draft's names from a cluster;
- ``regressions``: the questions a published note answers, kept as evaluation cases;
- ``stats``, ``chart``, ``digest``: numbers, a PNG and the admins' texts;
- ``loop``: :class:`~bot.analytics.loop.LearningLoop`, all of it behind one object.
"""
