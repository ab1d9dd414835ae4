"""Reading input workbooks (.xlsx, .xlsm, .csv) into raw tables: sheet and header finding,
streamed XML scans. The understanding of headers is :mod:`ngheo_cli.core.headers`."""
