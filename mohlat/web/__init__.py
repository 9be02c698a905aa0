"""The server (``mohlat serve``): the HTTP API generated from the operations, its
refusals as problem documents, login rate limits, health (:mod:`mohlat.web.app`)."""
