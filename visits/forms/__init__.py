"""Forms of the visits app: the methodology (methodology.py) and the visits (visits.py)."""
