"""Run visitplan as ``python -m visitplan``."""

from visitplan.cli import main

if __name__ == "__main__":
    main()
