"""Everything ngheo writes for officers, one module per command's outputs (workbooks, CSV, HTML,
charts) and the batch run files; sheet layouts themselves are in :mod:`ngheo_cli.io.xlsx`."""
