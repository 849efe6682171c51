"""Attacks that were found to work once, kept as tests so they stay closed (issue 11).

One test per point, named after what it proves; each runs on SQLite and PostgreSQL.
"""
