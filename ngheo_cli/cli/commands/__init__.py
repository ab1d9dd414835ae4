"""One module per ``ngheo`` command: its options (Typer signature) and what it prints. Each
imports its service and heavy libraries inside the command, so help and start-up stay fast."""
