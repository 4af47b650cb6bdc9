"""The counts of a dedupe run as ``leadcore dedupe`` prints them, on either engine."""

from __future__ import annotations

from leadcore import dedupe


def counts_text(s: dedupe.Summary) -> str:
    """
    The lines of a run's counts: leads, pairs by kind, clusters, customers.

    >>> print(counts_text(dedupe.Summary(records=4, leads=3, bad_rows=1, candidate_pairs=2,
    ...     merge_pairs=1, route_pairs=0, duplicate_pairs=0, clusters=1, clustered_leads=2,
    ...     largest_cluster=2, customers=2, generic_keys=0)), end="")
    leads                 3 of 4 records (1 bad rows)
    auto-merge            1 pairs
    route                 0 pairs (both credit applications, MRG-2)
    duplicates            0 pairs (possible duplicates, MRG-7)
    clusters              1 of 2 leads or more (2 leads, largest 2)
    customers             2
    """
    return (
        f"leads        {s.leads:>10,} of {s.records:,} records ({s.bad_rows:,} bad rows)\n"
        f"auto-merge   {s.merge_pairs:>10,} pairs\n"
        f"route        {s.route_pairs:>10,} pairs (both credit applications, MRG-2)\n"
        f"duplicates   {s.duplicate_pairs:>10,} pairs (possible duplicates, MRG-7)\n"
        f"clusters     {s.clusters:>10,} of 2 leads or more ({s.clustered_leads:,} leads, "
        f"largest {s.largest_cluster})\n"
        f"customers    {s.customers:>10,}\n"
    )
