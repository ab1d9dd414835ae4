"""Files and the store (layer ``io``): reading workbooks (``read/``), writing outputs
(``outputs/``, sheet layouts in ``xlsx/``), the SQLite store (``store.py``, the only SQL), the
working folder and rules files. Imports only ``core``, ``io`` and ``errors``."""
