"""visitplan: plan, check and publish study visits and exchange programmes."""

__version__ = "0.1.0"
