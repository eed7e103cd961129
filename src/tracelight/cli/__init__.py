"""The ``tracelight`` command line: one module per verb, all thin over the services."""
