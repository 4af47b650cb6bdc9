"""
The Spark engine: batch deduplication and related grouping over Spark DataFrames.

:func:`leadcore.dedupe.find` and :func:`leadcore.dedupe.what_if` dispatch here when given a
Spark DataFrame, and :func:`leadcore.spark.group_related` groups a table of records. The
rules are leadcore's own Python, run inside Spark over Arrow batches; Spark does the
joins. Nothing here is imported unless a Spark DataFrame is given (pyspark is optional).

* :mod:`~leadcore._spark.session`: Java found, the executors' Python set, a local session;
* :mod:`~leadcore._spark.batches`: the Python run on the executors (normalise, keys,
  decide), calling :mod:`leadcore._dedupe`'s functions;
* :mod:`~leadcore._spark.engine`: the plan of joins, and the results;
* :mod:`~leadcore._spark.components`: connected components (large-star / small-star);
* :mod:`~leadcore._spark.related`: related grouping (REL-6);
* :mod:`~leadcore._spark.results`: the result types (no pyspark needed to import).
"""
