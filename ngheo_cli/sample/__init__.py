"""Synthetic demo data (layer ``sample``): deterministic communes, members and support records
for the sample files, trials and benchmarks. Imports only ``core``, ``io`` and ``errors``."""
