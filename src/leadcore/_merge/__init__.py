"""
Private parts of the merge family (:mod:`leadcore.merge`).

* :mod:`~leadcore._merge.policy`: :class:`~leadcore.merge.MergePolicy` and its checks.
* :mod:`~leadcore._merge.engine`: the one pairwise matching engine. Its public names
  (``compile_spec``, ``Spec``, ``evaluate``, ...) are the internal API that engines over
  tables (:mod:`leadcore.dedupe`) use; nothing outside the family uses anything else here.
* :mod:`~leadcore._merge.index`: :class:`~leadcore.merge.MergeIndex`.
* :mod:`~leadcore._merge.manual`: manual merge (MRG-8).
* :mod:`~leadcore._merge.reasons`: the reasons of the windows and guards (MRG-2, MRG-3,
  MRG-7), shared by auto-merge and explanations.
* :mod:`~leadcore._merge.explain`: :func:`~leadcore.merge.explain`, why two leads match
  or not, condition by condition (``condition_table`` is internal API for
  :mod:`leadcore.dedupe`'s explanations).
"""
