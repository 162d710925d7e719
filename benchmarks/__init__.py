"""Measuring harness of issue 6: an invented election at regional-municipal scale, a local server for it, and
the benchmark that runs the pipeline and its peers (scrapy, dlt, DuckDB's read_json) against it."""
