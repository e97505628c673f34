"""Pages of the signalen app: the melder's, the intake queue's and the casus fragment."""
