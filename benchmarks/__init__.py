"""Koers' benchmark harness: generated order-line workbooks, timings against baselines.

Run ``python -m benchmarks.run`` (see ``benchmarks/README.md``); results go to
``benchmarks/RESULTS.md``. Nothing here is imported by the app or the tests.
"""
