"""Floor 0 of the house: the language layer, the one user-facing error type and text normalisation.

Nothing here imports another package of the project.
"""
