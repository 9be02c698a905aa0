"""The application's calls, declared once (:mod:`mohlat.api.operations`), and the two
ways a front end makes them: in process against the database
(:mod:`mohlat.api.local`) or through a ``mohlat serve`` (:mod:`mohlat.api.remote`).
"""
