"""
Private parts of batch deduplication (:mod:`leadcore.dedupe`), an engine over tables.

* :mod:`~leadcore._dedupe.inputs`: reading and normalising columns into chunks.
* :mod:`~leadcore._dedupe.frames`: recognising pandas, polars and pyarrow tables.
* :mod:`~leadcore._dedupe.load`: reading a whole input (rows, CSV, data frames).
* :mod:`~leadcore._dedupe.pool`: the process pool.
* :mod:`~leadcore._dedupe.block`: exact blocking on normalised keys.
* :mod:`~leadcore._dedupe.joins`: the keys of a large table's email or phone space in
  polars, and a sparse search's pairs found by a join.
* :mod:`~leadcore._dedupe.decide`: deciding candidate pairs with the merge rules.
* :mod:`~leadcore._dedupe.tables`: the result tables.
"""
