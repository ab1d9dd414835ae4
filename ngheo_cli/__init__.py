"""ngheo: multidimensional poverty review for Vietnamese communes."""

__version__ = "0.1.0"
