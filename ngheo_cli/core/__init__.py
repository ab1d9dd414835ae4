"""The pure core (layer ``core``): rules, validation, classification, history, assignment,
report numbers. DataFrames and values in, data out; never reads files, never prints. Imports
only ``core``, ``errors`` and third-party libraries."""
