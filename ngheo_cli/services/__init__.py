"""The use cases (layer ``services``): one module per command's work (read, compute with
``core``, record and write with ``io``), returning data the CLI prints. Imports ``core``, ``io``,
``errors`` and other services, never ``cli`` or ``batch``."""
