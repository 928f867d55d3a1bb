"""forecast: probabilities that plan targets will be met."""
__version__ = "0.1.0"
