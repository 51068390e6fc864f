"""paperclerk benchmarks: ``python -m benchmarks.run`` (``make bench``) prints one table and writes results.md.

Every number is measured in the same run as the baseline it is compared with; nothing here asserts on wall
time. See :mod:`benchmarks.run` for the options (``--quick``, ``--only NAME``).
"""
