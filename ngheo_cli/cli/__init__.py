"""The command line (layer ``cli``): Typer commands over the services, batch and demo data;
parsing options, printing and exit codes only. May import every other layer; nothing imports it."""
