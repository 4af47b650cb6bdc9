"""
leadcore on Apache Spark: batch deduplication and related grouping of Spark DataFrames.

:func:`leadcore.dedupe.find` and :func:`leadcore.dedupe.what_if` run on Spark when given a
Spark DataFrame and return the result types below, whose tables are Spark DataFrames with
the rows of the local run; :func:`group_related` groups a table of CRM records (REL-6).
The rules are leadcore's own, run inside Spark on Arrow batches; Spark does the joins
and the connected components. Install with ``pip install 'leadcore[spark]'`` (pyspark,
pyarrow, pandas), with Java 17 or newer; the executors need leadcore installed too. See
``docs/spark.md``.

:func:`session` starts (or returns) a session; it checks Java first, so a missing Java is
a :class:`~leadcore.errors.LeadcoreError` that says what to install, and it points Spark's
Python workers at this interpreter when ``PYSPARK_PYTHON`` is unset.
"""

from __future__ import annotations

from typing import Any, Final

from leadcore import _attrs as a
from leadcore._spark.results import SparkComparison, SparkDedupeResult
from leadcore._spark.session import JAVA_HELP, is_spark
from leadcore._spark.session import session as _session
from leadcore.errors import InvalidInput
from leadcore.model import Crm
from leadcore.related import RelatedPolicy, group

_RELATED: Final = RelatedPolicy()

__all__ = ["JAVA_HELP", "SparkComparison", "SparkDedupeResult", "group_related", "session"]


def __dir__() -> list[str]:
    return list(__all__)


@a.checked
def session(
    master: str = "local[2]",
    *,
    app_name: str = "leadcore",
    shuffle_partitions: int | None = None,
    config: dict[str, str] | None = None,
) -> Any:  # noqa: ANN401  # a pyspark.sql.SparkSession
    """
    Return the active Spark session, or start one on ``master`` (``local[2]``: two cores).

    Java is checked before a JVM is started. A new local session has the web UI off,
    Arrow on, UTC as its session time zone and ``shuffle_partitions`` (8 locally, 200 on a
    cluster unless given); ``config`` adds any Spark setting.

    Raises:
        LeadcoreError: pyspark is not installed, or Java is missing or older than 17
            (the message says what to install), or Spark did not start.

    """
    return _session(master, app_name=app_name, shuffle_partitions=shuffle_partitions, config=config)


@a.checked(records=None)  # a Spark DataFrame, checked by the function
def group_related(
    crm: Crm | str,
    records: Any,  # noqa: ANN401  # a pyspark.sql.DataFrame
    *,
    policy: RelatedPolicy = _RELATED,
    id: str = "id",  # noqa: A002  # the column's name
    kind: str = "kind",
    account_name: str = "account_name",
    account_id: str = "account_id",
) -> Any:  # noqa: ANN401  # a pyspark.sql.DataFrame
    """
    Group a Spark DataFrame of CRM records into groups of related records (REL-6).

    The groups of :func:`leadcore.related.group`, computed on Spark: one row per record
    of a group of two or more, with columns group_id, kind, key, value, record_id,
    sorted by group then record (collected, the local groups' records in order). Each
    record's key is :func:`leadcore.related.group_key`. The columns are named by the
    keyword arguments.

    Raises:
        InvalidInput: ``records`` is not a Spark DataFrame, a column is missing, the CRM
            is unknown, or records are refused (a kind the CRM does not have at
            ``records[4].kind``, a repeated id at ``records[9].id``): every problem is
            listed, up to 1,000.

    """
    group(crm, [], policy=policy)  # an unknown CRM is refused as locally
    which = Crm(crm)
    if not is_spark(records):
        raise InvalidInput.single(
            "records",
            type(records).__name__,
            "must be a Spark DataFrame (for a list of records, use leadcore.related.group)",
        )
    from leadcore._spark import related  # noqa: PLC0415  # pyspark only for Spark input

    return related.group(
        which, records, policy=policy, columns=(id, kind, account_name, account_id)
    )
