"""``python -m ngheo_cli``: the same command line as ``ngheo`` (:mod:`ngheo_cli.cli.app`)."""

from ngheo_cli.cli.app import main

if __name__ == "__main__":
    main()
